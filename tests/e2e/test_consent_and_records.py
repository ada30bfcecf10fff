"""Consent that never blocks a report, and one record per child, in a real browser.

A kader on a phone reports a case whose suspect is the father, with nobody's consent asked;
the petugas' case page names who must not be told; the mother refuses sharing with the school,
and a referral to the school is refused with the reason at the field, while one to the police
goes ahead. Then the same child is reported again and linked to the record already known, and
the child's page lists both cases."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Referral
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)

CHILD = "Rina Sintetis"
MOTHER = "Ibu Sari Sintetis"


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def open_panel(page, testid: str):
    panel = page.locator(f"details:has([data-testid={testid}])")
    if panel.get_attribute("open") is None:
        panel.locator("> summary").first.click()
    return page.get_by_test_id(testid)


def report_on_a_phone(page, *, birth_date: str = "2013-08-17") -> None:
    page.goto("/kasus/lapor/")
    field(page, "incident_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    field(page, "place_type").select_option("rumah_tangga")
    page.locator("input[name=violence_types][value=fisik]").check()
    field(page, "risk").select_option("tinggi")
    page.get_by_test_id("step-next").click()
    field(page, "children-0-name").fill(CHILD)
    field(page, "children-0-sex").select_option("P")
    field(page, "children-0-birth_date").fill(birth_date)
    field(page, "children-0-guardian_name").fill(MOTHER)
    field(page, "children-0-guardian_relation").select_option("orang_tua")
    page.get_by_test_id("step-next").click()
    page.get_by_test_id("add-perpetrator").click()
    field(page, "perpetrators-0-relation").select_option("orang_tua")
    field(page, "perpetrators-0-sex").select_option("L")
    page.get_by_test_id("step-next").click()
    field(page, "narrative").fill("Anak dipukul ayahnya setiap malam (data sintetis).")
    field(page, "do_not_tell").fill("Paman, teman dekat ayah")


def test_a_report_needs_no_consent_and_sharing_follows_it(new_page, regions):
    kader = f.KaderFactory(username="kader_uji")
    petugas = f.PetugasFactory(username="petugas_uji")

    phone = new_page(viewport=PHONE)
    login(phone, kader.username)
    report_on_a_phone(phone)
    expect(phone.locator("[name=consent]")).to_have_count(0)  # nobody's consent is asked
    phone.get_by_test_id("send").click()
    expect(phone).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))
    case = Case.objects.get()
    panel = phone.get_by_test_id("do-not-tell")
    expect(panel).to_contain_text("Orang tua")
    expect(panel).to_contain_text("Paman, teman dekat ayah")

    desk = new_page(viewport=DESKTOP)
    login(desk, petugas.username)
    desk.goto(f"/kasus/{case.number}/")
    panel = desk.get_by_test_id("do-not-tell")
    expect(panel).to_contain_text("Tidak boleh diberi tahu tentang kasus ini")
    expect(panel).to_contain_text("Orang tua")
    expect(panel).to_contain_text("terduga pelaku")
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "case-must-not-be-told.png"), full_page=False)

    # The mother (not the suspect) refuses sharing with the school.
    form = open_panel(desk, "form-consent")
    form.locator("input[name=consent-given_by][value=orang_tua_wali]").check()
    form.locator("[name=consent-person]").select_option(str(case.children.get().guardian_id))
    form.locator("[name=consent-confirm_not_suspect]").check()
    form.locator("[name=consent-share_sekolah]").select_option("ditolak")
    form.locator("[name=consent-follow_up]").select_option("diberikan")
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("consent-item").filter(has_text="Sekolah")).to_contain_text("Ditolak")

    # A referral to the school is refused, with the reason at the field and nothing lost.
    form = open_panel(desk, "form-refer")
    form.locator("[name=refer-institution]").select_option("sekolah")
    form.locator("[name=refer-reason]").fill("Pendampingan belajar")
    form.locator("button[type=submit]").click()
    form = desk.get_by_test_id("form-refer")
    expect(form).to_contain_text("Berbagi dengan Sekolah ditolak untuk R.S.")
    expect(form.locator("[name=refer-reason]")).to_have_value("Pendampingan belajar")
    assert not Referral.objects.filter(case=case).exists()

    # The police, for a crime against a child, need no consent.
    form.locator("[name=refer-institution]").select_option("unit_ppa")
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("referral")).to_contain_text("Unit PPA")
    assert Referral.objects.filter(case=case, institution="unit_ppa").exists()

    # The same child reported again: the kader links the report to the record already known.
    report_on_a_phone(phone)
    phone.get_by_test_id("send").click()
    expect(phone.get_by_test_id("duplicates-check")).to_be_visible()
    record = case.children.get().person
    choice = phone.locator(f"input[name=children-0-person][value='{record.pk}']")
    expect(choice).to_be_visible()  # the form opens at the children's step
    choice.check()
    phone.get_by_test_id("step-next").click()
    phone.get_by_test_id("step-next").click()
    phone.get_by_test_id("send").click()
    expect(phone).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))
    second = Case.objects.exclude(pk=case.pk).get()
    assert second.children.get().person == record

    desk.goto(f"/anak/{record.pk}/")
    cases = desk.get_by_test_id("person-cases")
    expect(cases).to_contain_text(case.number)
    expect(cases).to_contain_text(second.number)
    expect(desk.get_by_test_id("family")).to_contain_text(MOTHER)
