"""The outbox: work that must follow a commit, kept in the database until it is done.

A web request never talks to the broker or the mail server. A service that needs work done
after its commit (an email, the immediate escalation of a new report, a large export) calls
``outbox_add`` inside its transaction: the job row commits with the service's own rows or not at
all. Then:

* ``outbox_drain`` (beat, every SIGAP_OUTBOX_DRAIN_SECONDS, and nudged after each commit that
  added a job) sends each due job to a worker as ``run_outbox_job_task(job_id)``;
* ``outbox_run`` (in the worker) claims the job with a lease (an UPDATE that succeeds only when
  nobody holds an unexpired lease), runs the named Celery task in-process, and marks the job
  done; a failure frees the lease and sets the next try after a backoff.

So a broker that is down or hung delays the work, never the request, and loses nothing; a
worker killed mid-job leaves the lease to expire and the job is run again; two workers never
run one job at the same time. A task must therefore be safe to run again after a crash in the
middle (emails mark each message sent as soon as the server accepted it).

The nudge after a commit is a best effort: in a worker or web process it is sent from a short
background thread with the broker's own timeouts (REDIS_TIMEOUT), never from the request, and at
most one is under way per process; with no broker (``make run``, tests) the drain runs at once
in the process, as eager tasks do.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import OutboxJob

logger = logging.getLogger(__name__)

RUN_TASK = "accounts.tasks.run_outbox_job_task"
DRAIN_TASK = "accounts.tasks.drain_outbox_task"
# A job is tried this many times (backoff from 30 s doubling up to an hour, then hourly: about
# two days in all, a mail server down over a weekend's night), then left failed for an operator
# (the log says so; the row stays; `manage.py outbox --retry-failed` tries again).
MAX_ATTEMPTS = 60
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
# A job sent to the broker and neither started nor finished after this long (the message was
# lost with a restarted Redis, or is stuck behind a dead worker) is sent again.
REDISPATCH_AFTER = dt.timedelta(minutes=5)
# Jobs the drain sends in one run (the next run sends the rest).
DRAIN_BATCH = 500
# Done jobs are kept this long (what ran, when, after how many tries), then deleted.
KEEP_DONE = dt.timedelta(days=7)

_nudging = threading.Lock()


def outbox_add(*, task: str, args: list | None = None) -> OutboxJob:
    """Record a job to run after the current transaction commits (ids only in ``args``)."""
    job = OutboxJob.objects.create(task=task, args=list(args or []))
    _nudge_after_commit()
    return job


def _pending() -> Q:
    return Q(done_at__isnull=True, failed_at__isnull=True)


def _unleased(now: dt.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


_tasks_loaded = False


def _task(name: str):
    global _tasks_loaded
    if name not in current_app.tasks and not _tasks_loaded:
        # A web process imports only the tasks modules its views use; load them all, once (the
        # worker does so when it starts).
        _tasks_loaded = True
        autodiscover_modules("tasks")
    return current_app.tasks[name]


def lease_for(task_name: str) -> dt.timedelta:
    """How long a runner holds a job: the task's hard time limit and a margin, so a lease that
    has expired means its runner is gone (Celery kills a task at its hard limit)."""
    try:
        task = _task(task_name)
    except KeyError:
        task = None
    limit = (task.time_limit if task is not None else None) or current_app.conf.task_time_limit or 600
    return dt.timedelta(seconds=limit + 30)


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 20), BACKOFF_MAX)


def outbox_due(*, now: dt.datetime | None = None):
    """Pending jobs that may be sent now: due, not held by a runner, not sent very recently."""
    now = now or timezone.now()
    return (
        OutboxJob.objects.filter(_pending(), run_after__lte=now)
        .filter(_unleased(now))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - REDISPATCH_AFTER))
    )


def outbox_drain(
    *, now: dt.datetime | None = None, limit: int = DRAIN_BATCH, queue: str | None = None
) -> int:
    """Send every due job to a worker (eagerly run in-process without a broker). Returns the
    number sent. Two drains at once send each job once: sending is claimed by an UPDATE."""
    now = now or timezone.now()
    sent = 0
    for job_id, task_name in (
        outbox_due(now=now).order_by("run_after", "pk").values_list("pk", "task")[:limit]
    ):
        if not outbox_due(now=now).filter(pk=job_id).update(dispatched_at=now):
            continue  # another drain sent it
        try:
            task = _task(task_name)
        except KeyError:
            task = None  # outbox_run records the error and retries
        limits = {"queue": queue} if queue else {}
        if task is not None and task.time_limit:
            limits.update(time_limit=task.time_limit, soft_time_limit=task.soft_time_limit)
        _task(RUN_TASK).apply_async((job_id,), expires=int(REDISPATCH_AFTER.total_seconds()), **limits)
        sent += 1
    return sent


def outbox_forget_done(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Delete jobs done more than KEEP_DONE ago, a bounded number per call (each drain calls
    it). Failed jobs stay for an operator."""
    now = now or timezone.now()
    old = OutboxJob.objects.filter(done_at__lt=now - KEEP_DONE).order_by("done_at").values("pk")[:limit]
    deleted, _ = OutboxJob.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
    return deleted


