"""Exports: the case list (anonymised, or with identities for a petugas who says why), the
cadre roster and training attendance, as CSV or XLSX.

Small exports are built while the request waits; larger ones (more rows than
SIGAP_EXPORT_SYNC_MAX_ROWS) become an ExportJob built by ``reports.tasks.build_export_task``
(the job's id is its only argument). Every export, either way, writes one "report.export"
audit row: kind, format, filters, row count, identities yes/no and the reason given.

Column headers are fixed Indonesian keys (as the roster's import template uses), so a sheet
keeps its shape whatever the interface language.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from accounts.models import Role
from accounts.policy import Cap, user_can
from accounts.services import audit_record
from cases.models import Case, CaseViolence, Child
from cases.selectors import cases_visible_to, initials

from .models import ExportJob

Kind = ExportJob.Kind
Format = ExportJob.Format
EXPORT_DIR = "exports"
JOB_LIFETIME = dt.timedelta(days=7)
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_STEMS = {
    Kind.CASES: "kasus-anonim",
    Kind.CASES_IDENTIFIED: "kasus-identitas",
    Kind.CADRES: "kader",
    Kind.ATTENDANCE: "kehadiran-pelatihan",
}


# --- Who may export what --------------------------------------------------------------------------


def can_export_identities(user) -> bool:
    """The case list with children's identities: a petugas who handles cases, nobody else
    (not the admin, not a kader, not KPAD), and always with a reason."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.PETUGAS
        and user_can(user, Cap.HANDLE_CASES)
        and user_can(user, Cap.VIEW_REPORTS)
    )


def kinds_for(user) -> list[str]:
    kinds = []
    if user_can(user, Cap.VIEW_REPORTS):
        kinds.append(Kind.CASES)
    if can_export_identities(user):
        kinds.append(Kind.CASES_IDENTIFIED)
    if user_can(user, Cap.MANAGE_CADRES):
        kinds.append(Kind.CADRES)
    if user_can(user, Cap.MANAGE_TRAINING):
        kinds.append(Kind.ATTENDANCE)
    return kinds


