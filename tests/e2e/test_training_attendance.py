"""A petugas takes attendance on a phone: search a name, tap two participants present."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cadres.models import Cadre
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, PHONE, login
from training import services
from training.models import Attendance

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_petugas_takes_attendance_on_a_phone(new_page):
    petugas = f.PetugasFactory(username="petugas_uji", first_name="Rina", last_name="Petugas")
    training = services.training_create(
        actor=petugas,
        title="Pelatihan Kader Uji",
        organiser="DP2KBP3A Kota Pontianak",
        venue="BAPPEDA",
        dates=[dt.date(2022, 11, 23), dt.date(2022, 11, 24)],
    )
    names = ["Sari Wulandari", "Sari Handayani", "Budi Prakoso", "Dewi Kartika"]
    cadres = [
        Cadre.objects.create(name=n, sex="P", kelurahan=f.kelurahan(f.BANSIR_LAUT), cohort=2019)
        for n in names
    ]
    services.participants_add_cadres(actor=petugas, training=training, cadres=cadres)
    services.participant_add_guest(actor=petugas, training=training, name="Tamu Undangan", institution="LSM")
    day = training.days.first()

    page = new_page(viewport=PHONE)
    login(page, "petugas_uji")
    page.goto(f"/pelatihan/{training.pk}/")
    page.get_by_test_id("day-attendance").first.click()
    expect(page.get_by_test_id("attendance-row")).to_have_count(5)

    page.get_by_test_id("attendance-search").fill("sari")
    visible = page.locator("[data-testid=attendance-row]:visible")
    expect(visible).to_have_count(2)
    for row in visible.all():
        row.get_by_test_id("attendance-toggle").click()
    for name in ("Sari Wulandari", "Sari Handayani"):
        row = page.get_by_test_id("attendance-row").filter(has_text=name)
        expect(row.get_by_test_id("attendance-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("present-count")).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "training-attendance-phone.png"), full_page=True)

    present = Attendance.objects.filter(day=day, present=True).select_related(
        "participant__cadre", "marked_by"
    )
    assert sorted(a.participant.cadre.name for a in present) == ["Sari Handayani", "Sari Wulandari"]
    assert {a.marked_by.username for a in present} == {"petugas_uji"}

    # After a reload (no JavaScript state) the page still shows them present.
    page.reload()
    page.get_by_test_id("attendance-search").fill("")
    expect(page.locator("[data-testid=attendance-toggle][aria-pressed=true]")).to_have_count(2)
