"""What a row of each export says. Column headers are fixed Indonesian keys (as the roster's
import template uses), so a sheet keeps its shape whatever the interface language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.consent import check_row, with_consent
from cases.models import Case, CaseViolence, Child, ConsentPurpose
from cases.selectors import initials
from core.choices import choice_labels
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


# In an identity export, what stands for the identity of a child whose consent withholds it.
WITHHELD = "(ditahan: persetujuan)"


def masked_child(child: Child, on: dt.date) -> str:
    """'S.N.A. (9, P)': initials, age on the incident date (? if unknown), sex."""
    age = child.age_on(on)
    return f"{initials(child.person.name)} ({'?' if age is None else age}, {child.person.sex})"


def case_rows(cases: QuerySet[Case], *, identities: bool) -> Iterator[list]:
    """Rows of the case list. With identities, a child whose follow-up by the Dinas was refused
    (cases.consent) keeps only the masked form: their identity columns say it is withheld."""
    fields = ["id", "case_id", "person__name", "person__sex", "person__birth_date", "person__birth_year"]
    children = Child.objects.select_related("person")
    if identities:
        fields += ["person__nik", "guardian__name", "guardian__contact"]
        children = with_consent(children.select_related("guardian"), purpose=ConsentPurpose.FOLLOW_UP)
    cases = cases.select_related("kelurahan__kecamatan").prefetch_related(
        Prefetch("children", queryset=children.only(*fields).order_by("id")),
        Prefetch("violences", queryset=CaseViolence.objects.order_by("kind")),
    )
    # The labels once per export, in the active language: get_FOO_display() rebuilds the whole
    # choice list for every call, which was most of an export's time (issue 12: 1.2 ms a row).
    kinds = choice_labels(CaseViolence, "kind")
    categories, risks, statuses = (
        choice_labels(Case, name) for name in ("protection_category", "risk", "status")
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
            ", ".join(kinds.get(v.kind, v.kind) for v in case.violences.all()),
            categories.get(case.protection_category, case.protection_category)
            if case.protection_category
            else "",
            risks.get(case.risk, case.risk),
            statuses.get(case.status, case.status),
            masked,
        ]
        if identities:
            shown = [check_row(c, purpose=ConsentPurpose.FOLLOW_UP).allowed for c in children]

            def column(value, children=children, shown=shown):
                return "; ".join(value(c) if ok else WITHHELD for c, ok in zip(children, shown, strict=True))

            row += [
                column(lambda c: c.person.name),
                column(lambda c: c.person.nik or "-"),
                column(lambda c: c.person.birth_date.isoformat() if c.person.birth_date else "-"),
                column(lambda c: c.guardian.name if c.guardian else "-"),
                column(lambda c: (c.guardian.contact or "-") if c.guardian else "-"),
                case.address if all(shown) else WITHHELD,
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
