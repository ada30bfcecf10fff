"""Writing rows to a file: CSV (UTF-8 with a BOM, so Excel reads it) or XLSX (streamed).

Every cell goes through ``core.spreadsheet``, so no typed text becomes a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

from core.spreadsheet import csv_writer, xlsx_append


def write_csv(headers: Iterable[str], rows: Iterable[list]) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(list(headers))
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return out.getvalue().encode("utf-8-sig"), count  # with a BOM, so Excel reads UTF-8


def write_xlsx(headers: Iterable[str], rows: Iterable[list], *, sheet_name: str) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    xlsx_append(sheet, headers)
    count = 0
    for row in rows:
        xlsx_append(sheet, row)
        count += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count
