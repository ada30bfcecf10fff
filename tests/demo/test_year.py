"""The demo's year of cases: lived through the services, dated in the past, and believable in
the dashboard, the recap and KPAD's queue. Synthetic only."""

import datetime as dt
import statistics
from collections import Counter

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, Notification, User
from cadres.demo import GAP_CODES
from cadres.models import Cadre, CadreActivity
from cases import demo
from cases.casework_models import Approval, Assessment, CaseConference, CaseTask, ServicePlan
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Escalation,
    KpadMessage,
    Person,
    Referral,
    Service,
    Status,
)
from demo import year as demo_year
from kelurahan.demo_streets import STREETS_BY_KECAMATAN
from reports.forms import Period, add_months
from tests.demo.fixture import module_demo

# A Wednesday morning in the middle of a month, Pontianak time.
END = dt.datetime(2026, 6, 17, 10, 40, tzinfo=timezone.get_fixed_timezone(7 * 60))

demo_run = module_demo(END)

pytestmark = pytest.mark.usefixtures("demo_run", "db")


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def user(username: str) -> User:
    return User.objects.get(username=username)


# --- A year, through the services ------------------------------------------------------------------


def test_it_spreads_about_a_hundred_cases_over_the_past_year_and_every_kelurahan():
    cases = Case.objects.all()
    assert cases.count() == demo_year.SEED_COUNT
    assert cases.values("kelurahan").distinct().count() == 29
    first, last = min(c.reported_at for c in cases), max(c.reported_at for c in cases)
    assert END - dt.timedelta(days=366) <= first < END - dt.timedelta(days=330)
    assert END - dt.timedelta(days=1) < last <= END
    assert all(n.startswith(demo.DEMO_MARKER) for n in cases.values_list("narrative", flat=True))
    assert {"kader", "kader2", "petugas"} <= set(cases.values_list("reported_by__username", flat=True))


def test_every_step_of_the_lifecycle_has_cases_today():
    counts = Counter(Case.objects.values_list("status", flat=True))
    assert set(counts) == set(Status.values)
    # Most of a year's cases are finished; the recent ones are still open.
    assert counts[Status.SELESAI] + counts[Status.DITUTUP] > Case.objects.count() / 2
    old = Case.objects.filter(reported_at__lt=END - dt.timedelta(days=200))
    assert old.filter(status__in=OPEN_STATUSES).count() < old.count() / 5


def test_each_timeline_runs_in_believable_order_with_real_gaps():
    """Reported, then verified hours or days later, assessed, served, closed: never all at once."""
    for case in Case.objects.exclude(status=Status.DILAPORKAN).prefetch_related("events"):
        events = sorted(case.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].kind == CaseEvent.Kind.CREATED
        assert events[0].at == case.reported_at
        assert all(case.reported_at <= e.at <= END for e in events)
        steps = [e.to_status for e in events if e.kind == CaseEvent.Kind.STATUS]
        if case.status == Status.SELESAI:
            assert steps[:3] == [Status.DIVERIFIKASI, Status.ASESMEN, Status.DITANGANI]
            assert steps[-1] == Status.SELESAI
            assert case.closed_at - case.reported_at > dt.timedelta(days=14)
        if case.triaged_at:
            assert case.triaged_at - case.reported_at > dt.timedelta(minutes=20)
        moments = {e.at for e in events}
        assert len(moments) > 1, case.number


def test_the_audit_rows_carry_the_same_past_moments_as_the_timeline():
    status_events = set(CaseEvent.objects.filter(kind=CaseEvent.Kind.STATUS).values_list("case_id", "at"))
    status_audits = {
        (int(target), at)
        for target, at in AuditEvent.objects.filter(action="case.status").values_list("target_id", "at")
    }
    assert status_events == status_audits
    created = {(c.pk, c.reported_at) for c in Case.objects.all()}
    audited = {
        (int(t), at)
        for t, at in AuditEvent.objects.filter(action="case.create").values_list("target_id", "at")
    }
    assert created == audited


def test_nothing_is_dated_when_the_demo_ran():
    # The clock stood still at END while the demo ran: a row a step wrote without travelling
    # to the step's moment would carry exactly END.
    assert not CaseEvent.objects.filter(at__gte=END).exists()
    assert not AuditEvent.objects.filter(at__gte=END).exists()
    assert not Notification.objects.filter(created_at__gte=END).exists()
    assert not Escalation.objects.filter(opened_at__gte=END).exists()
    assert not Case.objects.filter(updated_at__gte=END).exists()
    assert not CadreActivity.objects.filter(at__gte=END).exists()
    # A closed case's handling ends with its closure (KPAD may close its review later).
    closed = Case.objects.filter(status__in=[Status.SELESAI, Status.DITUTUP])
    assert (
        not CaseEvent.objects.filter(case__in=closed, at__gt=F("case__closed_at"))
        .exclude(kind=CaseEvent.Kind.KPAD)
        .exists()
    )
    # Services and referrals are entered on (or a day or two after) the day they happened.
    for service in Service.objects.all():
        assert (
            dt.timedelta(0) <= timezone.localdate(service.created_at) - service.date <= dt.timedelta(days=2)
        )
    for referral in Referral.objects.all():
        assert timezone.localdate(referral.created_at) == referral.date
    # The users and the roster were set up before the year began.
    assert all(u.date_joined < END - dt.timedelta(days=365) for u in User.objects.filter(username="petugas"))
    assert Cadre.objects.filter(created_at__gt=END - dt.timedelta(days=365)).count() == 0


def test_services_are_given_in_every_month_of_the_year():
    months = Period.last_months(12, today=END.date()).months
    assert len(months) == 12
    for month in months:
        given = Service.objects.filter(date__gte=month, date__lt=add_months(month, 1)).count()
        assert given > 0, month


def test_cases_are_served_several_times_and_some_are_referred():
    served = Counter(Service.objects.values_list("case_id", flat=True))
    assert statistics.mean(served.values()) > 2
    assert Referral.objects.filter(status="selesai").exists()
    assert Referral.objects.filter(status__in=["dikirim", "diterima"]).exists()
    assert Case.objects.filter(status=Status.DIRUJUK, referrals__isnull=False).exists()


def test_a_few_cases_are_stalled_and_some_reports_wait_for_triage():
    stalled = Case.objects.filter(
        status__in=OPEN_STATUSES, last_activity_at__lt=END - dt.timedelta(days=14)
    ).exclude(status=Status.DILAPORKAN)
    assert 1 <= stalled.count() <= 10
    assert Escalation.objects.filter(rule=Escalation.Rule.STALLED, case__in=stalled).exists()
    untriaged = Case.objects.filter(status=Status.DILAPORKAN)
    assert untriaged.count() >= 3
    late = untriaged.filter(reported_at__lt=END - dt.timedelta(hours=48))
    assert late.exists()
    assert all(c.escalations.filter(rule=Escalation.Rule.UNTRIAGED).exists() for c in late)


def test_kpad_answered_most_escalations_after_they_were_opened_and_left_some_overdue():
    escalations = Escalation.objects.all()
    assert escalations.count() > 20
    assert set(escalations.values_list("rule", flat=True)) >= {"immediate", "untriaged", "stalled"}
    for e in escalations.exclude(acknowledged_at=None):
        assert e.opened_at < e.acknowledged_at <= END
        assert e.resolved_at is None or e.acknowledged_at <= e.resolved_at
    assert escalations.filter(state=Escalation.State.RESOLVED).count() > escalations.count() / 2
    overdue = escalations.filter(state=Escalation.State.OPEN, opened_at__lt=END - dt.timedelta(days=3))
    assert overdue.count() >= 2
    kinds = set(KpadMessage.objects.values_list("kind", flat=True))
    assert kinds == {KpadMessage.Kind.REQUEST, KpadMessage.Kind.RECOMMENDATION}
    answered = KpadMessage.objects.exclude(answered_at=None)
    assert answered.exists()
    assert all(m.created_at < m.answered_at for m in answered)
    assert not KpadMessage.objects.filter(created_at__lt=F("escalation__opened_at")).exists()


def test_people_read_their_inbox_except_for_the_last_days():
    notes = Notification.objects.all()
    assert notes.count() > 100
    unread = notes.filter(read_at=None)
    assert unread.exists()
    assert not unread.filter(created_at__lt=END - dt.timedelta(days=12)).exists()


# --- Places, people ---------------------------------------------------------------------------------


def test_addresses_are_on_pontianak_streets_of_the_right_kecamatan():
    rows = list(Case.objects.exclude(address="").values_list("address", "kelurahan__kecamatan__code"))
    rows += list(Cadre.objects.exclude(address="").values_list("address", "kelurahan__kecamatan__code"))
    assert len(rows) > 150
    for address, kecamatan in rows:
        assert address.startswith(STREETS_BY_KECAMATAN[kecamatan]), (address, kecamatan)


