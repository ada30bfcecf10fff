"""`manage.py demo_data`: the demo users, only on a development machine unless forced,
idempotent; ``--cases N`` adds synthetic load."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import CommandError
from django.utils import timezone

from accounts.models import AuditEvent, Role, User
from cases.models import Case, CaseEvent, Service, Status
from demo import year as demo_year
from reports.forms import Period, add_months
from tests.demo.fixture import module_demo, run_demo_data

# The first minutes of a month (a Sunday), Pontianak time: the month has barely begun.
END = dt.datetime(2026, 3, 1, 0, 20, tzinfo=timezone.get_fixed_timezone(7 * 60))

DEMO = {
    "admin": (Role.ADMIN, None),
    "petugas": (Role.PETUGAS, None),
    "kasubid": (Role.PETUGAS, None),  # the supervisor
    "kader": (Role.KADER, "61.71.06.1001"),  # Bansir Laut
    "kader2": (Role.KADER, "61.71.04.1001"),  # Siantan Hulu
    "kpad": (Role.KPAD, None),
}

# The demo runs forced (tests run with DEBUG off), once for the whole module. Every test
# uses the database, so the module's tests run together, inside the demo's transaction.
demo_run = module_demo(END)

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="DEBUG is off"):
        run_demo_data()
    assert row_counts() == before


def test_it_refuses_a_negative_number_of_cases(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="zero or more"):
        run_demo_data("--cases", "-1")


def test_it_creates_the_demo_users_with_their_roles_and_areas(demo_run, db):
    users = {u.username: u for u in User.objects.exclude(username="sigap-sistem").select_related("kelurahan")}
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
    assert [u for u in users if users[u].is_supervisor] == ["kasubid"]


def test_it_creates_them_through_the_service_before_the_year_began(demo_run, db):
    events = AuditEvent.objects.filter(action="user.create")
    assert events.count() == len(DEMO)
    assert set(events.values_list("actor", flat=True)) == {None}
    assert all(e.at < END - dt.timedelta(days=demo_year.YEAR_DAYS) for e in events)
    # The escalations' system user is the only other account; it cannot log in.
    system = User.objects.get(username="sigap-sistem")
    assert not system.is_active and not system.has_usable_password()


def test_it_prints_the_users_and_the_password(demo_run):
    assert "Demo users (password: sigap-demo):" in demo_run
    lines = demo_run.splitlines()[1 : 1 + len(DEMO)]
    assert [line.split()[0] for line in lines] == list(DEMO)
    kader_line = next(line for line in lines if line.split()[0] == "kader")
    assert "Bansir Laut" in kader_line and "created" in kader_line
    assert "Siantan Hulu" in next(line for line in lines if line.split()[0] == "kader2")
    assert f"Demo cases: {demo_year.SEED_COUNT} created." in demo_run


def test_it_changes_nothing_when_run_twice(demo_run, db):
    before = row_counts()
    users = list(User.objects.order_by("pk").values())
    out = run_demo_data("--force")
    assert row_counts() == before
    assert list(User.objects.order_by("pk").values()) == users
    assert out.count("already there") == len(DEMO)
    assert "Demo cases: they exist already, none added." in out


def test_it_does_not_reset_a_changed_demo_password(demo_run, db):
    kader = User.objects.get(username="kader")
    kader.set_password("Sudah-diganti-42")
    kader.save()
    run_demo_data("--force")
    kader.refresh_from_db()
    assert kader.check_password("Sudah-diganti-42")


def test_it_lets_the_demo_kader_log_in(demo_run, db, client):
    response = client.post("/akun/masuk/", {"username": "kader", "password": "sigap-demo"})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == "/beranda/kader/"


def test_services_fill_every_finished_month_even_at_the_start_of_one(demo_run, db):
    months = Period.last_months(12, today=timezone.localdate(END)).months
    assert months[-1] == dt.date(2026, 3, 1)
    for month in months[:-1]:  # the current month is twenty minutes old
        assert Service.objects.filter(date__gte=month, date__lt=add_months(month, 1)).exists(), month
    assert Case.objects.filter(status=Status.DILAPORKAN).exists()


def test_it_adds_n_more_synthetic_cases_with_unique_numbers(demo_run, db):
    run_demo_data("--force", "--cases", "50")
    cases = Case.objects.all()
    assert cases.count() == demo_year.SEED_COUNT + 50
    numbers = list(cases.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for year in set(cases.values_list("year", flat=True)):
        sequences = sorted(cases.filter(year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
    for case in cases.prefetch_related("children", "perpetrators", "violences"):
        assert 1 <= len(case.children.all()) <= 3
        assert len(case.perpetrators.all()) <= 2
        assert case.violences.all()
        if case.status in (Status.SELESAI, Status.DITUTUP):
            assert case.closure_reason
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CREATED).count() == cases.count()


def test_it_fills_the_privacy_registers_with_a_request_whose_clock_runs_out(demo_run, db):
    from privacy.models import Breach, SubjectRequest

    assert SubjectRequest.objects.filter(status="diterima").count() == 1
    assert SubjectRequest.objects.filter(status="dijawab").count() == 1
    breach = Breach.objects.get()
    assert breach.subjects_notified_at is not None and breach.authority_notified_at is None
    assert "Privacy registers: a subject request and a breach added." in demo_run
