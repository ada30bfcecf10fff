"""What a row of each export says. Column headers are fixed Indonesian keys (as the roster's
import template uses), so a sheet keeps its shape whatever the interface language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.models import Case, CaseViolence, Child
from cases.selectors import initials
from core.time import local_date

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


def masked_child(child: Child, on: dt.date) -> str:
    """'S.N.A. (9, P)': initials, age on the incident date (? if unknown), sex."""
    age = child.age_on(on)
    return f"{initials(child.name)} ({'?' if age is None else age}, {child.sex})"


def case_rows(cases: QuerySet[Case], *, identities: bool) -> Iterator[list]:
    child_fields = ["id", "case_id", "name", "sex", "birth_date", "estimated_age"]
    if identities:
        child_fields += ["nik", "guardian_name", "guardian_contact"]
    cases = cases.select_related("kelurahan__kecamatan").prefetch_related(
        Prefetch("children", queryset=Child.objects.only(*child_fields).order_by("id")),
        Prefetch("violences", queryset=CaseViolence.objects.order_by("kind")),
    )
    for case in cases.iterator(chunk_size=500):
        children = list(case.children.all())
        masked = "; ".join(masked_child(c, case.incident_date) for c in children)
        row = [
            case.number,
            local_date(case.reported_at).isoformat(),
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


def cadre_row(c) -> list:
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


def attendance_rows(participants) -> Iterator[list]:
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
