"""The escalation rules of DESIGN.md, each with frozen time, and escalation by hand."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Notification
from cases import escalation, person_services, services
from cases.models import CaseEvent, Escalation, KpadMessage
from tests.factories import make_case

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
Rule = Escalation.Rule


def sweep(at):
    with time_machine.travel(at, tick=False):
        return escalation.escalation_sweep(now=timezone.now())


def rules_of(case):
    return sorted(case.escalations.values_list("rule", flat=True))


def child(name="Anak Uji", nik="", birth_date=dt.date(2014, 3, 2)):
    return services.ChildData(name=name, sex="P", nik=nik, birth_date=birth_date)


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False):
        yield


# --- immediate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"violence_types": ["seksual"]},
        {"violence_types": ["fisik", "trafficking"]},
        {"violence_types": ["eksploitasi"]},
        {"violence_types": ["psikis"], "online_prostitution": True, "online": True},
        {"violence_types": ["fisik"], "risk": "kritis"},
    ],
)
def test_it_escalates_at_once_sexual_trafficking_exploitation_prostitution_or_critical_risk(
    bob, dave, fields
):
    case = make_case(actor=bob, now=T0, **fields)
    counts = sweep(T0 + dt.timedelta(minutes=1))
    assert counts[Rule.IMMEDIATE] == 1
    assert rules_of(case) == [Rule.IMMEDIATE]
    case.refresh_from_db()
    assert case.escalated_at == T0 + dt.timedelta(minutes=1)


def test_it_does_not_escalate_an_ordinary_case_at_once(bob):
    case = make_case(actor=bob, now=T0, violence_types=["fisik", "psikis"], risk="tinggi")
    sweep(T0 + dt.timedelta(hours=1))
    assert rules_of(case) == []
    case.refresh_from_db()
    assert case.escalated_at is None


def test_it_escalates_at_once_after_the_intake_commits(
    bob, dave, settings, django_capture_on_commit_callbacks, at_t0
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = make_case(actor=bob, violence_types=["seksual"])
    assert not case.escalations.exists(), "nothing may happen before the commit"
    for callback in callbacks:
        callback()
    [found] = case.escalations.all()
    assert (found.rule, found.state, found.opened_by) == (Rule.IMMEDIATE, Escalation.State.OPEN, None)
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert event.actor.username == escalation.SYSTEM_USERNAME
    assert not event.actor.is_active and not event.actor.has_usable_password()
    [note] = Notification.objects.filter(user=dave)
    assert case.number in note.display_title and "Anak" not in note.display_title + note.display_body
    assert note.url == f"/kasus/{case.number}/"


def test_the_intake_task_does_nothing_for_an_ordinary_case(bob, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=bob, violence_types=["fisik"])
    assert not case.escalations.exists()


# --- untriaged ----------------------------------------------------------------------------------


def test_it_escalates_a_case_still_reported_after_48_hours(bob):
    case = make_case(actor=bob, now=T0)
    sweep(T0 + dt.timedelta(hours=47, minutes=59))
    assert rules_of(case) == []
    sweep(T0 + dt.timedelta(hours=48, minutes=1))
    assert rules_of(case) == [Rule.UNTRIAGED]


def test_it_does_not_escalate_a_verified_case_as_untriaged(bob):
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        case = make_case(actor=bob, now=T0)
        services.case_change_status(actor=bob, case=case, to="diverifikasi")
    sweep(T0 + dt.timedelta(hours=72))
    assert rules_of(case) == []


def test_the_untriaged_threshold_is_a_setting(bob, settings):
    settings.SIGAP_ESCALATION_UNTRIAGED_HOURS = 6
    case = make_case(actor=bob, now=T0)
    sweep(T0 + dt.timedelta(hours=7))
    assert rules_of(case) == [Rule.UNTRIAGED]


# --- stalled ------------------------------------------------------------------------------------


def verified_case(bob, at):
    with time_machine.travel(at, tick=False):
        case = make_case(actor=bob, now=at)
        services.case_change_status(actor=bob, case=case, to="diverifikasi")
    return case


def test_it_escalates_an_open_case_with_no_activity_for_14_days(bob):
    case = verified_case(bob, T0)
    sweep(T0 + dt.timedelta(days=13, hours=23))
    assert rules_of(case) == []
    sweep(T0 + dt.timedelta(days=14, minutes=1))
    assert rules_of(case) == [Rule.STALLED]


def test_activity_keeps_a_case_from_stalling(bob):
    case = verified_case(bob, T0)
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        services.case_add_note(actor=bob, case=case, note="Kunjungan dijadwalkan.")
    sweep(T0 + dt.timedelta(days=20))
    assert rules_of(case) == []


def test_it_does_not_escalate_a_closed_case(bob):
    case = verified_case(bob, T0)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        services.case_change_status(actor=bob, case=case, to="ditutup", closure_reason="tidak_terbukti")
    sweep(T0 + dt.timedelta(days=60))
    assert rules_of(case) == []


def test_a_stalled_case_is_escalated_again_only_after_new_activity(bob):
    case = verified_case(bob, T0)
    sweep(T0 + dt.timedelta(days=15))
    Escalation.objects.filter(case=case).update(state="resolved", resolved_at=T0 + dt.timedelta(days=16))
    sweep(T0 + dt.timedelta(days=40))
    assert rules_of(case) == [Rule.STALLED], "no new activity: no new escalation"
    with time_machine.travel(T0 + dt.timedelta(days=41), tick=False):
        services.case_add_note(actor=bob, case=case, note="Keluarga dihubungi.")
    sweep(T0 + dt.timedelta(days=54))
    assert rules_of(case) == [Rule.STALLED]
    sweep(T0 + dt.timedelta(days=56))
    assert rules_of(case) == [Rule.STALLED, Rule.STALLED]


# --- repeat -------------------------------------------------------------------------------------


def the_child_of(case):
    return case.children.select_related("person").get().person


def test_it_escalates_a_case_whose_child_is_the_same_person_as_in_an_earlier_case(bob):
    first = make_case(actor=bob, now=T0, children=[child(nik="6171010101140001")])
    later = make_case(
        actor=bob,
        now=T0 + dt.timedelta(days=200),
        children=[
            child(name="Anak Lain"),
            services.ChildData(name="Sama", sex="P", person=the_child_of(first)),
        ],
    )
    sweep(T0 + dt.timedelta(days=200, hours=1))
    assert rules_of(later) == [Rule.REPEAT]
    assert Rule.REPEAT not in rules_of(first)  # the earlier case is not the repeat


def test_it_does_not_guess_by_name_or_nik_until_the_records_are_merged(bob):
    first = make_case(actor=bob, now=T0, children=[child(name="Siti Aminah", nik="6171010101140003")])
    later = make_case(
        actor=bob,
        now=T0 + dt.timedelta(days=30),
        children=[child(name="SITI AMINAH", nik="6171010101140003")],
    )
    sweep(T0 + dt.timedelta(days=30, hours=1))
    assert rules_of(later) == []  # two records: a petugas decides whether they are one child

    person_services.person_merge(
        actor=bob, keep=the_child_of(first), other=the_child_of(later), reason="NIK yang sama"
    )
    sweep(T0 + dt.timedelta(days=30, hours=2))
    assert rules_of(later) == [Rule.REPEAT]
    assert Rule.REPEAT not in rules_of(first)


def test_it_does_not_escalate_a_repeat_older_than_12_months(bob):
    first = make_case(actor=bob, now=T0, children=[child(nik="6171010101140002")])
    later = make_case(
        actor=bob,
        now=T0 + dt.timedelta(days=370),
        children=[services.ChildData(name="Anak Uji", sex="P", person=the_child_of(first))],
    )
    sweep(T0 + dt.timedelta(days=370, hours=1))
    assert rules_of(later) == []


# --- by hand ------------------------------------------------------------------------------------


def test_a_petugas_escalates_by_hand_with_a_reason(bob, dave, at_t0):
    case = make_case(actor=bob)
    found, created = escalation.escalate_case(case.pk, Rule.MANUAL, "Perlu pendapat KPAD.", actor=bob)
    assert created and found.opened_by == bob and found.reason == "Perlu pendapat KPAD."
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert event.actor == bob and "Perlu pendapat KPAD." in event.note
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 1
    assert not Notification.objects.filter(user=bob).exists(), "the actor is not told of their own step"
    again, created = escalation.escalate_case(case.pk, Rule.MANUAL, "Sekali lagi.", actor=bob)
    assert again == found and not created
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATION).count() == 1


def test_escalation_by_hand_needs_a_reason(bob):
    case = make_case(actor=bob)
    with pytest.raises(escalation.EscalationError):
        escalation.escalate_case(case.pk, Rule.MANUAL, "  ", actor=bob)
    assert not case.escalations.exists()


def test_the_case_worker_is_told_too(bob, dave):
    case = make_case(actor=bob, now=T0)
    services.case_change_status(actor=bob, case=case, to="diverifikasi")
    other = escalation.system_user()
    assert other.username == escalation.SYSTEM_USERNAME
    escalation.escalate_case(case.pk, Rule.STALLED, "x")
    assert Notification.objects.filter(user=bob, kind="case.escalated").count() == 1
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 1


def test_answering_a_request_records_it_and_tells_its_author(bob, dave):
    case = make_case(actor=bob)
    found, _ = escalation.escalate_case(case.pk, Rule.MANUAL, "Alasan.", actor=bob)
    request = KpadMessage.objects.create(
        escalation=found, kind="request", text="Sudah visum?", author=dave, created_at=timezone.now()
    )
    escalation.kpad_request_answer(actor=bob, message=request, answer="Sudah, di RSUD.")
    request.refresh_from_db()
    assert (request.answer, request.answered_by) == ("Sudah, di RSUD.", bob)
    assert case.events.filter(kind=CaseEvent.Kind.KPAD, note__contains="Sudah, di RSUD.").exists()
    assert Notification.objects.filter(user=dave, kind="kpad.answered").count() == 1
    with pytest.raises(escalation.EscalationError):
        escalation.kpad_request_answer(actor=bob, message=request, answer="Lagi.")
