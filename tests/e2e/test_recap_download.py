"""A petugas opens the recap, chooses a month, a year and a kecamatan, and downloads the XLSX."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.services import ChildData, PerpetratorData
from tests import factories as f
from tests.e2e.conftest import DESKTOP, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_petugas_downloads_the_recap_of_a_month_and_kecamatan(new_page, tmp_path):
    petugas = f.PetugasFactory(username="petugas_rekap")
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    february = dt.datetime(2025, 2, 14, 9, tzinfo=timezone.get_current_timezone())
    for sex, age in (("P", 4), ("P", 14), ("L", 14)):
        f.make_case(
            actor=petugas,
            now=february,
            kelurahan=f.kelurahan(f.SIANTAN_HULU),
            incident_date=dt.date(2025, 2, 10),
            violence_types=("seksual",),
            children=[ChildData(name="Anak Sintetis", sex=sex, estimated_age=age)],
            perpetrators=[PerpetratorData(relation="tetangga")],
        )
    # Elsewhere in the city, the same month: not in Pontianak Utara's recap.
    f.make_case(
        actor=petugas, now=february, kelurahan=f.kelurahan(f.BANSIR_LAUT), incident_date=dt.date(2025, 2, 1)
    )

    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto("/laporan/rekap/")
    filters = page.get_by_test_id("recap-filters")
    filters.locator("[name=period]").select_option("month")
    filters.locator("[name=month]").select_option("2")
    filters.locator("[name=year]").select_option("2025")
    filters.locator("[name=kecamatan]").select_option(str(utara.pk))
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"month=2&year=2025&kecamatan="))
    expect(page.get_by_test_id("recap-total-violence").locator("td").last).to_have_text("3")

    with page.expect_download() as download_info:
        page.get_by_test_id("recap-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"rekap-2025-02-{utara.code}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved)
    sheet = workbook["violence"]
    assert "2025" in sheet["A2"].value
    assert "Pontianak Utara" in sheet["A3"].value
    # Row 10 is Seksual (third type of violence); columns: label, L 0–5..unknown, P 0–5..unknown, total.
    seksual = [cell.value for cell in sheet[10]]
    assert seksual[1 + 2] == 1  # a boy of 14: L 13–17
    assert seksual[1 + 5 + 0] == 1  # a girl of 4: P 0–5
    assert seksual[1 + 5 + 2] == 1  # a girl of 14: P 13–17
    assert seksual[-1] == 3
