"""A kader linked to the roster logs an outreach from a phone and sees it in their own list;
a mistake comes back at the field with what was typed kept."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import Cadre, CadreActivity, Outreach
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_kader_logs_an_outreach_on_a_phone_and_sees_it_in_their_list(new_page):
    kader = f.KaderFactory(username="kader_kegiatan", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    cadre = Cadre.objects.create(
        name="Kader Kegiatan", sex="P", cohort=2019, kelurahan=kader.kelurahan, user=kader
    )
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kader/kegiatan/")
    expect(page.get_by_test_id("outreach-form")).to_be_visible()
    expect(page.get_by_test_id("no-activity")).to_be_visible()
    # Today and the kader's own kelurahan are filled in already.
    expect(field(page, "date")).to_have_value(timezone.localdate().isoformat())
    expect(field(page, "kelurahan")).to_have_value(str(kader.kelurahan_id))
    no_sideways_scroll(page)

    # A negative count comes back at the field, with what was typed kept.
    page.locator("input[name=kind][value=sosialisasi]").check()
    field(page, "people_reached").fill("-5")
    field(page, "note").fill("Sosialisasi pencegahan kekerasan di posyandu RW 03.")
    page.get_by_test_id("save-outreach").click()
    expect(page.locator("#div_id_people_reached .invalid-feedback")).to_be_visible()
    expect(field(page, "note")).to_have_value("Sosialisasi pencegahan kekerasan di posyandu RW 03.")
    expect(page.locator("input[name=kind][value=sosialisasi]")).to_be_checked()
    assert not Outreach.objects.exists()

    field(page, "people_reached").fill("25")
    field(page, "date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.get_by_test_id("save-outreach").click()

    expect(page.locator(".alert-success")).to_be_visible()
    entry = page.get_by_test_id("activity").first
    expect(entry).to_have_attribute("data-kind", "outreach")
    expect(entry).to_contain_text("Sosialisasi pencegahan kekerasan di posyandu RW 03.")
    expect(entry).to_contain_text("25")
    expect(entry).to_contain_text("Bansir Laut")
    no_sideways_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kader-outreach-phone.png"), full_page=True)

    outreach = Outreach.objects.get()
    assert (outreach.cadre_id, outreach.people_reached) == (cadre.pk, 25)
    assert CadreActivity.objects.filter(cadre=cadre, kind="outreach", source_id=str(outreach.pk)).exists()
    cadre.refresh_from_db()
    assert cadre.last_activity_at is not None


def test_a_kader_without_a_roster_entry_is_told_to_ask_the_dinas(new_page):
    kader = f.KaderFactory(username="kader_lepas", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    # The menu offers the page ...
    page.get_by_role("button", name="Tampilkan menu").click()
    page.locator("a[href='/kader/kegiatan/']").click()
    # ... which explains why nothing can be logged yet.
    expect(page.get_by_test_id("no-roster-entry")).to_be_visible()
    expect(page.get_by_test_id("outreach-form")).to_have_count(0)
    no_sideways_scroll(page)
