"""An export's file as a whole: the records, their rows, the writer; labels in the site's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from cadres.importer import EXPORT_EXTRA_HEADERS, HEADERS, roster_xlsx

from ..models import ExportJob
from .queries import export_queryset
from .rows import ATTENDANCE_HEADERS, CASE_HEADERS, IDENTITY_HEADERS, attendance_rows, cadre_row, case_rows
from .writers import write_csv, write_xlsx

Kind = ExportJob.Kind
Format = ExportJob.Format
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


@dataclass
class Built:
    content: bytes
    rows: int
    filename: str
    content_type: str


def build_export(*, kind: str, fmt: str, user, params: dict) -> Built:
    """The file's bytes and row count. Labels in the site's language, whoever runs it."""
    with translation.override(settings.LANGUAGE_CODE):
        qs = export_queryset(kind=kind, user=user, params=params)
        if kind == Kind.CADRES and fmt == Format.XLSX:
            cadres = list(qs)
            content, count = roster_xlsx(cadres), len(cadres)  # the roster page's own export file
        else:
            if kind in (Kind.CASES, Kind.CASES_IDENTIFIED):
                identities = kind == Kind.CASES_IDENTIFIED
                headers = CASE_HEADERS + (IDENTITY_HEADERS if identities else ())
                rows = case_rows(qs, identities=identities)
            elif kind == Kind.CADRES:
                headers, rows = HEADERS + EXPORT_EXTRA_HEADERS, (cadre_row(c) for c in qs.iterator())
            else:
                headers, rows = ATTENDANCE_HEADERS, attendance_rows(qs)
            if fmt == Format.CSV:
                content, count = write_csv(headers, rows)
            else:
                content, count = write_xlsx(headers, rows, sheet_name=FILE_STEMS[kind][:31])
    stamp = timezone.localdate().isoformat()
    return Built(
        content=content,
        rows=count,
        filename=f"{FILE_STEMS[kind]}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )
