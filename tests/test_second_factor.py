"""The second factor: required roles enrol after the password and can do nothing else until they
have; a code or a recovery code at every later login; recovery codes shown once and used once;
the admin's reset; the kader's choice; the setting and its defaults."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import AuditEvent
from accounts.policy import Cap, capabilities_of, second_factor_required, user_can
from tests import factories as f
from tests.otp_helpers import KEY, code_for, give_authenticator, key_from_typed, verified_client
from tests.test_security_headers import static_routes

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp_verify")
ENROL = reverse("accounts:otp_enrol")


@pytest.fixture(autouse=True)
def required(settings):
    settings.SIGAP_REQUIRE_2FA = True


def password_step(client, username, next_url=""):
    data = {"username": username, "password": f.TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def enrol(client) -> list[str]:
    """Set up the authenticator shown on the page; returns the recovery codes shown."""
    page = client.get(ENROL)
    key = key_from_typed(page.context["key"])
    response = client.post(ENROL, {"code": code_for(key)})
    assert response.status_code == 200, response.context["form"].errors
    return response.context["codes"]


# --- The rules ------------------------------------------------------------------------------------


def test_the_admin_petugas_and_kpad_must_and_the_kader_may(everyone):
    assert {who: second_factor_required(u) for who, u in everyone.items()} == {
        "alice": True,
        "bob": True,
        "bella": True,
        "charlie": False,
        "carol": False,
        "dave": True,
    }


def test_nobody_must_when_the_setting_is_off(everyone, settings):
    settings.SIGAP_REQUIRE_2FA = False
    assert not any(second_factor_required(u) for u in everyone.values())


@pytest.mark.parametrize(("debug", "expected"), [("0", "True"), ("1", "False")])
def test_the_setting_is_on_outside_debug_and_off_with_debug(debug, expected):
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "SIGAP_REQUIRE_2FA")}
    env.update(DJANGO_DEBUG=debug, DJANGO_SETTINGS_MODULE="config.settings")
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SIGAP_REQUIRE_2FA)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == expected


# --- Enrolment after the password -----------------------------------------------------------------


def test_a_petugas_without_an_authenticator_is_sent_to_enrol_after_the_password(client, bob):
    response = password_step(client, "bob", next_url="/kasus/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fkasus%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Pasang verifikasi dua langkah" in page.content.decode()


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_until_enrolled_a_required_role_can_do_nothing_else(client, everyone, who):
    password_step(client, everyone[who].username)
    allowed = {LOGIN, ENROL, VERIFY, reverse("healthz"), "/i18n/setlang/", "/csp-report/", "/akun/keluar/"}
    leaked = []
    for route in static_routes():
        response = client.get(route)
        if route in allowed:
            continue
        if response.status_code == 404:
            continue
        if response.status_code != 302 or not response["Location"].startswith(ENROL):
            leaked.append(f"{route}: {response.status_code}")
    assert leaked == []
    # Belt and braces: the session has no capability at all, whatever a view would ask.
    user = client.get(ENROL).wsgi_request.user
    assert capabilities_of(user) == frozenset()
    assert not user_can(user, Cap.HANDLE_CASES)


def test_a_fetch_before_the_second_factor_gets_a_json_403(client, bob):
    password_step(client, "bob")
    response = client.post(
        reverse("cases:draft"), {"data": {}}, content_type="application/json", HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "Masukkan dulu kode verifikasi dua langkah Anda."


def test_the_enrolment_page_shows_a_qr_code_drawn_here_and_the_key(client, bob):
    password_step(client, "bob")
    page = client.get(ENROL)
    html = page.content.decode()
    svg = html.split('data-testid="qr-code">')[1].split("</svg>")[0]
    assert svg.startswith("<svg") and "style=" not in svg and "http" not in svg
    device = TOTPDevice.objects.get(user=bob)
    assert not device.confirmed
    assert key_from_typed(page.context["key"]) == device.key
    # Reloading keeps the same key: a scanned QR code stays valid.
    assert client.get(ENROL).context["key"] == page.context["key"]
    assert TOTPDevice.objects.filter(user=bob).count() == 1


def test_a_wrong_code_at_enrolment_is_refused_at_the_field(client, bob):
    password_step(client, "bob")
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Kode itu salah atau sudah kedaluwarsa. Coba kode terbaru dari aplikasi."
    ]
    assert not TOTPDevice.objects.filter(user=bob, confirmed=True).exists()


def test_enrolling_shows_ten_recovery_codes_once_and_lets_the_user_in(client, bob):
    password_step(client, "bob", next_url="/kasus/")
    codes = enrol(client)
    assert len(codes) == 10 == len(set(codes))
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    assert TOTPDevice.objects.get(user=bob).confirmed
    assert StaticToken.objects.filter(device__user=bob).count() == 10
    assert AuditEvent.objects.filter(action="otp.enrol", target_id=str(bob.pk)).count() == 1
    assert client.get("/kasus/").status_code == 200
    # The codes page is not kept anywhere: the security page only counts them.
    security = client.get(reverse("accounts:security")).content.decode()
    assert codes[0] not in security
    assert "Tersisa 10 kode pemulihan" in security


# --- Later logins ---------------------------------------------------------------------------------


@pytest.fixture
def bob_with_app(bob):
    give_authenticator(bob)
    second_factor.recovery_codes_regenerate(user=bob)
    return bob


def test_a_user_with_an_authenticator_gives_a_code_after_the_password(client, bob_with_app):
    response = password_step(client, "bob", next_url="/kasus/")
    assert response["Location"] == f"{VERIFY}?next=%2Fkasus%2F"
    assert client.get("/kasus/").status_code == 302  # nothing before the code
    response = client.post(VERIFY, {"code": code_for(), "next": "/kasus/"})
    assert response.status_code == 302
    assert response["Location"] == "/kasus/"
    assert client.get("/kasus/").status_code == 200


def test_until_the_code_every_page_sends_to_the_code(client, bob_with_app):
    password_step(client, "bob")
    for route in ("/kasus/", "/laporan/", "/kader/", "/akun/keamanan/", "/django-admin/", ENROL):
        response = client.get(route)
        assert response.status_code == 302, route
        assert response["Location"].startswith(VERIFY), route


def test_a_wrong_code_is_refused_audited_and_then_throttled(client, bob_with_app):
    password_step(client, "bob")
    wrong = client.post(VERIFY, {"code": "000000"})
    assert wrong.context["code_form"].errors["code"] == [
        "Kode itu salah atau sudah kedaluwarsa. Coba kode yang terbaru."
    ]
    assert AuditEvent.objects.filter(action="login.otp_failed", target_id=str(bob_with_app.pk)).count() == 1
    # Right away, even the right code waits: each wrong code doubles the wait.
    throttled = client.post(VERIFY, {"code": code_for()})
    assert "Terlalu banyak kode yang salah" in throttled.context["code_form"].errors["code"][0]
    assert client.get("/kasus/").status_code == 302


def test_a_code_is_accepted_once(client, bob_with_app):
    code = code_for()
    password_step(client, "bob")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    password_step(other, "bob")
    replay = other.post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert other.get("/kasus/").status_code == 302


def test_a_recovery_code_works_once_and_says_how_many_are_left(client, bob):
    give_authenticator(bob)
    codes = second_factor.recovery_codes_regenerate(user=bob)
    password_step(client, "bob")
    response = client.post(VERIFY, {"recovery_code": codes[0].upper().replace("-", " ")}, follow=True)
    assert response.redirect_chain
    assert "tersisa 9" in response.content.decode()
    assert client.get("/kasus/").status_code == 200
    event = AuditEvent.objects.get(action="otp.recovery_used")
    assert event.details == {"left": 9}
    other = Client()
    password_step(other, "bob")
    again = other.post(VERIFY, {"recovery_code": codes[0]})
    assert again.status_code == 200
    assert again.context["recovery_form"].errors["recovery_code"]


def test_new_recovery_codes_void_the_old(client, bob_with_app):
    old = second_factor.recovery_codes_regenerate(user=bob_with_app)
    password_step(client, "bob")
    client.post(VERIFY, {"code": code_for()})
    response = client.post(reverse("accounts:recovery_codes_new"))
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert AuditEvent.objects.filter(action="otp.recovery_codes", actor=bob_with_app).exists()
    other = Client()
    password_step(other, "bob")
    assert other.post(VERIFY, {"recovery_code": old[0]}).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):  # past the wait a wrong code costs
        assert other.post(VERIFY, {"recovery_code": new[0]}).status_code == 302


def test_a_pending_session_cannot_enrol_a_new_app_over_the_old(client, bob_with_app):
    password_step(client, "bob")
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=bob_with_app).count() == 1


def test_moving_to_another_phone_replaces_the_old_app(client, bob_with_app):
    password_step(client, "bob")
    client.post(VERIFY, {"code": code_for()})
    enrol(client)  # a new random key: its current code is not the old app's
    devices = TOTPDevice.objects.filter(user=bob_with_app)
    assert devices.count() == 1 and devices.get().key != KEY
    assert AuditEvent.objects.filter(action="otp.enrol").latest("id").details == {"replaced": True}


def test_django_admins_login_leads_to_the_code_too(client, alice):
    give_authenticator(alice)
    response = client.post("/django-admin/login/", {"username": "alice", "password": f.TEST_PASSWORD})
    assert response.status_code == 302
    admin = client.get("/django-admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for()})
    assert client.get("/django-admin/").status_code == 200


# --- The kader's choice ---------------------------------------------------------------------------


def test_a_kader_logs_in_with_the_password_alone(client, charlie):
    response = password_step(client, "charlie")
    assert response["Location"] == "/"
    assert client.get(reverse("start:kader")).status_code == 200


def test_a_kader_who_chose_an_app_gives_its_code_and_may_turn_it_off(client, charlie):
    password_step(client, "charlie")
    enrol(client)
    client.logout()
    password_step(client, "charlie")
    assert client.get(reverse("start:kader")).status_code == 302
    # The enrolment used this step's code; the app's next one is accepted a step early.
    client.post(VERIFY, {"code": code_for(TOTPDevice.objects.get(user=charlie).key, steps_ahead=1)})
    assert client.get(reverse("start:kader")).status_code == 200
    response = client.post(reverse("accounts:second_factor_off"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=charlie).exists()
    assert AuditEvent.objects.filter(action="otp.disable", actor=charlie).exists()
    client.logout()
    password_step(client, "charlie")
    assert client.get(reverse("start:kader")).status_code == 200


def test_a_required_role_may_not_turn_it_off(client, bob_with_app):
    password_step(client, "bob")
    client.post(VERIFY, {"code": code_for()})
    assert client.post(reverse("accounts:second_factor_off")).status_code == 403
    assert TOTPDevice.objects.filter(user=bob_with_app).exists()


# --- The admin's reset ----------------------------------------------------------------------------


def test_the_admin_resets_a_lost_phone_and_the_user_enrols_again(client, alice, bob_with_app):
    password_step(client, "bob")
    client.post(VERIFY, {"code": code_for()})
    assert client.get("/kasus/").status_code == 200
    response = verified_client(alice).post(reverse("accounts:user_reset_2fa", args=[bob_with_app.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=bob_with_app).exists()
    assert not StaticToken.objects.filter(device__user=bob_with_app).exists()
    event = AuditEvent.objects.get(action="user.reset_2fa")
    assert (event.actor, event.target_id, event.details) == (alice, str(bob_with_app.pk), {"devices": 2})
    # The session verified with the removed app is verified no longer.
    again = client.get("/kasus/")
    assert again.status_code == 302
    assert again["Location"].startswith(VERIFY) or again["Location"].startswith(ENROL)
    assert client.get(again["Location"], follow=True).redirect_chain[-1][0].startswith(ENROL)


@pytest.mark.parametrize("who", ["bob", "charlie", "dave"])
def test_only_the_admin_may_reset_a_second_factor(everyone, who):
    target = everyone["bella"]
    give_authenticator(target)
    response = verified_client(everyone[who]).post(reverse("accounts:user_reset_2fa", args=[target.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()


def test_the_user_page_shows_the_second_factor_and_the_reset(alice, bob_with_app):
    client = verified_client(alice)
    page = client.get(reverse("accounts:user_edit", args=[bob_with_app.pk])).content.decode()
    assert "Verifikasi dua langkah aktif" in page
    assert reverse("accounts:user_reset_2fa", args=[bob_with_app.pk]) in page


# --- Scripts --------------------------------------------------------------------------------------


def test_a_script_gives_a_user_a_known_key_and_logs_in_with_the_code(client, bob, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("totp_device", "bob", "--key", KEY, "--force", stdout=out)
    assert out.getvalue().strip() == KEY
    password_step(client, "bob")
    assert client.post(VERIFY, {"code": code_for(KEY)}).status_code == 302
    assert client.get("/kasus/").status_code == 200


def test_the_script_command_refuses_with_debug_off_unless_forced(bob):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("totp_device", "bob")
