"""Texts kept as a code and parameters, and rendered in the reader's language.

A timeline event, an escalation's reason or a notification is stored as a code
(``attachment.added``) and a JSON dict of parameters (``{"kind": "photo"}``), never as
text in the language of whoever caused it. A ``MessageRegistry`` maps each code to a
lazily translated message with named placeholders; rendering happens when the row is
shown (a page, an email), so the same row reads "Foto" in Indonesian and "Photo" in
English.

A parameter is shown as it is, or through a formatter named at registration: a
``Choices`` class (the code is shown by its label) or a function of the value. A list is
joined with commas. A message may also be a function of all the parameters, for the few
texts that are built of optional parts (a digest).

Parameters hold codes, numbers, case numbers and record references (``#12``): never a
child's identity, never what someone typed (that stays in the row's own text field).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Choices
from django.utils import translation
from django.utils.functional import Promise

Formatter = type[Choices] | Callable[[Any], str]
Text = Any  # a lazy gettext/ngettext string, or a function of the parameters returning text

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class UnknownMessage(LookupError):
    """A row is written with a code that has no registered message."""


@dataclass(frozen=True)
class Message:
    text: Text
    formatters: Mapping[str, Formatter] = field(default_factory=dict)
    # Older wordings of the same message (lazy or noop msgids) that a data migration may find in
    # stored text; a placeholder named ``note`` there is what the person typed.
    legacy: tuple = ()

    def render(self, params: Mapping[str, Any]) -> str:
        if self.is_function:
            return str(self.text(params))
        values = {name: self._show(name, value) for name, value in params.items()}
        if "plural" in getattr(self.text, "_kw", {}):
            return self.text % values  # ngettext_lazy picks the form by its number's key
        return str(self.text) % values if PLACEHOLDER.search(msgid(self.text)) else str(self.text)

    @property
    def is_function(self) -> bool:
        return callable(self.text) and not isinstance(self.text, Promise)

    def _show(self, name: str, value: Any) -> Any:
        formatter = self.formatters.get(name)
        if isinstance(value, list):
            return ", ".join(str(self._one(formatter, v)) for v in value)
        return self._one(formatter, value)

    @staticmethod
    def _one(formatter: Formatter | None, value: Any) -> Any:
        if formatter is None:
            return value
        if isinstance(formatter, type) and issubclass(formatter, Choices):
            try:
                return str(formatter(value).label)
            except ValueError:
                return value  # a code that has since left the choices: shown as stored
        return formatter(value)


def msgid(text) -> str:
    """The English source of a lazy string (gettext_lazy's argument, ngettext_lazy's singular)."""
    args = getattr(text, "_args", None)
    if args:
        return str(args[0])
    kw = getattr(text, "_kw", None) or {}
    if "singular" in kw:
        return str(kw["singular"])
    return text if isinstance(text, str) else ""


class MessageRegistry:
    """Code → message for one kind of stored text (timeline events, notifications…)."""

    def __init__(self, name: str):
        self.name = name
        self._messages: dict[str, Message] = {}

    def register(self, code: str, text: Text, *, legacy: Iterable = (), **formatters: Formatter) -> str:
        if code in self._messages:
            raise ValueError(f"{self.name}: {code!r} is registered twice")
        self._messages[code] = Message(text=text, formatters=formatters, legacy=tuple(legacy))
        return code

    def __contains__(self, code: str) -> bool:
        return code in self._messages

    def codes(self) -> list[str]:
        return sorted(self._messages)

    def message(self, code: str) -> Message:
        return self._messages[code]

    def check(self, code: str) -> str:
        """The code, when it has a message; writers call this so a missing entry fails at once."""
        if code not in self._messages:
            raise UnknownMessage(f"{self.name}: no message registered for {code!r}")
        return code

    def render(self, code: str, params: Mapping[str, Any] | None, *, fallback: str = "") -> str:
        """The message in the active language; ``fallback`` (the text stored before codes, or
        for a code since removed) when the code is unknown or its parameters do not fit."""
        message = self._messages.get(code)
        if message is None:
            return fallback
        try:
            return message.render(params or {})
        except (KeyError, TypeError, ValueError):
            return fallback

    def render_in(self, language: str, code: str, params, *, fallback: str = "") -> str:
        with translation.override(language):
            return self.render(code, params, fallback=fallback)

    def parse(self, code: str, text: str, *, languages: Iterable[str] = ("id", "en")) -> dict | None:
        """The parameters that render ``code`` as ``text`` (in one of ``languages``), or None.

        Used by data migrations to turn text stored before codes into code and parameters.
        Parameters with a Choices formatter are read back from their label; a function
        formatter cannot be read back, so such a message is only recognised without it. A
        ``note`` placeholder of a legacy wording is returned under the key ``note``."""
        message = self._messages.get(code)
        if message is None:
            return None
        if message.is_function:
            sources = list(message.legacy)
        else:
            sources = [message.text, *message.legacy]
        for language in languages:
            with translation.override(language):
                for source in sources:
                    for pattern_text in _forms(source):
                        found = _parse_one(message, pattern_text, text)
                        if found is not None:
                            return found
        return None


def _forms(source) -> list[str]:
    """Every wording of a message in the active language (both forms of a plural)."""
    kw = getattr(source, "_kw", None) or {}
    if "plural" in kw:
        return list(dict.fromkeys(translation.ngettext(kw["singular"], kw["plural"], n) for n in (1, 2, 5)))
    if isinstance(source, str):  # a gettext_noop wording, or a pattern without words
        return list(dict.fromkeys([translation.gettext(source), source]))
    return [str(source)]


def _parse_one(message: Message, pattern_text: str, text: str) -> dict | None:
    names = PLACEHOLDER.findall(pattern_text)
    if any(n in message.formatters and not _is_choices(message.formatters[n]) for n in names):
        return None
    regex = ""
    pos = 0
    for m in PLACEHOLDER.finditer(pattern_text):
        regex += re.escape(pattern_text[pos : m.start()])
        regex += rf"(?P<{m.group(1)}>\d+)" if m.group(0).endswith("d") else rf"(?P<{m.group(1)}>.+?)"
        pos = m.end()
    regex += re.escape(pattern_text[pos:])
    found = re.fullmatch(regex, text, flags=re.DOTALL)
    if found is None:
        return None
    params: dict[str, Any] = {}
    for name, value in found.groupdict().items():
        formatter = message.formatters.get(name)
        if formatter is not None:
            code = _choice_for_label(formatter, value)
            if code is None:
                return None
            params[name] = code
        elif pattern_text[pattern_text.index(f"%({name})") + len(name) + 3] == "d":
            params[name] = int(value)
        else:
            params[name] = value
    return params


def _is_choices(formatter) -> bool:
    return isinstance(formatter, type) and issubclass(formatter, Choices)


def _choice_for_label(choices: type[Choices], label: str) -> str | None:
    for value, shown in choices.choices:
        if str(shown) == label:
            return value
    return None
