"""Sessions end after SIGAP_SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE after
the login however busy the user is."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db

START = reverse("start:petugas")


def logged_in(client, user, at):
    with time_machine.travel(at, tick=False):
        client.post(reverse("accounts:login"), {"username": user.username, "password": f.TEST_PASSWORD})
    return client


def get_at(client, at, path=START, **extra):
    with time_machine.travel(at, tick=False):
        return client.get(path, **extra)


def test_a_session_idle_past_the_limit_is_logged_out(client, bob):
    t0 = timezone.now()
    logged_in(client, bob, t0)
    assert get_at(client, t0 + dt.timedelta(minutes=29)).status_code == 200
    response = get_at(client, t0 + dt.timedelta(minutes=29 + 31))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={START.replace('/', '%2F')}"
    assert "_auth_user_id" not in client.session
    page = get_at(client, t0 + dt.timedelta(minutes=61), response["Location"])
    assert "Anda telah dikeluarkan setelah 30 menit tanpa aktivitas" in page.content.decode()


def test_activity_keeps_the_session_until_the_absolute_limit(client, bob, settings):
    t0 = timezone.now()
    logged_in(client, bob, t0)
    hours = settings.SESSION_COOKIE_AGE // 3600
    for step in range(1, hours * 3):  # a request every 20 minutes
        assert get_at(client, t0 + dt.timedelta(minutes=20 * step)).status_code == 200, step
    response = get_at(client, t0 + dt.timedelta(hours=hours, minutes=1))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_follows_the_setting(client, bob, settings):
    settings.SIGAP_SESSION_IDLE_MINUTES = 5
    t0 = timezone.now()
    logged_in(client, bob, t0)
    assert get_at(client, t0 + dt.timedelta(minutes=6)).status_code == 302


def test_an_expired_session_answers_a_script_with_401(client, charlie):
    t0 = timezone.now()
    logged_in(client, charlie, t0)
    response = get_at(
        client, t0 + dt.timedelta(hours=1), reverse("cases:draft"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 401
    assert response.json()["login"] == reverse("accounts:login")


def test_the_last_seen_time_is_not_written_on_every_request(client, bob):
    t0 = timezone.now()
    logged_in(client, bob, t0)
    get_at(client, t0 + dt.timedelta(seconds=10))
    seen = client.session["sigap_seen_at"]
    get_at(client, t0 + dt.timedelta(seconds=20))
    assert client.session["sigap_seen_at"] == seen
    get_at(client, t0 + dt.timedelta(seconds=90))
    assert client.session["sigap_seen_at"] > seen
