"""Hostile roster files on /kader/impor/: refused quickly, with a message at the upload field.

The famous one is a 1.5 KB XLSX that declares the sheet ``A1:XFD1048576``: read naively, every
row is padded to 16,384 columns and a million empty rows are added before any limit is checked,
which held a gunicorn worker past its timeout.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cadres.importer import MAX_COLUMNS, MAX_LINES, MAX_ROWS
from tests.cadres.roster_helpers import HEADER, csv_file, good_row

pytestmark = pytest.mark.django_db

URL = "/kader/impor/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Far below the minute the naive reading took, far above what the bounded one needs on a busy machine.
QUICK = 10.0

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="kader" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)


def _row(number: int, values) -> str:
    cells = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in zip("ABCDEFGHI", values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


def hostile_xlsx(*, dimension="A1:XFD1048576", extra_rows: str = "") -> bytes:
    """A hand-made XLSX: the template's header and one good row, a lying dimension."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
        + _row(1, HEADER)
        + _row(2, good_row(1))
        + extra_rows
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _upload(client, content: bytes, name: str = "kader.xlsx", content_type: str = XLSX):
    started = time.monotonic()
    response = client.post(URL, {"file": SimpleUploadedFile(name, content, content_type=content_type)})
    return response, time.monotonic() - started


def _field_error(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


def test_a_sheet_that_declares_every_cell_is_read_for_what_it_holds(client_for, bob, tally):
    content = hostile_xlsx()
    assert len(content) < 2000
    response, took = _upload(client_for(bob), content)
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    # Only what the sheet really holds counts: the one good line is checked, nothing padded.
    assert response.status_code == 200
    assert response.context["line_count"] == 1
    assert response.context["bad"] == []


def test_a_row_far_down_the_sheet_stops_the_reading_with_a_message(client_for, bob, tally):
    content = hostile_xlsx(extra_rows=_row(1_048_576, good_row(2)))
    response, took = _upload(client_for(bob), content)
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    assert response.status_code == 400
    assert f"lebih dari {MAX_LINES} baris" in _field_error(response)
    assert "line_count" not in response.context


def test_a_filled_cell_far_to_the_right_is_refused(client_for, bob, tally):
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
    response, took = _upload(client_for(bob), hostile_xlsx(extra_rows=far))
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    assert response.status_code == 400
    assert f"lebih dari {MAX_COLUMNS} kolom" in _field_error(response)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client_for, bob, tally):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (80 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    response, took = _upload(client_for(bob), out.getvalue())
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    assert response.status_code == 400
    assert "MB" in _field_error(response)


def test_a_csv_of_empty_lines_stops_at_the_line_limit(client_for, bob, tally):
    content = (",".join(HEADER) + "\n" + ",".join(map(str, good_row(1))) + "\n" + "\n" * 1_500_000).encode()
    response, took = _upload(client_for(bob), content, name="kader.csv", content_type="text/csv")
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    assert response.status_code == 400
    assert f"lebih dari {MAX_LINES} baris" in _field_error(response)


def test_a_csv_line_of_a_million_columns_is_refused(client_for, bob, tally):
    content = (",".join(HEADER) + "\n" + ",".join(map(str, good_row(1))) + "," * 1_000_000 + "x\n").encode()
    response, took = _upload(client_for(bob), content, name="kader.csv", content_type="text/csv")
    tally.add("hostile files uploaded")
    tally.add("requests")
    assert took < QUICK
    assert response.status_code == 400
    assert f"Baris 2 memiliki lebih dari {MAX_COLUMNS} kolom" in _field_error(response)


def test_a_csv_with_a_field_over_the_size_limit_is_a_message_not_an_error(client_for, bob):
    content = (",".join(HEADER) + '\n"' + "a" * 200_000 + '",P\n').encode()
    response, _took = _upload(client_for(bob), content, name="kader.csv", content_type="text/csv")
    assert response.status_code == 400
    assert "bukan berkas XLSX atau CSV" in _field_error(response)


def test_more_rows_than_allowed_are_refused_while_reading(client_for, bob):
    rows = [good_row(n % 9000 + 1) for n in range(MAX_ROWS + 1)]
    content = csv_file(rows).read()
    response, _took = _upload(client_for(bob), content, name="kader.csv", content_type="text/csv")
    assert response.status_code == 400
    assert f"lebih dari {MAX_ROWS} baris" in _field_error(response)


def test_a_wide_row_with_only_empty_cells_past_the_limit_is_read(client_for, bob):
    content = (",".join(HEADER) + "\n" + ",".join(map(str, good_row(1))) + "," * 200 + "\n").encode()
    response, _took = _upload(client_for(bob), content, name="kader.csv", content_type="text/csv")
    assert response.status_code == 200
    assert response.context["line_count"] == 1
