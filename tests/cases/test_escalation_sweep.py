"""The periodic sweep: set-based, idempotent under repeated and concurrent runs, and the
catch-up for cases whose on-commit escalation never reached the broker."""

import datetime as dt
import logging
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from accounts import outbox
from accounts.models import AuditEvent, Notification, OutboxJob
from cases import escalation
from cases.models import CaseEvent, Escalation
from cases.tasks import escalation_sweep_task
from tests.factories import make_case
from tests.test_celery_worker import celery_app_on

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
Rule = Escalation.Rule


def sweep(at):
    with time_machine.travel(at, tick=False):
        return escalation.escalation_sweep(now=timezone.now())


def test_it_escalates_each_case_once_however_often_it_runs(bob, dave):
    urgent = make_case(actor=bob, now=T0, violence_types=["seksual"])
    plain = make_case(actor=bob, now=T0)
    first = sweep(T0 + dt.timedelta(hours=49))
    assert first == {"immediate": 1, "untriaged": 2, "stalled": 0, "repeat": 0}
    for hours in (49, 50, 51):
        assert not any(sweep(T0 + dt.timedelta(hours=hours)).values())
    assert Escalation.objects.count() == 3
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATION).count() == 3
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 3
    assert AuditEvent.objects.filter(action="case.escalate").count() == 3
    assert sorted(urgent.escalations.values_list("rule", flat=True)) == ["immediate", "untriaged"]
    assert list(plain.escalations.values_list("rule", flat=True)) == ["untriaged"]


def test_it_uses_one_query_per_rule_for_its_candidates(bob, django_assert_max_num_queries):
    for _ in range(5):
        make_case(actor=bob, now=T0)
    escalation.system_user()
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        # the system user, the transaction (2), the lock on PostgreSQL and one candidate query
        # per rule (4); nothing found, nothing written
        with django_assert_max_num_queries(7 + (connection.vendor == "postgresql")):
            escalation.escalation_sweep(now=timezone.now())


def test_it_does_not_reopen_a_resolved_immediate_escalation(bob):
    case = make_case(actor=bob, now=T0, violence_types=["trafficking"])
    sweep(T0 + dt.timedelta(minutes=5))
    case.escalations.update(state="resolved", resolved_at=T0 + dt.timedelta(hours=1))
    sweep(T0 + dt.timedelta(hours=2))
    assert case.escalations.count() == 1


def test_an_existing_open_escalation_is_neither_duplicated_nor_announced_again(bob, dave):
    case = make_case(actor=bob, now=T0, violence_types=["seksual"])
    escalation.escalate_case(case.pk, Rule.IMMEDIATE, "", now=T0)
    assert Notification.objects.filter(user=dave).count() == 1
    sweep(T0 + dt.timedelta(minutes=15))
    assert case.escalations.count() == 1
    assert Notification.objects.filter(user=dave).count() == 1


