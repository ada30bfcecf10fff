"""Importing a roster from XLSX or CSV: each bad line with its reason, all or nothing; the
template; the export read back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import AuditEvent
from cadres import importer
from cadres.models import Cadre
from tests import factories as f
from tests.cadres.roster_helpers import csv_file, good_row, make_cadre, nik, xlsx_file

pytestmark = pytest.mark.django_db

IMPORT = reverse("cadres:import")
COMMIT = reverse("cadres:import_commit")


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def upload(client, file):
    return client.post(IMPORT, {"file": file})


def bad_lines(response) -> dict[int, str]:
    return {b.line: " | ".join(b.reasons) for b in response.context["bad"]}


def commit(client, response):
    return client.post(COMMIT, {"token": response.context["token"]})


# --- Each reason, with its line -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (0, "", "name (nama) is missing"),
        (1, "12345", "exactly 16 digits"),
        (1, "0071061203900001", "province code"),
        (1, "6171069913900001", "real birth date"),
        (2, "X", "must be L or P"),
        (2, "", "sex (jenis_kelamin) is missing"),
        (3, "31/02/1990", "is not a date"),
        (3, "2999-01-01", "in the future"),
        (4, "0812-abc", "only digits"),
        (6, "Kelurahan Antah", "Unknown kelurahan"),
        (6, "", "kelurahan is missing"),
        (7, "2016", "from 2017 to"),
        (7, "2999", "from 2017 to"),
        (7, "dua ribu", "from 2017 to"),
        (8, "cuti", "Unknown status"),
    ],
)
def test_each_bad_value_is_reported_with_its_line(client_for, bob, column, value, reason):
    bad = good_row(3)
    bad[column] = value
    response = upload(client_for(bob), csv_file([good_row(1), good_row(2), bad]))
    assert response.status_code == 200
    lines = bad_lines(response)
    assert list(lines) == [4]  # the header is line 1
    assert reason in lines[4]
    assert response.context["good_count"] == 2
    assert "token" not in response.context
    assert not Cadre.objects.exists()


def test_a_nik_repeated_in_the_file_is_reported_on_the_second_line(client_for, bob):
    twin = good_row(9)
    twin[1] = nik(1)
    response = upload(client_for(bob), csv_file([good_row(1), good_row(2), twin]))
    assert bad_lines(response) == {4: "The same NIK is already on line 2 of this file."}


def test_a_kelurahan_outside_bellas_kecamatan_is_refused(client_for, bella):
    response = upload(client_for(bella), csv_file([good_row(1, kelurahan="Siantan Hulu"), good_row(2)]))
    assert "outside your area" in bad_lines(response)[3]


def test_a_line_with_several_problems_lists_them_all(client_for, bob):
    row = ["", "123", "Z", "kemarin", "", "", "Atlantis", "1999", "aktif"]
    response = upload(client_for(bob), csv_file([row]))
    reasons = response.context["bad"][0].reasons
    assert len(reasons) == 6


def test_empty_lines_are_skipped_but_the_numbering_follows_the_file(client_for, bob):
    bad = good_row(3)
    bad[7] = "2010"
    response = upload(client_for(bob), csv_file([good_row(1), [""] * 9, bad]))
    assert list(bad_lines(response)) == [4]


# --- All or nothing ----------------------------------------------------------------------------------


def test_nothing_is_written_when_any_row_is_bad_and_the_commit_needs_a_clean_upload(client_for, bob):
    client = client_for(bob)
    bad = good_row(2)
    bad[6] = "Nowhere"
    response = upload(client, csv_file([good_row(1), bad]))
    assert "token" not in response.context
    # No token, or a made-up one: nothing happens.
    assert client.post(COMMIT, {"token": "made-up"}).status_code == 302
    assert client.post(COMMIT, {}).status_code == 302
    assert not Cadre.objects.exists()
    assert not AuditEvent.objects.filter(action="cadre.import").exists()


def test_after_fixing_the_file_every_row_is_written(client_for, bob):
    client = client_for(bob)
    bad = good_row(2)
    bad[7] = "2016"
    assert bad_lines(upload(client, csv_file([good_row(1), bad, good_row(3)])))
    response = upload(client, csv_file([good_row(1), good_row(2), good_row(3)]))
    assert response.context["bad"] == []
    assert response.context["good_count"] == 3
    done = commit(client, response)
    assert done.status_code == 302
    assert done["Location"] == reverse("cadres:list")
    assert sorted(Cadre.objects.values_list("name", flat=True)) == [
        "Kader Impor 1",
        "Kader Impor 2",
        "Kader Impor 3",
    ]
    event = AuditEvent.objects.get(action="cadre.import")
    assert (event.details["created"], event.details["updated"], event.details["unchanged"]) == (3, 0, 0)
    assert event.actor == bob
    # The kept upload is used once only.
    assert commit(client, response).status_code == 302
    assert Cadre.objects.count() == 3


def test_a_nik_taken_between_preview_and_commit_imports_nothing(client_for, bob):
    client = client_for(bob)
    response = upload(client, csv_file([good_row(1), good_row(2)]))
    make_cadre(nik=nik(2))
    followed = client.post(COMMIT, {"token": response.context["token"]}, follow=True)
    assert "Nothing was imported" in followed.content.decode()
    assert Cadre.objects.count() == 1


def test_the_commit_uses_the_rows_kept_on_the_server_not_the_client(client_for, bob):
    client = client_for(bob)
    response = upload(client, csv_file([good_row(1)]))
    client.post(COMMIT, {"token": response.context["token"], "name": "Injected", "rows": "[]"})
    assert list(Cadre.objects.values_list("name", flat=True)) == ["Kader Impor 1"]


def test_the_imported_fields_are_stored(client_for, bob):
    client = client_for(bob)
    row = [
        "  Rina   Wati ",
        nik(5),
        "p",
        "12/03/1990",
        "0812 3456",
        "Gg. Uji 2",
        "61.71.01.1004",
        "2022",
        "Tidak Aktif",
    ]
    commit(client, upload(client, csv_file([row], delimiter=";")))
    cadre = Cadre.objects.get()
    assert (cadre.name, cadre.nik, cadre.sex, cadre.birth_date.isoformat()) == (
        "Rina Wati",
        nik(5),
        "P",
        "1990-03-12",
    )
    assert (cadre.phone, cadre.address, cadre.kelurahan.code, cadre.cohort, cadre.status) == (
        "0812 3456",
        "Gg. Uji 2",
        "61.71.01.1004",
        2022,
        "tidak_aktif",
    )


# --- Kelurahan by code, official name, everyday spelling ------------------------------------------


@pytest.mark.parametrize(
    "given", ["61.71.01.1004", "Parittokaya", "Parit Tokaya", "PARIT  tokaya", "parit-tokaya"]
)
def test_a_kelurahan_is_found_by_code_official_name_or_everyday_spelling(client_for, bob, given):
    response = upload(client_for(bob), csv_file([good_row(1, kelurahan=given)]))
    assert response.context["bad"] == []
    assert response.context["good_rows"][0]["kelurahan_id"] == f.kelurahan("61.71.01.1004").pk


# --- XLSX -----------------------------------------------------------------------------------------


def test_an_xlsx_roster_is_checked_and_imported(client_for, bob):
    import datetime as dt

    client = client_for(bob)
    bad = good_row(2)
    bad[1] = "99"
    response = upload(client, xlsx_file([good_row(1), bad]))
    assert list(bad_lines(response)) == [3]
    # Numbers and dates as a spreadsheet stores them: NIK and cohort as numbers, a real date,
    # a phone that lost its leading zero.
    row = [
        "Kader Angka",
        int(nik(2)),
        "L",
        dt.datetime(1990, 3, 12),  # noqa: DTZ001 - a spreadsheet's date cell has no zone
        81234567,
        "",
        "Bansir Laut",
        2017,
        "aktif",
    ]
    response = upload(client, xlsx_file([good_row(1), row]))
    assert response.context["bad"] == []
    commit(client, response)
    cadre = Cadre.objects.get(name="Kader Angka")
    assert (cadre.nik, cadre.birth_date.isoformat(), cadre.phone, cadre.cohort) == (
        nik(2),
        "1990-03-12",
        "081234567",
        2017,
    )


def test_a_file_that_is_not_a_spreadsheet_is_refused(client_for, bob):
    client = client_for(bob)
    response = upload(client, SimpleUploadedFile("kader.xlsx", b"PK\x03\x04 not really a zip"))
    assert "not a readable" in response.context["file_error"]
    response = upload(client, SimpleUploadedFile("kader.pdf", b"%PDF-1.4"))
    assert "file" in response.context["form"].errors


def test_missing_columns_are_named(client_for, bob):
    response = upload(client_for(bob), csv_file([["A", "P"]], header=["nama", "jenis_kelamin"]))
    assert "kelurahan, angkatan" in response.context["file_error"]


# --- Template and export -------------------------------------------------------------------------


def test_the_template_downloads_and_reimports_cleanly(client_for, bob):
    client = client_for(bob)
    response = client.get(reverse("cadres:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == list(importer.HEADERS)
    checked = upload(client, SimpleUploadedFile("templat-kader.xlsx", response.content))
    assert checked.context["bad"] == []
    assert checked.context["good_count"] == 1

    csv_template = client.get(reverse("cadres:import_template_csv"))
    assert csv_template.status_code == 200
    checked = upload(client, SimpleUploadedFile("templat-kader.csv", csv_template.content))
    assert checked.context["bad"] == []


def test_the_export_holds_the_filtered_roster_and_is_audited(client_for, bob):
    from django.utils import timezone

    user = f.KaderFactory(username="kader_ekspor")
    make_cadre(
        name="Ekspor Satu", nik=nik(1), cohort=2017, phone="0811", user=user, last_activity_at=timezone.now()
    )
    make_cadre(name="Ekspor Dua", cohort=2018)
    response = client_for(bob).get(reverse("cadres:export"), {"cohort": 2017})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:9] == list(importer.HEADERS)
    assert len(values) == 2
    row = dict(zip(values[0], values[1], strict=True))
    assert (row["nama"], row["nik"], row["angkatan"], row["kelurahan"], row["akun"]) == (
        "Ekspor Satu",
        nik(1),
        2017,
        "Bansir Laut",
        "kader_ekspor",
    )
    event = AuditEvent.objects.get(action="cadre.export")
    assert event.actor == bob
    assert event.details["count"] == 1
    assert event.details["cohort"] == 2017


def test_bella_exports_only_her_kecamatan(client_for, bella):
    make_cadre(f.SIANTAN_HULU, name="Utara")
    make_cadre(f.BANSIR_LAUT, name="Tenggara")
    response = client_for(bella).get(reverse("cadres:export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Utara"]
