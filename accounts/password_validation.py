"""SIGAP's own password validators (settings.AUTH_PASSWORD_VALIDATORS lists all of them).

* ``ContextPasswordValidator``: outside DEBUG, refuses the demo password and passwords that are
  little more than SIGAP's own words (the service, the city, the roles, the demo user names, the
  user's own name) with digits or signs around them: the first guesses anyone would try here.
* ``CommonPasswordValidator``: Django's own, with its list of 20,000 common passwords and the
  bundled list of leaked passwords of 12 characters or more (accounts/data/SOURCES.md), checked
  as one list so a password on both is refused with one message.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
CONTEXT_WORDS = ("sigap", "demo", "pontianak", "dp2kbp3a", "kpad", "kader", "petugas", "admin", "password")
# Fewer letters than this left once SIGAP's words are taken out: a guessable password.
MIN_OWN_LETTERS = 4


def breached_list_path() -> Path:
    return DATA / "breached-passwords-12plus.txt.gz"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def __init__(self):
        super().__init__()  # Django's list
        self.passwords |= password_validation.CommonPasswordValidator(breached_list_path()).passwords


class ContextPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if settings.DEBUG:  # `make run`'s demo users keep their documented password
            return
        lowered = password.lower()
        words = {*CONTEXT_WORDS, *settings.SIGAP_DEMO_USERNAMES}
        username = getattr(user, "username", "") or ""
        if len(username) >= 3:
            words.add(username.lower())
        rest = lowered
        for word in sorted(words, key=len, reverse=True):
            rest = rest.replace(word, "")
        own_letters = sum(1 for ch in rest if ch.isalpha())
        built_from_our_words = rest != lowered and own_letters < MIN_OWN_LETTERS
        if settings.SIGAP_DEMO_PASSWORD in lowered or built_from_our_words:
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is the demo password, or SIGAP's own "
                    "words (sigap, pontianak, kader, a user name…) with only digits or signs added."
                ),
                code="password_context",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be the demo password, nor SIGAP's own words (sigap, pontianak, "
            "kader, your user name…) with only digits or signs added."
        )
