"""Faults, injected one at a time, on PostgreSQL: the broker refused and hung, the mail server
down then up, a worker killed with kill -9 mid-task, two sweeps at once, a hung database.

Each asserts that the request answered within a bound, that nothing was lost or doubled, and
that the deferred work was done exactly once after recovery. The servers (Redis, SMTP, the silent
sockets) are the tests' own, on free ports; the workers are real ``celery worker`` processes.
Skipped without PostgreSQL or redis-server, unless REQUIRE_CELERY=1 (CI), where they fail.
See README "What SIGAP guarantees under faults".
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification, OutboxJob
from accounts.services import notify
from cases import escalation
from cases.models import Case
from config.celery_app import app as celery_app
from reports.exports import jobs as export_jobs
from reports.models import ExportJob
from tests import factories as f
from tests.cases.test_intake import REPORT, report_data
from tests.faultkit import ROOT, RedisServer, SilentServer, SmtpSink, Worker, free_port, required, wait_until
from tests.test_celery_escalation_worker import test_database_url
from tests.test_celery_worker import celery_app_on

pytestmark = pytest.mark.faults

DRAIN = "accounts.tasks.drain_outbox_task"
INTAKE_TASK = "cases.tasks.escalate_case_on_intake_task"
EMAIL_TASK = "accounts.tasks.send_notification_emails_task"
# What "at once" means for a request here (the test client on a shared, loaded machine): well
# under REDIS_TIMEOUT, the least a request that waited on a hung broker would take. The hung
# broker test also proves it without a clock: the answer came while the nudge still hung.
ANSWER_BOUND = 4.0


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        required("the fault tests need PostgreSQL (the workers are other processes)")


@pytest.fixture
def stop_after(request):
    """Register what to stop when the test ends, pass or fail (last started, first stopped)."""
    stack = []
    request.addfinalizer(lambda: [stop() for stop in reversed(stack)])
    return stack.append


def drain_until_idle(rounds: int = 10) -> list[int]:
    """The drain run in-process (eager tasks), as often as it finds work."""
    sent = []
    for _ in range(rounds):
        sent.append(outbox.outbox_drain())
        if not sent[-1]:
            return sent
    raise AssertionError(f"the outbox never ran dry: {sent}")


def beat_until(worker: Worker, condition, *, timeout: float = 60, what: str = "the work done") -> None:
    """Send the drain to the worker every second, as beat does every SIGAP_OUTBOX_DRAIN_SECONDS."""

    def sent_and_done():
        if condition():
            return True
        celery_app.send_task(DRAIN, queue=worker.queue)
        return False

    wait_until(sent_and_done, timeout=timeout, interval=1, what=what)


def one_more_drain(worker: Worker) -> None:
    """Beat's next drain, to the end: it must find nothing to do."""
    result = celery_app.send_task(DRAIN, queue=worker.queue)
    wait_until(lambda: f"{DRAIN}[{result.id}] succeeded" in worker.output(), timeout=30, what="a drain")


def pending_jobs():
    return OutboxJob.objects.filter(done_at__isnull=True)


