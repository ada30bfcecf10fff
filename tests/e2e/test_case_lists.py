"""Case lists in Chromium: a kader's "kasus saya" on a phone; a petugas filters the list."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_kader_sees_their_own_cases_on_a_phone(new_page):
    kader = f.KaderFactory(username="kader_uji", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    other = f.KaderFactory(username="kader_lain", kelurahan=f.kelurahan(f.SIANTAN_HULU))
    mine = f.make_case(actor=kader, children=[services.ChildData(name="Qisthi Zulvanya", sex="P")])
    theirs = f.make_case(actor=other)
    page = new_page(viewport=PHONE)
    login(page, kader.username)

    # The start page has the report button and the open cases, masked.
    expect(page.get_by_test_id("report-case")).to_be_visible()
    expect(page.get_by_test_id("open-cases")).to_contain_text(mine.number)

    page.goto("/kasus/saya/")
    cards = page.get_by_test_id("case-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(mine.number)
    expect(cards.first).to_contain_text("Q.Z.")
    expect(page.locator("main")).not_to_contain_text("Qisthi")
    expect(page.locator("main")).not_to_contain_text(theirs.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.get_by_test_id("report-case").bounding_box()
    assert box["height"] >= 44
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kader-my-cases-phone.png"), full_page=True)


def test_a_petugas_filters_the_list_by_status_and_by_kecamatan(new_page):
    petugas = f.PetugasFactory(username="petugas_uji")
    kader = f.KaderFactory(username="kader_uji", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    tenggara = f.make_case(actor=kader)
    utara = f.make_case(actor=petugas, kelurahan=f.kelurahan(f.SIANTAN_HULU))
    verified = f.make_case(actor=petugas, kelurahan=f.kelurahan(f.BANSIR_DARAT))
    services.case_change_status(actor=petugas, case=verified, to="diverifikasi")

    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto("/kasus/")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(3)

    page.locator("summary").first.click()
    filters = page.get_by_test_id("case-filters")
    filters.locator("[name=status]").select_option("diverifikasi")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"status=diverifikasi"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(verified.number)

    filters.locator("[name=status]").select_option("")
    filters.locator("[name=kecamatan]").select_option(label="Pontianak Utara")
    filters.locator("button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(utara.number)
    expect(page.locator("main")).not_to_contain_text(tenggara.number)

    # A search by the child's name: found, and the name is not in the address.
    search = page.get_by_test_id("case-search")
    filters.locator("[name=kecamatan]").select_option("")
    filters.locator("button[type=submit]").click()
    expect(rows).to_have_count(3)
    search.locator("[name=q]").fill("Anak Uji")
    search.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kasus/\?s=[\w-]+$"))
    assert "Anak" not in page.url
    expect(rows).to_have_count(3)
    search.locator("[name=q]").fill(verified.number)
    search.locator("button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(verified.number)
