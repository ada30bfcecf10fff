"""Starting an export: build a small one at once or queue a large one, and audit either way.

Every export writes one "report.export" audit row: kind, format, filters, row count,
identities yes/no and the reason given. ``params`` holds the filters only: never a child's
data, and never the reason (that is in the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.outbox import outbox_add
from accounts.services import AuditTarget, audit_record

from ..models import ExportJob
from ..selectors import export_kinds_for
from ..tasks import build_export_task
from .build import Built, build_export
from .jobs import JOB_LIFETIME
from .queries import export_queryset

Kind = ExportJob.Kind
# Exports built while the request waited have no job row: their audit rows name this target.
DIRECT_EXPORTS = AuditTarget(ExportJob._meta.label_lower, "direct")


def export_record(
    *, actor, kind: str, fmt: str, params: dict, rows: int, reason: str = "", job=None, ip=None
) -> None:
    audit_record(
        actor=actor,
        action="report.export",
        target=job if job is not None else DIRECT_EXPORTS,
        ip=ip,
        details={
            "kind": kind,
            "format": fmt,
            "filters": params,
            "rows": rows,
            "identities": kind == Kind.CASES_IDENTIFIED,
            "reason": reason,
            "async": job is not None,
        },
    )


@dataclass
class Started:
    built: Built | None = None  # built at once
    job: ExportJob | None = None  # or queued


def export_start(*, actor, kind: str, fmt: str, params: dict, reason: str = "", ip=None) -> Started:
    """Build a small export at once, or queue a large one; audit either way."""
    if kind not in export_kinds_for(actor):
        raise PermissionDenied
    if kind == Kind.CASES_IDENTIFIED and not reason.strip():
        raise ValueError("An identity export needs a reason.")
    count = export_queryset(kind=kind, user=actor, params=params).count()
    if count <= settings.SIGAP_EXPORT_SYNC_MAX_ROWS:
        built = build_export(kind=kind, fmt=fmt, user=actor, params=params)
        export_record(
            actor=actor, kind=kind, fmt=fmt, params=params, rows=built.rows, reason=reason.strip(), ip=ip
        )
        return Started(built=built)
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            kind=kind,
            format=fmt,
            params=params,
            created_at=now,
            expires_at=now + JOB_LIFETIME,
        )
        export_record(
            actor=actor, kind=kind, fmt=fmt, params=params, rows=count, reason=reason.strip(), job=job, ip=ip
        )
        # Built by a worker once this commits, through the outbox: the request never waits on
        # the broker, and a job is never left queued with nobody told to build it.
        outbox_add(task=build_export_task.name, args=[job.pk])
    return Started(job=job)


def export_job_record_download(*, actor, job: ExportJob, ip=None) -> None:
    audit_record(
        actor=actor,
        action="report.export_download",
        target=job,
        ip=ip,
        details={"kind": job.kind, "format": job.format, "rows": job.row_count},
    )