def report_urgent_case(client) -> tuple[float, object]:
    """A kader reports a case of sexual violence (escalated at once): the answer and its time."""
    kader = f.KaderFactory(username="charlie", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    client.force_login(kader)
    client.get(REPORT)  # the form once, as the kader would, so templates are loaded
    started = time.monotonic()
    response = client.post(REPORT, report_data(kader.kelurahan_id, violence_types=["seksual"]))
    return time.monotonic() - started, response


def emailed_once(sink: SmtpSink) -> None:
    """Every notification with an address was emailed, each exactly once."""
    wanted = list(Notification.objects.exclude(user__email="").values_list("user__email", flat=True))
    assert wanted, "the scenario sends no email"
    got = [m.recipients[0].strip("<>") for m in sink.accepted]
    assert sorted(got) == sorted(wanted), (got, wanted)
    assert not Notification.objects.exclude(user__email="").filter(emailed_at__isnull=True).exists()


# --- The broker --------------------------------------------------------------------------------


@pytest.mark.celery_worker
def test_a_refused_broker_costs_the_intake_nothing_and_a_worker_does_the_work_once_when_it_is_back(
    on_postgres, client, tmp_path, stop_after
):
    dave = f.KpadFactory(username="dave")
    port = free_port()  # nothing listens there yet: the broker refuses
    broker = f"redis://127.0.0.1:{port}/0"
    sink = SmtpSink().start()
    stop_after(sink.stop)
    with celery_app_on(broker):
        took, response = report_urgent_case(client)
        assert outbox.wait_for_nudges(timeout=30)
    assert response.status_code == 302, response.status_code
    assert took < ANSWER_BOUND, f"the intake took {took:.2f} s with the broker refused"
    print(f"measured: intake with the broker refused answered in {took:.2f} s")
    case = Case.objects.get()
    assert not case.escalations.exists()
    [job] = pending_jobs()
    assert (job.task, job.args, job.attempts) == (INTAKE_TASK, [case.pk], 0)

    # The broker comes back; a worker starts; beat sends the drain (here: the test does).
    redis = RedisServer(port, tmp_path / "redis").start()
    stop_after(redis.stop)
    worker = Worker(
        broker=broker,
        database_url=test_database_url(),
        queue="faults-refused",
        log=tmp_path / "worker.log",
        email_url=f"smtp://127.0.0.1:{sink.port}",
    )
    stop_after(worker.stop)
    with celery_app_on(broker):
        beat_until(worker, lambda: not pending_jobs().exists() and sink.accepted)
        one_more_drain(worker)
    assert case.escalations.filter(rule="immediate").count() == 1
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 1
    emailed_once(sink)
    assert OutboxJob.objects.filter(task=INTAKE_TASK).get().attempts == 1
    assert "Siti" not in worker.output(), "a child's name reached the worker's log"


def test_a_hung_broker_costs_the_intake_and_a_manual_escalation_nothing_and_loses_nothing(
    on_postgres, client, stop_after
):
    dave = f.KpadFactory(username="dave")
    bob = f.PetugasFactory(username="bob")
    hung = SilentServer()  # accepts, never answers: what a hung Redis looks like
    stop_after(hung.stop)
    with celery_app_on(f"redis://127.0.0.1:{hung.port}/0"):
        took, response = report_urgent_case(client)
        assert response.status_code == 302
        assert outbox._nudging.locked(), "the intake answered only after the nudge gave up"
        assert took < ANSWER_BOUND, f"the intake took {took:.2f} s with the broker hung"
        case = Case.objects.get()
        client.force_login(bob)
        started = time.monotonic()
        response = client.post(f"/kasus/{case.number}/eskalasi/", {"escalate-reason": "Perlu telaah KPAD."})
        took_manual = time.monotonic() - started
        assert response.status_code == 302
        assert took_manual < ANSWER_BOUND, f"the manual escalation took {took_manual:.2f} s"
        # The nudge, in its own thread, gives up within the broker's timeouts too.
        started = time.monotonic()
        assert outbox.wait_for_nudges(timeout=60)
        nudge = time.monotonic() - started
        assert nudge < 4 * settings.REDIS_TIMEOUT + 5
        print(
            f"measured: broker hung: intake {took:.2f} s, manual escalation {took_manual:.2f} s, "
            f"the nudge thread gave up {nudge:.1f} s later (REDIS_TIMEOUT={settings.REDIS_TIMEOUT})"
        )
    assert hung.accepted, "the nudge never reached the hung broker"
    assert case.escalations.filter(rule="manual").count() == 1
    assert pending_jobs().filter(task=INTAKE_TASK).count() == 1
    assert pending_jobs().filter(task=EMAIL_TASK).count() == 1  # the manual escalation's email

    # The broker answers again (here: eager, in-process): everything runs, once.
    drain_until_idle()
    assert sorted(case.escalations.values_list("rule", flat=True)) == ["immediate", "manual"]
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [dave.email, dave.email]
    assert drain_until_idle() == [0]
    assert len(mail.outbox) == 2


# --- The mail server -------------------------------------------------------------------------------


def test_an_email_is_marked_sent_only_once_the_mail_server_accepted_it(
    on_postgres, settings, stop_after, django_capture_on_commit_callbacks
):
    port = free_port()  # the mail server is down: connections refused
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    dave = f.KpadFactory(username="dave")
    bob = f.PetugasFactory(username="bob")
    started = time.monotonic()
    with transaction.atomic():
        notify(
            users=[dave, bob], kind="test", params={"text": "Kasus SGP-2026-00001 menunggu"}, url="/kasus/"
        )
    assert time.monotonic() - started < ANSWER_BOUND
    [job] = OutboxJob.objects.all()
    assert job.done_at is None and job.attempts == 1 and job.last_error == "ConnectionRefusedError"
    assert job.run_after > timezone.now()  # the next try waits for the backoff
    assert not Notification.objects.filter(emailed_at__isnull=False).exists(), "marked sent, never sent"
    assert drain_until_idle() == [0], "tried again before the backoff"

    sink = SmtpSink(port=port).start()  # the mail server is back
    stop_after(sink.stop)
    with time_machine.travel(job.run_after + dt.timedelta(seconds=1)):
        drain_until_idle()
        assert drain_until_idle() == [0]
    emailed_once(sink)
    job.refresh_from_db()
    assert job.done_at is not None and job.attempts == 2


def test_a_hung_mail_server_costs_the_worker_email_timeout_and_the_email_is_tried_again(
    on_postgres, settings, stop_after
):
    hung = SilentServer()
    stop_after(hung.stop)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hung.port, 1
    dave = f.KpadFactory(username="dave")
    started = time.monotonic()
    with transaction.atomic():
        notify(users=[dave], kind="test", params={"text": "Pesan"})
    took = time.monotonic() - started
    assert took < 1 + ANSWER_BOUND
    print(f"measured: mail server hung (EMAIL_TIMEOUT=1): the eager send gave up after {took:.2f} s")
    [job] = OutboxJob.objects.all()
    assert job.done_at is None and job.last_error in ("TimeoutError", "SMTPServerDisconnected")
    assert Notification.objects.get().emailed_at is None


# --- A worker killed mid-task ----------------------------------------------------------------------


@pytest.mark.celery_worker
def test_a_worker_killed_mid_email_leaves_it_unsent_and_the_next_worker_sends_it_once(
    on_postgres, tmp_path, stop_after
):
    redis = RedisServer(free_port(), tmp_path / "redis").start()
    stop_after(redis.stop)
    sink = SmtpSink(greeting_delay=60).start()  # a slow server: the worker waits in the middle
    stop_after(sink.stop)
    dave = f.KpadFactory(username="dave")
    with celery_app_on(redis.url):
        [note] = notify(users=[dave], kind="test", params={"text": "Pesan"})
        assert outbox.wait_for_nudges(timeout=30)
    [job] = OutboxJob.objects.all()
    options = {"broker": redis.url, "database_url": test_database_url(), "queue": "faults-kill"}
    first = Worker(**options, log=tmp_path / "first.log", email_url=f"smtp://127.0.0.1:{sink.port}")
    stop_after(first.stop)
    with celery_app_on(redis.url):
        beat_until(first, lambda: sink.connections, what="the worker connecting to the mail server")
    first.kill()  # kill -9, mid-send
    job.refresh_from_db()
    note.refresh_from_db()
    assert job.done_at is None and job.attempts == 1 and job.lease_until > timezone.now()
    assert note.emailed_at is None and not sink.accepted

    # The lease runs out (the email task's time limit and a margin; here: the test moves it on),
    # the server is quick again, another worker takes the next drain.
    OutboxJob.objects.filter(pk=job.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1),
        dispatched_at=timezone.now() - outbox.REDISPATCH_AFTER,
    )
    sink.greeting_delay = 0
    second = Worker(**options, log=tmp_path / "second.log", email_url=f"smtp://127.0.0.1:{sink.port}")
    stop_after(second.stop)
    with celery_app_on(redis.url):
        beat_until(second, lambda: sink.accepted and not pending_jobs().exists())
        one_more_drain(second)
    emailed_once(sink)
    job.refresh_from_db()
    assert job.attempts == 2