def test_the_periodic_task_runs_the_sweep(bob, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    case = make_case(actor=bob, violence_types=["seksual"])
    result = escalation_sweep_task.delay().get()
    assert result["immediate"] == 1
    assert case.escalations.filter(rule="immediate").exists()


def test_the_tasks_acknowledge_late_and_have_time_limits():
    from cases.tasks import escalate_case_on_intake_task

    for task in (escalation_sweep_task, escalate_case_on_intake_task):
        assert task.acks_late
        assert task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit
    assert escalation_sweep_task.name == "cases.tasks.escalation_sweep_task"
    assert escalate_case_on_intake_task.name == "cases.tasks.escalate_case_on_intake_task"


def test_the_intake_succeeds_when_the_broker_is_down_and_the_work_waits_in_the_outbox(
    bob, dave, caplog, django_capture_on_commit_callbacks
):
    closed_port = "redis://127.0.0.1:1/0"
    with celery_app_on(closed_port), caplog.at_level(logging.WARNING, logger="accounts.outbox"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            case = make_case(actor=bob, violence_types=["seksual"], children=None)
        assert callbacks, "the outbox was to be nudged after the commit"
        assert outbox.wait_for_nudges(timeout=30)
    case.refresh_from_db()
    assert case.pk and case.escalated_at is None and not case.escalations.exists()
    [job] = OutboxJob.objects.filter(task="cases.tasks.escalate_case_on_intake_task")
    assert job.args == [case.pk] and job.done_at is None
    [record] = [r for r in caplog.records if r.name == "accounts.outbox"]
    assert "Anak" not in record.getMessage()
    # The broker is back (here: eager): the drain runs the escalation, then the email job it
    # added, then has nothing left.
    assert [outbox.outbox_drain() for _ in range(3)] == [1, 1, 0]
    assert case.escalations.filter(rule="immediate", state="open").count() == 1
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 1
    assert [m.to for m in mail.outbox] == [[dave.email]]
    job.refresh_from_db()
    assert job.done_at is not None and job.attempts == 1
    # And the sweep, which would have caught the case up too, finds nothing left to do.
    assert escalation.escalation_sweep(now=timezone.now())["immediate"] == 0


def test_a_sweep_commits_batch_by_batch_and_a_stopped_one_keeps_what_it_did(bob, dave, monkeypatch):
    cases = [make_case(actor=bob, now=T0, violence_types=["seksual"]) for _ in range(5)]
    announce = escalation._announce
    calls = []

    def stop_at_the_third_batch(created, **kwargs):
        calls.append(len(created))
        if len(calls) == 3:
            raise RuntimeError("the worker died")
        announce(created, **kwargs)

    monkeypatch.setattr(escalation, "_announce", stop_at_the_third_batch)
    with pytest.raises(RuntimeError):
        escalation.escalation_sweep(now=T0 + dt.timedelta(hours=1), batch=2)
    assert calls == [2, 2, 1]
    kept = Escalation.objects.filter(rule="immediate")
    assert kept.count() == 4, "the two committed batches stay, the third rolled back"
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 4
    monkeypatch.setattr(escalation, "_announce", announce)
    assert escalation.escalation_sweep(now=T0 + dt.timedelta(hours=1), batch=2)["immediate"] == 1
    assert all(c.escalations.filter(rule="immediate").count() == 1 for c in cases)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_case_once(bob, dave):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    cases = [make_case(actor=bob, now=T0, violence_types=["seksual"]) for _ in range(6)]
    now = T0 + dt.timedelta(hours=49)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            escalation.escalation_sweep(now=now, batch=2)
        except Exception as error:  # reported below, so the test fails with its cause
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    for case in cases:
        assert sorted(case.escalations.values_list("rule", flat=True)) == ["immediate", "untriaged"]
    assert Escalation.objects.count() == 12
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATION).count() == 12
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 12
    assert AuditEvent.objects.filter(action="case.escalate").count() == 12
    # One email job per batch that created escalations (batches of 2: at least 6, never one
    # per escalation only by accident of the race), each notification in exactly one job.
    jobs = OutboxJob.objects.filter(task="accounts.tasks.send_notification_emails_task")
    assert 6 <= jobs.count() <= 12
    emailed = [pk for job in jobs for pk in job.args[0]]
    assert len(emailed) == len(set(emailed)) == Notification.objects.filter(kind="case.escalated").count()


def test_the_command_runs_the_sweep_and_prints_what_it_did(bob, charlie):
    from io import StringIO

    from django.core.management import call_command

    from cases.models import Escalation
    from tests.factories import make_case

    case = make_case(actor=charlie, violence_types=["seksual"])
    Escalation.objects.filter(case=case).delete()
    out = StringIO()
    call_command("escalation_sweep", stdout=out)
    assert "immediate: 1" in out.getvalue()
    assert Escalation.objects.filter(case=case, rule="immediate").count() == 1
    call_command("escalation_sweep", stdout=StringIO())
    assert Escalation.objects.filter(case=case, rule="immediate").count() == 1


def test_many_escalations_reach_each_recipient_as_one_digest_per_batch(bob, dave):
    # Issue 12: a sweep that opened a thousand escalations queued a thousand email tasks and
    # mailed each commissioner a thousand times. Now: one job per batch, one email per user each.
    cases = [make_case(actor=bob, now=T0, violence_types=["seksual"]) for _ in range(7)]
    counts = escalation.escalation_sweep(now=T0 + dt.timedelta(minutes=5), batch=5)
    assert counts["immediate"] == 7
    jobs = OutboxJob.objects.filter(task="accounts.tasks.send_notification_emails_task")
    assert jobs.count() == 2
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 7
    while outbox.outbox_drain():
        pass
    to_dave = [m for m in mail.outbox if m.to == [dave.email]]
    assert len(to_dave) == 2
    assert "5 pesan baru" in to_dave[0].subject and "2 pesan baru" in to_dave[1].subject
    listed = to_dave[0].body + to_dave[1].body
    assert all(c.number in listed for c in cases)
    assert not Notification.objects.filter(user=dave, emailed_at__isnull=True).exists()
    # No child data in a digest either: cases by number only.
    assert "Anak" not in listed and "anak" not in to_dave[0].subject


def test_a_sweep_stops_starting_batches_when_its_time_is_up_and_the_next_run_goes_on(bob, caplog):
    cases = [make_case(actor=bob, now=T0, violence_types=["seksual"]) for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger="cases.escalation"):
        counts = escalation.escalation_sweep(now=T0 + dt.timedelta(minutes=5), batch=1, budget=0)
    assert not any(counts.values())
    assert "work left" in caplog.text
    assert escalation.escalation_sweep(now=T0 + dt.timedelta(minutes=20), batch=1)["immediate"] == 3
    assert all(c.escalations.filter(rule="immediate").count() == 1 for c in cases)