def outbox_retry_failed() -> int:
    """Give every failed job its tries again, from now (an operator fixed the cause)."""
    return OutboxJob.objects.filter(done_at__isnull=True, failed_at__isnull=False).update(
        failed_at=None, attempts=0, run_after=timezone.now(), dispatched_at=None, lease_until=None
    )


def outbox_summary(*, now: dt.datetime | None = None) -> list[dict]:
    """Per task: jobs waiting, failed, and the age of the oldest waiting one (for an operator)."""
    now = now or timezone.now()
    rows = {}
    for task, created_at, failed_at in OutboxJob.objects.filter(done_at__isnull=True).values_list(
        "task", "created_at", "failed_at"
    ):
        row = rows.setdefault(task, {"task": task, "waiting": 0, "failed": 0, "oldest": None})
        if failed_at is not None:
            row["failed"] += 1
        else:
            row["waiting"] += 1
            row["oldest"] = max(row["oldest"] or dt.timedelta(0), now - created_at)
    return sorted(rows.values(), key=lambda r: r["task"])


def outbox_run(*, job_id: int, now: dt.datetime | None = None) -> bool:
    """Claim one job, run its task here, mark it done. False when it was not this runner's to
    run (done, failed, not due, or held by another runner's unexpired lease) or it failed."""
    now = now or timezone.now()
    job = OutboxJob.objects.filter(pk=job_id).only("task").first()
    if job is None:
        return False
    claimed = (
        OutboxJob.objects.filter(_pending(), pk=job_id, run_after__lte=now)
        .filter(_unleased(now))
        .update(lease_until=now + lease_for(job.task), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    job = OutboxJob.objects.get(pk=job_id)
    started = time.monotonic()
    try:
        _task(job.task)(*job.args)
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
        failed = job.attempts >= MAX_ATTEMPTS
        later = max(now, timezone.now())
        OutboxJob.objects.filter(pk=job_id).update(
            lease_until=None,
            dispatched_at=None,  # due again at run_after
            last_error=type(error).__name__[:100],
            run_after=later + backoff(job.attempts),
            failed_at=later if failed else None,
        )
        # The job's id, task and the kind of error only: the message may quote data.
        log = logger.error if failed else logger.warning
        log(
            "Outbox job %s (%s) failed on attempt %s (%s); %s.",
            job_id,
            job.task,
            job.attempts,
            type(error).__name__,
            "giving up" if failed else f"next try after {backoff(job.attempts).total_seconds():.0f} s",
        )
        return False
    OutboxJob.objects.filter(pk=job_id).update(done_at=timezone.now(), lease_until=None, last_error="")
    logger.info("Outbox job %s (%s) done in %.1f s.", job_id, job.task, time.monotonic() - started)
    return True


# --- The nudge after a commit -------------------------------------------------------------------


def _nudge_after_commit() -> None:
    """One nudge per transaction, however many jobs it adds (a sweep adds hundreds): a nudge
    already registered runs at the same commit as this one would, unless a savepoint rollback
    removes it, and that rollback would remove this one too. (Without a broker every job is
    nudged: test harnesses run only the callbacks registered inside their capture.)"""
    if not current_app.conf.task_always_eager and any(
        callback is _nudge for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_nudge, robust=True)


def _nudge() -> None:
    if current_app.conf.task_always_eager:
        # No broker (make run, tests): the work runs now, in this process, as eager tasks do.
        try:
            outbox_drain()
        except Exception:
            # The jobs stay in the outbox; the next drain runs them. Only the traceback's kinds.
            logger.exception("The outbox could not be drained after the commit; it will be retried.")
        return
    if not _nudging.acquire(blocking=False):
        return  # a nudge is already under way in this process (a hung broker holds it)
    try:
        threading.Thread(target=_send_nudge, name="sigap-outbox-nudge", daemon=True).start()
    except RuntimeError:
        _nudging.release()


def _send_nudge() -> None:
    try:
        current_app.send_task(DRAIN_TASK, retry=False, ignore_result=True, expires=60)
    except Exception as error:  # noqa: BLE001 - the periodic drain sends the jobs later
        logger.warning(
            "Could not nudge the outbox drain (%s); beat's drain sends the jobs within %s s.",
            type(error).__name__,
            settings.SIGAP_OUTBOX_DRAIN_SECONDS,
        )
    finally:
        _nudging.release()


def wait_for_nudges(timeout: float = 30) -> bool:
    """For tests and shutdown: wait until no nudge is under way in this process."""
    if _nudging.acquire(timeout=timeout):
        _nudging.release()
        return True
    return False
