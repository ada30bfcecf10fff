"""The outbox (accounts/outbox.py): a job per piece of work that follows a commit, leased,
run, marked done; retried with a backoff; never run by two runners at once."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification, OutboxJob
from accounts.services import notify

pytestmark = pytest.mark.django_db
EMAIL_TASK = "accounts.tasks.send_notification_emails_task"


def test_a_job_is_written_with_the_notification_and_nothing_is_sent_before_the_commit(
    bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [note] = notify(users=[bob], kind="test", params={"text": "Pesan"})
        [job] = OutboxJob.objects.all()
        assert (job.task, job.args) == (EMAIL_TASK, [[note.pk]])
        assert not mail.outbox
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.done_at is not None and job.attempts == 1 and len(mail.outbox) == 1


def test_a_rolled_back_write_leaves_no_job(bob, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users=[bob], kind="test", params={"text": "Pesan"})
            raise RuntimeError
    assert not OutboxJob.objects.exists() and not mail.outbox


def test_a_leased_job_is_not_run_by_a_second_runner_until_the_lease_expires(bob):
    [note] = notify(users=[bob], kind="test", params={"text": "Pesan"})
    job = OutboxJob.objects.get()
    now = timezone.now()
    OutboxJob.objects.filter(pk=job.pk).update(lease_until=now + dt.timedelta(minutes=1))
    assert outbox.outbox_run(job_id=job.pk, now=now) is False
    assert not outbox.outbox_due(now=now).exists()
    assert outbox.outbox_run(job_id=job.pk, now=now + dt.timedelta(minutes=2)) is True
    assert outbox.outbox_run(job_id=job.pk, now=now + dt.timedelta(minutes=3)) is False  # done
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_failing_job_backs_off_and_is_left_failed_after_the_last_try(caplog):
    job = OutboxJob.objects.create(task="accounts.tasks.no_such_task", args=[1])
    now = timezone.now()
    waits = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        with caplog.at_level(logging.WARNING, logger="accounts.outbox"):
            assert outbox.outbox_run(job_id=job.pk, now=now) is False
        job.refresh_from_db()
        assert job.attempts == attempt and job.lease_until is None and job.last_error == "NotRegistered"
        waits.append(job.run_after - now)
        now = job.run_after + dt.timedelta(seconds=1)
    assert job.failed_at is not None
    assert dt.timedelta(seconds=30) <= waits[0] < dt.timedelta(seconds=40)
    assert waits == sorted(waits) and dt.timedelta(hours=1) <= waits[-1] < dt.timedelta(hours=1, seconds=10)
    assert outbox.outbox_run(job_id=job.pk, now=now + dt.timedelta(days=1)) is False
    assert any("giving up" in r.getMessage() for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]


def test_done_jobs_are_forgotten_after_a_week_and_failed_ones_kept(bob):
    now = timezone.now()
    old = OutboxJob.objects.create(task=EMAIL_TASK, done_at=now - dt.timedelta(days=8))
    recent = OutboxJob.objects.create(task=EMAIL_TASK, done_at=now - dt.timedelta(days=6))
    failed = OutboxJob.objects.create(task=EMAIL_TASK, failed_at=now - dt.timedelta(days=30))
    assert outbox.outbox_forget_done(now=now) == 1
    assert set(OutboxJob.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
    assert not OutboxJob.objects.filter(pk=old.pk).exists()


def test_an_email_job_sends_only_what_was_not_sent_yet(bob, dave):
    notes = notify(users=[bob, dave], kind="test", params={"text": "Pesan"})
    Notification.objects.filter(pk=notes[0].pk).update(emailed_at=timezone.now())  # sent before a crash
    job = OutboxJob.objects.get()
    assert outbox.outbox_run(job_id=job.pk) is True
    assert [m.to for m in mail.outbox] == [[dave.email]]


def test_the_command_shows_what_waits_and_retries_the_failed_jobs():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("outbox", stdout=out)
    assert "nothing waits" in out.getvalue()
    OutboxJob.objects.create(task=EMAIL_TASK, args=[[]])
    failed = OutboxJob.objects.create(task=EMAIL_TASK, args=[[]], attempts=60, failed_at=timezone.now())
    out = StringIO()
    call_command("outbox", stdout=out)
    assert f"{EMAIL_TASK}: 1 waiting, 1 failed, oldest waiting" in out.getvalue()
    out = StringIO()
    call_command("outbox", "--retry-failed", "--drain", stdout=out)
    assert "failed jobs to try again: 1" in out.getvalue() and "jobs sent: 2" in out.getvalue()
    failed.refresh_from_db()
    assert failed.failed_at is None and failed.done_at is not None and failed.attempts == 1
    assert "nothing waits" in out.getvalue()