# --- Querysets ------------------------------------------------------------------------------------


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cases_for_export(*, user, params: dict) -> QuerySet[Case]:
    qs = cases_visible_to(user=user)
    if params.get("date_from"):
        qs = qs.filter(reported_at__gte=_aware(dt.date.fromisoformat(params["date_from"])))
    if params.get("date_to"):
        end = dt.date.fromisoformat(params["date_to"]) + dt.timedelta(days=1)
        qs = qs.filter(reported_at__lt=_aware(end))
    if params.get("kecamatan"):
        qs = qs.filter(kelurahan__kecamatan_id=params["kecamatan"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("reported_at", "id")


def cadres_for_export(*, user, params: dict):
    from cadres.selectors import cadres_visible_to

    qs = cadres_visible_to(user=user)
    if params.get("kecamatan"):
        qs = qs.filter(kelurahan__kecamatan_id=params["kecamatan"])
    return qs.select_related("kelurahan__kecamatan", "user").order_by("name", "id")


def participants_for_export(*, user, params: dict):
    from training.models import Participant

    if not user_can(user, Cap.MANAGE_TRAINING):
        return Participant.objects.none()
    qs = Participant.objects.all()
    if params.get("training"):
        qs = qs.filter(training_id=params["training"])
    return (
        qs.select_related("training", "cadre__kelurahan", "user")
        .annotate(
            days_present=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            days_total=Count("training__days", distinct=True),
            first_day=Min("training__days__date"),
        )
        .order_by("training_id", "kind", "id")
    )


def export_queryset(*, kind: str, user, params: dict) -> QuerySet:
    if kind in (Kind.CASES, Kind.CASES_IDENTIFIED):
        if kind == Kind.CASES_IDENTIFIED and not can_export_identities(user):
            return Case.objects.none()
        return cases_for_export(user=user, params=params)
    if kind == Kind.CADRES:
        return cadres_for_export(user=user, params=params)
    if kind == Kind.ATTENDANCE:
        return participants_for_export(user=user, params=params)
    raise ValueError(kind)


# --- Rows -----------------------------------------------------------------------------------------

CASE_HEADERS = (
    "nomor",
    "tanggal_lapor",
    "tanggal_kejadian",
    "kelurahan",
    "kecamatan",
    "jenis_kekerasan",
    "kategori_perlindungan_khusus",
    "risiko",
    "status",
    "anak",
)
IDENTITY_HEADERS = (
    "nama_anak",
    "nik_anak",
    "tanggal_lahir_anak",
    "wali",
    "kontak_wali",
    "alamat_kejadian",
)
ATTENDANCE_HEADERS = (
    "pelatihan",
    "hari_pertama",
    "peserta",
    "jenis_peserta",
    "asal",
    "hari_hadir",
    "jumlah_hari",
    "sertifikat",
)


def child_age(child: Child, on: dt.date) -> int | None:
    if child.birth_date:
        years = on.year - child.birth_date.year
        if (on.month, on.day) < (child.birth_date.month, child.birth_date.day):
            years -= 1
        return max(years, 0)
    return child.estimated_age


def _masked_child(child: Child, on: dt.date) -> str:
    """'S.N.A. (9, P)': initials, age on the incident date (? if unknown), sex."""
    age = child_age(child, on)
    return f"{initials(child.name)} ({'?' if age is None else age}, {child.sex})"


def _case_rows(cases: QuerySet[Case], *, identities: bool) -> Iterator[list]:
    child_fields = ["id", "case_id", "name", "sex", "birth_date", "estimated_age"]
    if identities:
        child_fields += ["nik", "guardian_name", "guardian_contact"]
    cases = cases.select_related("kelurahan__kecamatan").prefetch_related(
        Prefetch("children", queryset=Child.objects.only(*child_fields).order_by("id")),
        Prefetch("violences", queryset=CaseViolence.objects.order_by("kind")),
    )
    for case in cases.iterator(chunk_size=500):
        children = list(case.children.all())
        masked = "; ".join(_masked_child(c, case.incident_date) for c in children)
        row = [
            case.number,
            timezone.localtime(case.reported_at).date().isoformat(),
            case.incident_date.isoformat(),
            case.kelurahan.common_name,
            case.kelurahan.kecamatan.common_name,
            ", ".join(str(v.get_kind_display()) for v in case.violences.all()),
            str(case.get_protection_category_display()) if case.protection_category else "",
            str(case.get_risk_display()),
            str(case.get_status_display()),
            masked,
        ]
        if identities:
            row += [
                "; ".join(c.name for c in children),
                "; ".join(c.nik or "-" for c in children),
                "; ".join(c.birth_date.isoformat() if c.birth_date else "-" for c in children),
                "; ".join(c.guardian_name or "-" for c in children),
                "; ".join(c.guardian_contact or "-" for c in children),
                case.address,
            ]
        yield row


def _cadre_row(c) -> list:
    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    return [
        c.name,
        c.nik or "",
        c.sex,
        c.birth_date.isoformat() if c.birth_date else "",
        c.phone,
        c.address,
        c.kelurahan.common_name,
        c.cohort,
        c.status.replace("_", " "),
        c.kelurahan.code,
        c.kelurahan.kecamatan.common_name,
        local(c.last_activity_at),
        local(c.inactive_since),
        c.user.username if c.user_id else "",
    ]


def _attendance_rows(participants) -> Iterator[list]:
    for p in participants.iterator(chunk_size=500):
        yield [
            p.training.title,
            p.first_day.isoformat() if p.first_day else "",
            p.name,
            str(p.get_kind_display()),
            p.affiliation,
            p.days_present,
            p.days_total,
            "ya" if p.certificate_code else "tidak",
        ]


@dataclass
class Built:
    content: bytes
    rows: int
    filename: str
    content_type: str


def _write_csv(headers: Iterable[str], rows: Iterable[list]) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(headers))
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return out.getvalue().encode("utf-8-sig"), count  # with a BOM, so Excel reads UTF-8


def _write_xlsx(headers: Iterable[str], rows: Iterable[list], *, sheet_name: str) -> tuple[bytes, int]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(list(headers))
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count


def build_export(*, kind: str, fmt: str, user, params: dict) -> Built:
    """The file's bytes and row count. Labels in the site's language, whoever runs it."""
    from cadres.importer import EXPORT_EXTRA_HEADERS, HEADERS, roster_xlsx

    with translation.override(settings.LANGUAGE_CODE):
        qs = export_queryset(kind=kind, user=user, params=params)
        if kind == Kind.CADRES and fmt == Format.XLSX:
            cadres = list(qs)
            content, count = roster_xlsx(cadres), len(cadres)  # the roster's own export, reused
        else:
            if kind in (Kind.CASES, Kind.CASES_IDENTIFIED):
                identities = kind == Kind.CASES_IDENTIFIED
                headers = CASE_HEADERS + (IDENTITY_HEADERS if identities else ())
                rows = _case_rows(qs, identities=identities)
            elif kind == Kind.CADRES:
                headers, rows = HEADERS + EXPORT_EXTRA_HEADERS, (_cadre_row(c) for c in qs.iterator())
            else:
                headers, rows = ATTENDANCE_HEADERS, _attendance_rows(qs)
            if fmt == Format.CSV:
                content, count = _write_csv(headers, rows)
            else:
                content, count = _write_xlsx(headers, rows, sheet_name=FILE_STEMS[kind][:31])
    stamp = timezone.localdate().isoformat()
    return Built(
        content=content,
        rows=count,
        filename=f"{FILE_STEMS[kind]}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


# --- Starting an export, running a job ------------------------------------------------------------


class _Exports:
    """Exports as a whole, as an audit target for those built while the request waited."""

    _meta = ExportJob._meta
    pk = "direct"


def export_record(
    *, actor, kind: str, fmt: str, params: dict, rows: int, reason: str = "", job=None, ip=None
) -> None:
    audit_record(
        actor=actor,
        action="report.export",
        target=job if job is not None else _Exports(),
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
    if kind not in kinds_for(actor):
        from django.core.exceptions import PermissionDenied

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
    from .tasks import build_export_task

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
        transaction.on_commit(lambda: build_export_task.delay(job.pk))
    return Started(job=job)


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


def jobs_of(*, user) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by=user)


def export_job_record_download(*, actor, job: ExportJob, ip=None) -> None:
    audit_record(
        actor=actor,
        action="report.export_download",
        target=job,
        ip=ip,
        details={"kind": job.kind, "format": job.format, "rows": job.row_count},
    )
