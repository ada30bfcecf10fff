"""The background job for an export too large to build while a request waits.

The job's id is the task's only argument; the built file lives under MEDIA_ROOT/exports
(private: served only to the job's owner through a view) and is refused once expired.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import ExportJob
from .build import FILE_STEMS, build_export

EXPORT_DIR = "exports"
JOB_LIFETIME = dt.timedelta(days=7)


# How long a builder holds a running job: the task's hard time limit and a margin. Past it, the
# builder is surely dead (Celery kills a task at its hard limit, kill -9 kills it sooner) and the
# job is built again from the start by whoever runs it next.
# (Shorter than the outbox's lease on the job, the task's limit + 30 s: when the outbox runs the
# job again, this lease has expired too.)
BUILD_TIME_LIMIT = 10 * 60  # build_export_task's hard limit
LEASE = dt.timedelta(seconds=BUILD_TIME_LIMIT + 15)


class ExportJobBusy(Exception):
    """Another builder holds the job's unexpired lease: try again later."""


def export_job_run(*, job_id: int, now: dt.datetime | None = None) -> ExportJob | None:
    """Build a queued job's file, or rebuild one whose builder died (its lease expired). Claims
    the job first, so two workers never build it at the same time."""
    now = now or timezone.now()
    # (A job left running with no lease at all dates from before leases: its builder is gone too.)
    running = Q(state=ExportJob.State.RUNNING)
    claimable = (
        Q(state=ExportJob.State.QUEUED)
        | running & Q(lease_until__lt=now)
        | running & Q(lease_until__isnull=True)
    )
    if not ExportJob.objects.filter(claimable, pk=job_id).update(
        state=ExportJob.State.RUNNING, started_at=now, lease_until=now + LEASE
    ):
        if ExportJob.objects.filter(pk=job_id, state=ExportJob.State.RUNNING, lease_until__gte=now).exists():
            raise ExportJobBusy(job_id)  # the outbox tries again after its backoff
        return None  # built, failed or gone: nothing to do
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        built = build_export(kind=job.kind, fmt=job.format, user=job.requested_by, params=job.params)
        relative = f"{EXPORT_DIR}/{uuid.uuid4().hex}.{job.format}"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(built.content)
    except Exception:
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, finished_at=timezone.now(), lease_until=None
        )
        raise
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportJob.State.DONE,
        file_path=relative,
        row_count=built.rows,
        finished_at=timezone.now(),
        lease_until=None,
    )
    job.refresh_from_db()
    return job


def export_job_file(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_path


def export_job_filename(job: ExportJob) -> str:
    stamp = timezone.localtime(job.created_at).date().isoformat()
    return f"{FILE_STEMS[job.kind]}-{stamp}.{job.format}"