def test_an_export_whose_builder_died_is_built_again_once_its_lease_expired(on_postgres, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bob = f.PetugasFactory(username="bob")
    job = ExportJob.objects.create(
        requested_by=bob, kind="cadres", format="csv", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    # A builder took it and was killed: "running", with a lease.
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(state="running", lease_until=now + export_jobs.LEASE)
    with pytest.raises(export_jobs.ExportJobBusy):
        export_jobs.export_job_run(job_id=job.pk, now=now + dt.timedelta(minutes=1))
    built = export_jobs.export_job_run(job_id=job.pk, now=now + export_jobs.LEASE + dt.timedelta(seconds=1))
    assert built is not None and built.state == "done" and built.lease_until is None
    assert export_jobs.export_job_file(built).exists()
    assert export_jobs.export_job_run(job_id=job.pk) is None  # done: left alone


def test_the_outbox_holds_a_job_for_its_task_s_time_limit_and_the_broker_redelivers_within_minutes():
    from accounts.outbox import lease_for

    celery_app.loader.import_default_modules()
    assert lease_for(EMAIL_TASK) == dt.timedelta(seconds=120 + 30)
    assert lease_for("reports.tasks.build_export_task") > export_jobs.LEASE
    assert settings.CELERY_TASK_ACKS_LATE is True
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = max(t.time_limit or 0 for n, t in celery_app.tasks.items() if not n.startswith("celery."))
    assert longest < visibility <= 20 * 60, "Redis gives a dead worker's task back within minutes"


# --- Two sweeps, and a manual escalation beside one ------------------------------------------------


def test_a_sweep_frees_the_lock_between_batches_so_a_manual_escalation_waits_one_batch(
    on_postgres, monkeypatch
):
    bob = f.PetugasFactory(username="bob")
    f.KpadFactory(username="dave")
    t0 = timezone.now() - dt.timedelta(days=3)
    for _ in range(5):
        f.make_case(actor=bob, now=t0)  # still "dilaporkan" after 48 hours: untriaged
    probes = []

    def lock_free() -> bool:
        """From another connection, as a manual escalation would: may it take the lock now?"""
        result = []

        def probe():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [escalation.LOCK_KEY])
                    result.append(cursor.fetchone()[0])
            finally:
                connections.close_all()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(timeout=30)
        return result[0]

    batch = escalation._sweep_batch
    announce = escalation._announce

    def announce_and_probe(created, **kwargs):
        probes.append(("inside a batch", lock_free()))
        announce(created, **kwargs)

    def batch_and_probe(*args, **kwargs):
        done = batch(*args, **kwargs)
        probes.append(("between batches", lock_free()))
        return done

    monkeypatch.setattr(escalation, "_announce", announce_and_probe)
    monkeypatch.setattr(escalation, "_sweep_batch", batch_and_probe)
    counts = escalation.escalation_sweep(batch=2)
    assert counts["untriaged"] == 5
    assert ("inside a batch", False) in probes, "the probe cannot see the lock"
    assert {free for where, free in probes if where == "between batches"} == {True}


# --- The database ------------------------------------------------------------------------------------


def test_a_hung_database_costs_a_request_the_connect_timeout_not_the_worker(stop_after):
    hung = SilentServer()
    stop_after(hung.stop)
    code = (
        "import time, django; django.setup()\n"
        "from django.test import Client\n"
        "from django.urls import reverse\n"
        "client = Client(raise_request_exception=False)\n"
        "login = (reverse('accounts:login'), {'username': 'bob', 'password': 'x'})\n"
        "for path, data in (('/healthz', None), login):\n"
        "    started = time.monotonic()\n"
        "    response = client.get(path) if data is None else client.post(path, data)\n"
        "    print(path, response.status_code, round(time.monotonic() - started, 2))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://sigap:x@127.0.0.1:{hung.port}/sigap",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answers = {
        path: (int(status), float(took))
        for path, status, took in map(str.split, result.stdout.split("\n")[:2])
    }
    assert answers["/healthz"][0] == 503
    [login] = [path for path in answers if path != "/healthz"]
    assert answers[login][0] == 500
    for path, (_status, took) in answers.items():
        assert took < 2 + 4, f"{path} waited {took} s on a hung database"
    print(f"measured: database hung (DATABASE_CONNECT_TIMEOUT=2): {answers}")
