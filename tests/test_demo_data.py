"""`manage.py demo_data`: the demo users, only on a development machine, idempotent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import AuditEvent, Role, User

DEMO = {
    "admin": (Role.ADMIN, None),
    "petugas": (Role.PETUGAS, None),
    "kader": (Role.KADER, "61.71.06.1001"),  # Bansir Laut
    "kader2": (Role.KADER, "61.71.04.1001"),  # Siantan Hulu
    "kpad": (Role.KPAD, None),
}


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def demo_data(*args):
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        demo_data()
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_runs_with_debug_off_when_forced(db, settings):
    settings.DEBUG = False
    demo_data("--force")
    assert set(User.objects.values_list("username", flat=True)) == set(DEMO)


def test_it_creates_the_demo_users_with_their_roles_and_areas(db, settings):
    settings.DEBUG = True
    demo_data()
    users = {u.username: u for u in User.objects.select_related("kelurahan", "kecamatan")}
    assert set(users) == set(DEMO)
    for username, (role, kelurahan_code) in DEMO.items():
        user = users[username]
        assert user.role == role, username
        assert (user.kelurahan.code if user.kelurahan else None) == kelurahan_code, username
        assert user.kecamatan is None
        assert user.is_active
        assert user.check_password("sigap-demo"), username
        assert user.email == f"{username}@sigap.invalid"
    assert users["kader"].kelurahan.common_name == "Bansir Laut"
    assert users["kader2"].kelurahan.common_name == "Siantan Hulu"
    assert users["admin"].is_staff


def test_it_creates_them_through_the_service_with_an_audit_row_each(db, settings):
    settings.DEBUG = True
    demo_data()
    events = AuditEvent.objects.filter(action="user.create")
    assert events.count() == 5
    assert set(events.values_list("actor", flat=True)) == {None}


def test_it_changes_nothing_when_run_twice(db, settings):
    settings.DEBUG = True
    demo_data()
    users = list(User.objects.order_by("pk").values())
    events = AuditEvent.objects.filter(action__startswith="user.").count()
    out = demo_data()
    assert list(User.objects.order_by("pk").values()) == users
    # The demo cases add their own audit rows (tests/cases/test_demo_cases.py); users are not re-created.
    assert AuditEvent.objects.filter(action__startswith="user.").count() == events == 5
    assert out.count("already there") == 5


def test_it_does_not_reset_a_changed_demo_password(db, settings):
    settings.DEBUG = True
    demo_data()
    kader = User.objects.get(username="kader")
    kader.set_password("Sudah-diganti-42")
    kader.save()
    demo_data()
    kader.refresh_from_db()
    assert kader.check_password("Sudah-diganti-42")


def test_it_prints_the_users_and_the_password(db, settings):
    settings.DEBUG = True
    out = demo_data()
    assert "Demo users (password: sigap-demo):" in out
    lines = out.splitlines()[1 : 1 + len(DEMO)]  # the demo cases' lines follow
    assert [line.split()[0] for line in lines] == list(DEMO)
    kader_line = next(line for line in lines if line.split()[0] == "kader")
    assert "Bansir Laut" in kader_line
    assert "created" in kader_line
    assert "Siantan Hulu" in next(line for line in lines if line.split()[0] == "kader2")


def test_it_lets_the_demo_kader_log_in(client, db, settings):
    settings.DEBUG = True
    demo_data()
    response = client.post("/akun/masuk/", {"username": "kader", "password": "sigap-demo"})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == "/beranda/kader/"
