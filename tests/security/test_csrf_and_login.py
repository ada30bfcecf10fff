"""CSRF on every state-changing view, and brute force against the login lockout.

With ``Client(enforce_csrf_checks=True)`` a POST without the token is refused by Django's CSRF
check before any view runs, for every URL pattern of the URLconf, as a signed-in user who may
use the view. Only the endpoints listed in ``CSRF_EXEMPT`` take a POST without it, each for a
reason.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from tests import factories as f

from . import world as world_module
from .test_scope_walk import _outside, patterns

pytestmark = pytest.mark.django_db

# Browsers send CSP reports without cookies or tokens; the endpoint only logs a path.
CSRF_EXEMPT = {"csp_report"}


def _address(name: str, w) -> str:
    pattern = patterns()[name]
    if not pattern.pattern.converters:
        return reverse(name)
    if name == "certificate:verify":
        return reverse(name, kwargs={"code": "TIDAK-ADA"})
    # Any record will do: the CSRF check runs before the view looks it up.
    kwargs = _outside(w, None)[name] or _outside(w, "bella")[name]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_every_post_without_the_csrf_token_is_refused(everyone, settings, tmp_path, who, tally):
    settings.MEDIA_ROOT = tmp_path
    w = world_module.build(everyone)
    client = Client(enforce_csrf_checks=True)
    client.force_login(everyone[who])
    accepted = []
    for name in sorted(patterns()):
        response = client.post(_address(name, w), {"note": "tanpa token"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append(name)
    tally.add("requests", len(patterns()))
    tally.add("csrf: posts without a token", len(patterns()))
    assert set(accepted) == CSRF_EXEMPT


def test_the_login_form_itself_needs_the_token(charlie, tally):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "charlie", "password": f.TEST_PASSWORD})
    tally.add("requests")
    assert response.status_code == 403 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", [reverse("accounts:login"), "/django-admin/login/"])
def test_brute_force_from_many_addresses_meets_the_lockout(client, charlie, settings, url, tally):
    """A list of common passwords tried from a new address each time: the per-name limit stops
    it, and the right password is refused too while the lock lasts."""
    guesses = ["123456", "password", "iloveyou1234", "sigap-demo", "pontianak2026", "qwerty123"] * 10
    for n, guess in enumerate(guesses):
        client.post(url, {"username": "charlie", "password": guess}, REMOTE_ADDR=f"10.9.{n // 250}.{n % 250}")
    response = client.post(url, {"username": "charlie", "password": f.TEST_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    tally.add("requests", len(guesses) + 1)
    tally.add("login: passwords guessed", len(guesses))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Each address is below its own limit; the name's limit across addresses is what stops it.
    assert (
        AuditEvent.objects.filter(action="login.failed").count()
        == settings.SIGAP_LOGIN_USERNAME_FAILURE_LIMIT
    )
