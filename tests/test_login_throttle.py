"""Login throttling: the per-address and per-name limits on SIGAP's login and Django admin's, the
lockout page, the audit of failures, and the admin's unlock."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = "/django-admin/login/"
LOCKED_TEXT = "Terlalu banyak percobaan masuk yang gagal dengan nama pengguna ini"


def attempt(client, username, password, *, ip="10.1.1.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_200_wrong_passwords_then_the_right_one_is_refused_while_locked(client, charlie):
    for _ in range(200):
        attempt(client, "charlie", "salah-sekali-123")
    response = attempt(client, "charlie", f.TEST_PASSWORD)
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert "15 menit" in response.content.decode()
    assert logged_in_as(client) is None
    # Only the failures before the lock count (and are audited); refusals while locked do not.
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 5
    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    assert AuditEvent.objects.filter(action="login.locked").count() == 1


def test_the_lock_ends_by_itself_after_the_cool_off(client, charlie, settings):
    for _ in range(settings.SIGAP_LOGIN_FAILURE_LIMIT):
        attempt(client, "charlie", "salah-sekali-123")
    assert attempt(client, "charlie", f.TEST_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=settings.SIGAP_LOGIN_COOLOFF_MINUTES + 1)):
        response = attempt(client, "charlie", f.TEST_PASSWORD)
        assert response.status_code == 302
        assert logged_in_as(client) == str(charlie.pk)


def test_four_failures_do_not_lock(client, charlie):
    for _ in range(4):
        assert attempt(client, "charlie", "salah-sekali-123").status_code == 200
    assert attempt(client, "charlie", f.TEST_PASSWORD).status_code == 302


def test_a_successful_login_clears_the_earlier_failures(client, charlie):
    for _ in range(4):
        attempt(client, "charlie", "salah-sekali-123")
    assert attempt(client, "charlie", f.TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "charlie", "salah-sekali-123")
    assert attempt(client, "charlie", f.TEST_PASSWORD).status_code == 302


def test_one_address_locks_the_name_only_from_that_address(client, charlie):
    for _ in range(200):
        attempt(client, "charlie", "salah-sekali-123", ip="10.9.9.9")
    assert attempt(client, "charlie", f.TEST_PASSWORD, ip="10.9.9.9").status_code == 429
    # The real charlie, at home, is not locked out by someone guessing elsewhere.
    assert attempt(client, "charlie", f.TEST_PASSWORD, ip="10.1.1.1").status_code == 302


def test_colleagues_behind_the_same_office_address_are_not_locked(client, charlie, bob):
    for _ in range(50):
        attempt(client, "charlie", "salah-sekali-123", ip="10.5.5.5")
    assert attempt(client, "bob", f.TEST_PASSWORD, ip="10.5.5.5").status_code == 302


def test_one_address_cannot_lock_many_names(client, charlie, carol, bob):
    # Guessing at every name from one place locks each of them there, nowhere else.
    for name in ("charlie", "carol", "bob"):
        for _ in range(30):
            attempt(client, name, "salah-sekali-123", ip="10.6.6.6")
    for name in ("charlie", "carol", "bob"):
        assert attempt(client, name, f.TEST_PASSWORD, ip="10.1.1.1").status_code == 302
        client.logout()


def test_failures_from_many_addresses_lock_the_name_everywhere(client, charlie, settings):
    per_address = settings.SIGAP_LOGIN_FAILURE_LIMIT
    addresses = settings.SIGAP_LOGIN_USERNAME_FAILURE_LIMIT // per_address
    for n in range(addresses):
        for _ in range(per_address):
            attempt(client, "charlie", "salah-sekali-123", ip=f"10.7.0.{n + 1}")
    response = attempt(client, "charlie", f.TEST_PASSWORD, ip="10.8.8.8")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()


def test_an_unknown_name_gets_the_same_answers(client, db):
    # Whether an account exists does not show: the same error, then the same lock.
    first = attempt(client, "tidak-ada", "salah-sekali-123")
    assert first.status_code == 200
    for _ in range(10):
        response = attempt(client, "tidak-ada", "salah-sekali-123")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    event = AuditEvent.objects.filter(action="login.failed").latest("id")
    assert event.details["username"] == "tidak-ada"
    assert event.target_id == ""


def test_django_admins_login_is_throttled_too(client, alice):
    for _ in range(200):
        attempt(client, "alice", "salah-sekali-123", url=ADMIN_LOGIN)
    response = attempt(client, "alice", f.TEST_PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert logged_in_as(client) is None
    # One count for both forms: the lock holds on SIGAP's login as well.
    assert attempt(client, "alice", f.TEST_PASSWORD).status_code == 429
    event = AuditEvent.objects.filter(action="login.locked").get()
    assert event.details["path"] == ADMIN_LOGIN
    assert event.target_id == str(alice.pk)


def test_a_failed_login_is_audited_with_the_address_and_the_account(client, charlie):
    attempt(client, "charlie", "salah-sekali-123", ip="10.2.3.4")
    event = AuditEvent.objects.get(action="login.failed")
    assert event.ip_address == "10.2.3.4"
    assert (event.target_type, event.target_id) == ("accounts.user", str(charlie.pk))
    assert event.details == {"username": "charlie", "path": LOGIN, "locked": False}
    assert event.actor is None
    assert "salah" not in str(event.details)  # never the password tried


def test_the_limits_follow_the_settings(client, charlie, settings):
    settings.SIGAP_LOGIN_FAILURE_LIMIT = 2
    attempt(client, "charlie", "salah-sekali-123")
    attempt(client, "charlie", "salah-sekali-123")
    assert attempt(client, "charlie", f.TEST_PASSWORD).status_code == 429


# --- What the admin sees and does -----------------------------------------------------------------


def lock_out(client, username, ip="10.3.3.3"):
    for _ in range(10):
        attempt(client, username, "salah-sekali-123", ip=ip)


def test_the_admin_sees_a_locked_account_in_the_user_list_and_page(client, client_for, alice, charlie):
    from django.test import Client

    lock_out(Client(), "charlie")
    admin = client_for(alice)
    listing = admin.get(reverse("accounts:user_list")).content.decode()
    assert listing.count('data-testid="locked-badge"') == 1
    page = admin.get(reverse("accounts:user_edit", args=[charlie.pk])).content.decode()
    assert "Terkunci" in page
    assert reverse("accounts:user_unlock", args=[charlie.pk]) in page


def test_the_admin_unlocks_an_account_and_it_is_audited(client_for, alice, charlie):
    from django.test import Client

    outsider = Client()
    lock_out(outsider, "charlie", ip="10.4.4.4")
    assert attempt(outsider, "charlie", f.TEST_PASSWORD, ip="10.4.4.4").status_code == 429
    response = client_for(alice).post(
        reverse("accounts:user_unlock", args=[charlie.pk]), REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="charlie").exists()
    event = AuditEvent.objects.get(action="user.unlock")
    assert event.actor == alice
    assert event.target_id == str(charlie.pk)
    assert event.ip_address == "10.0.0.9"
    assert attempt(outsider, "charlie", f.TEST_PASSWORD, ip="10.4.4.4").status_code == 302


@pytest.mark.parametrize("who", ["bob", "charlie", "dave"])
def test_only_the_admin_may_unlock(client_for, everyone, who):
    target = everyone["carol"]
    response = client_for(everyone[who]).post(reverse("accounts:user_unlock", args=[target.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="user.unlock").exists()


def test_unlocking_an_unknown_account_is_a_404(client_for, alice):
    assert client_for(alice).post(reverse("accounts:user_unlock", args=[999_999])).status_code == 404


def test_unlock_takes_only_post(client_for, alice, charlie):
    assert client_for(alice).get(reverse("accounts:user_unlock", args=[charlie.pk])).status_code == 405


def test_the_failed_login_page_lists_names_addresses_and_locks(client_for, alice, charlie):
    from django.test import Client

    lock_out(Client(), "charlie", ip="10.4.4.4")
    attempt(Client(), "tidak-ada", "salah-sekali-123", ip="10.4.4.5")
    response = client_for(alice).get(reverse("accounts:failed_logins"))
    assert response.status_code == 200
    rows = {r["username"]: r for r in response.context["rows"]}
    assert rows["charlie"]["failures"] == 5 and rows["charlie"]["locked_here"]
    assert rows["charlie"]["user_pk"] == charlie.pk
    assert rows["tidak-ada"]["failures"] == 1 and not rows["tidak-ada"]["locked_here"]
    assert rows["tidak-ada"]["user_pk"] is None
    body = response.content.decode()
    assert "10.4.4.4" in body and "tidak ada akun" in body.lower()


def test_the_failed_login_page_is_the_admins(client_for, bob):
    assert client_for(bob).get(reverse("accounts:failed_logins")).status_code == 403


def test_the_audit_log_shows_failed_logins(client_for, alice, charlie):
    from django.test import Client

    attempt(Client(), "charlie", "salah-sekali-123")
    response = client_for(alice).get(reverse("accounts:audit_list"), {"action": "login."})
    assert [e.action for e in response.context["events"]] == ["login.failed"]


def test_behind_a_proxy_a_forged_forwarded_address_does_not_escape_the_limit(client, charlie, settings):
    settings.SIGAP_PROXY_COUNT = 1
    for n in range(20):
        client.post(
            LOGIN,
            {"username": "charlie", "password": "salah-sekali-123"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 36.90.1.2",  # forged entry, then what the proxy saw
        )
    response = client.post(
        LOGIN,
        {"username": "charlie", "password": f.TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 36.90.1.2",
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"36.90.1.2"}
