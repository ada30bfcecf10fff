"""The background job for an export too large to build while a request waits.

The job's id is the task's only argument; the built file lives under MEDIA_ROOT/exports
(private: served only to the job's owner through a view) and is refused once expired.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import ExportJob
from .build import FILE_STEMS, build_export

EXPORT_DIR = "exports"
JOB_LIFETIME = dt.timedelta(days=7)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build a queued job's file. Claims the job first, so two workers never build it twice."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, started_at=now
    ):
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        built = build_export(kind=job.kind, fmt=job.format, user=job.requested_by, params=job.params)
        relative = f"{EXPORT_DIR}/{uuid.uuid4().hex}.{job.format}"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(built.content)
    except Exception:
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.FAILED, finished_at=timezone.now())
        raise
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportJob.State.DONE, file_path=relative, row_count=built.rows, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def export_job_file(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_path


def export_job_filename(job: ExportJob) -> str:
    stamp = timezone.localtime(job.created_at).date().isoformat()
    return f"{FILE_STEMS[job.kind]}-{stamp}.{job.format}"