def test_the_roster_lives_through_the_year():
    outreach = CadreActivity.objects.filter(
        kind=CadreActivity.Kind.OUTREACH, at__gte=END - dt.timedelta(days=365)
    )
    assert {timezone.localtime(a.at).month for a in outreach} == set(range(1, 13))
    assert Cadre.objects.filter(status="aktif", inactive_since__isnull=True).count() > 20
    assert Cadre.objects.filter(inactive_since__isnull=False).exists()  # fell silent: flagged
    assert AuditEvent.objects.filter(action="cadre.unflag_inactive").exists()  # and some came back
    assert not Cadre.objects.filter(
        kelurahan__code__in=GAP_CODES, status="aktif", inactive_since__isnull=True
    ).exists()
    kader = Cadre.objects.get(user__username="kader")
    assert kader.activities.filter(kind=CadreActivity.Kind.CASE_REPORT).exists()
    assert kader.last_activity_at > END - dt.timedelta(days=20)


def test_it_makes_plausible_synthetic_children():
    for case in Case.objects.prefetch_related("children__person", "children__guardian"):
        for kid in case.children.all():
            person = kid.person
            assert person.name and person.merged_into_id is None
            if person.nik:
                assert len(person.nik) == 16 and person.nik.isdigit() and person.nik.startswith("6171")
            assert 0 <= kid.age_on(case.incident_date) <= 17
            assert kid.guardian is None or kid.guardian.name


def test_a_child_reported_again_is_one_record_with_both_cases():
    again = [p for p in Person.objects.exclude(nik="") if p.child_rows.values("case").distinct().count() > 1]
    assert again  # the repeat rule then sees the same child
    assert (
        Person.objects.exclude(nik="").values("nik").distinct().count()
        == Person.objects.exclude(nik="").filter(merged_into__isnull=True).count()
    )


# --- What the pages show -------------------------------------------------------------------------


def test_the_dashboard_shows_a_believable_year(client_for):
    response = client_for(user("petugas")).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert all(row.count > 0 for row in figures.months)
    assert 2 <= figures.median_triage_hours <= 48
    assert 14 <= figures.median_closure_days <= 150
    assert figures.escalations_pending > figures.escalations_overdue >= 2
    assert figures.cadres_active > 20
    assert 0 < figures.kelurahan_uncovered < 10


@pytest.mark.parametrize("months_back", range(12))
def test_the_monthly_recap_counts_services_in_every_month(client_for, months_back):
    month = add_months(END.date().replace(day=1), -months_back)
    response = client_for(user("petugas")).get(
        reverse("reports:recap"), {"period": "month", "month": month.month, "year": month.year}
    )
    assert response.status_code == 200
    services = response.context["recap"].table("services")
    assert services.totals.values[0] > 0


def test_kpad_sees_overdue_reviews_first_in_the_queue(client_for):
    response = client_for(user("kpad")).get(reverse("cases:kpad_queue"))
    assert response.status_code == 200
    rows = response.context["rows"]
    overdue = [r.overdue for r in rows]
    assert overdue.count(True) >= 2
    assert overdue == sorted(overdue, reverse=True)  # overdue ones first
    assert response.content.decode().count('data-testid="overdue"') == overdue.count(True)


def test_the_demo_year_shows_case_work():
    """Assessed cases with approved plans, overdue tasks, a conference, referrals answered and
    one still waiting, closures approved by the supervisor: what `make run` shows of it."""
    assert Assessment.objects.values("case").distinct().count() > 20
    assert ServicePlan.objects.count() > 20
    assert Approval.objects.filter(kind="rencana", state="disetujui", decided_by__username="kasubid").exists()
    closed = Case.objects.filter(status=Status.SELESAI)
    assert all(Approval.objects.filter(case=c, kind="penutupan", state="disetujui").exists() for c in closed)
    open_tasks = CaseTask.objects.filter(state__in=CaseTask.OPEN_STATES, case__status__in=OPEN_STATUSES)
    assert open_tasks.filter(due_on__lt=END.date()).exists()  # overdue tasks today
    assert (
        open_tasks.filter(owner_user__username="kader").exists()
        or CaseTask.objects.filter(owner_user__username="kader", state="selesai").exists()
    )
    assert CaseConference.objects.exists()
    assert Referral.objects.filter(answered_on__isnull=False).exists()
    assert Referral.objects.filter(status="dikirim").exists()
    assert CaseTask.objects.filter(source="rujukan").exists()  # a reminder for a silent institution
