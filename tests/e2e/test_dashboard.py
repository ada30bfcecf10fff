"""The petugas opens the dashboard, sees the charts and their tables, filters by kecamatan."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_petugas_filters_the_dashboard_by_kecamatan(new_page):
    bob = f.PetugasFactory(username="petugas_dasbor")
    recent = timezone.now() - dt.timedelta(days=20)
    for code in (f.BANSIR_LAUT, f.BANSIR_LAUT, f.BANSIR_DARAT, f.SIANTAN_HULU):
        case = f.make_case(actor=bob, kelurahan=f.kelurahan(code))
        Case.objects.filter(pk=case.pk).update(reported_at=recent)

    page = new_page(viewport=DESKTOP)
    login(page, bob.username)
    page.goto("/laporan/")
    expect(page.get_by_test_id("total-cases")).to_have_text("4")
    # The charts are drawn, each with its table.
    for name in ("months", "violence", "protection", "status", "cohorts"):
        expect(page.locator(f'canvas[data-chart="{name}"]')).to_have_attribute("data-rendered", "1")
        expect(page.get_by_test_id(f"table-{name}")).to_have_count(1)
    # The map draws all 29 kelurahan, without a tile server.
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-loaded", "29")
    expect(page.locator(f'[data-testid=table-kelurahan] tr[data-code="{f.BANSIR_LAUT}"] td')).to_have_text(
        "2"
    )
    # The table behind a chart opens.
    table = page.get_by_test_id("table-violence")
    table.locator("summary").click()
    expect(table.locator('tr[data-key="fisik"] td')).to_have_text("4")

    tenggara = f.kecamatan(f.PONTIANAK_TENGGARA)
    page.locator("[name=kecamatan]").select_option(str(tenggara.pk))
    page.get_by_test_id("dashboard-apply").click()
    expect(page.get_by_test_id("total-cases")).to_have_text("3")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?year=&start=&end=&kecamatan={tenggara.pk}")
    expect(page.locator("[data-testid=table-kelurahan] tbody[data-kecamatan]")).to_have_count(1)
    expect(page.locator('canvas[data-chart="months"]')).to_have_attribute("data-rendered", "1")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-loaded", "29")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-filtered.png"), full_page=True)
