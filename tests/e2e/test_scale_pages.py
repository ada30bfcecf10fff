"""Issue 12's changes as a petugas meets them in Chromium: the recap from stored monthly counts
shows a case reported after the count at once; the case page's cadre picker finds a cadre of
another kelurahan by a search."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseCadre
from cases.services import ChildData
from reports import facts
from reports.models import RecapMonth
from tests import factories as f
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_recap_from_stored_counts_shows_a_new_case_at_once(new_page):
    petugas = f.PetugasFactory(username="petugas_rekap")
    february = dt.datetime(2025, 2, 14, 9, tzinfo=timezone.get_current_timezone())

    def report():
        f.make_case(
            actor=petugas,
            now=february,
            kelurahan=f.kelurahan(f.SIANTAN_HULU),
            incident_date=dt.date(2025, 2, 10),
            violence_types=("seksual",),
            children=[ChildData(name="Anak Sintetis", sex="P", estimated_age=9)],
        )

    report()
    report()
    facts.recap_facts_refresh()
    assert RecapMonth.objects.filter(month=dt.date(2025, 2, 1)).exists()

    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto("/laporan/rekap/?period=year&year=2025")
    total = page.get_by_test_id("recap-total-violence").locator("td").last
    expect(total).to_have_text("2")

    report()  # after the count: February is counted live until the next refresh
    page.reload()
    expect(total).to_have_text("3")
    facts.recap_facts_refresh()
    page.reload()
    expect(total).to_have_text("3")


def test_the_petugas_finds_a_cadre_of_another_kelurahan_and_adds_them(new_page):
    petugas = f.PetugasFactory(username="petugas_uji")
    reporter = f.KaderFactory(username="kader_pelapor", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    neighbour = f.KaderFactory(
        username="kader_tetangga", first_name="Nur", kelurahan=f.kelurahan(f.BANSIR_LAUT)
    )
    far = f.KaderFactory(username="kader_jauh", first_name="Yuliana", kelurahan=f.kelurahan(f.SIANTAN_HULU))
    case = f.make_case(actor=reporter)

    page = new_page(viewport=PHONE)
    login(page, petugas.username)
    page.goto(f"/kasus/{case.number}/")
    page.get_by_text("Tambah kader pendamping").click()
    picker = page.get_by_test_id("form-cadre").locator("select")
    expect(picker.locator("option")).to_have_count(2)  # the empty choice and the neighbour
    expect(picker).to_contain_text("Nur")
    expect(picker).not_to_contain_text("Yuliana")

    search = page.get_by_test_id("cadre-search")
    search.get_by_role("searchbox").fill("Yuliana")
    search.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"kader=Yuliana"))
    picker = page.get_by_test_id("form-cadre").locator("select")
    expect(picker).to_contain_text("Yuliana")
    picker.select_option(str(far.pk))
    page.get_by_test_id("form-cadre").get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("Kader kini mendampingi kasus ini")
    assert CaseCadre.objects.filter(case=case, user=far).exists()
    assert not CaseCadre.objects.filter(case=case, user=neighbour).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
