"""A kader reports a case from a phone, step by step; an unfinished report survives a closed tab."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, IntakeDraft
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_kader_reports_a_case_with_two_children_and_a_perpetrator_on_a_phone(new_page):
    kader = f.KaderFactory(username="kader_lapor", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")

    # Step 1: the incident. Only this step shows; the kader's kelurahan is preselected.
    expect(page.locator("fieldset[data-step='1']")).to_be_visible()
    expect(page.locator("fieldset[data-step='2']")).to_be_hidden()
    expect(page.get_by_test_id("send")).to_be_hidden()
    expect(field(page, "kelurahan")).to_have_value(str(kader.kelurahan_id))
    no_sideways_scroll(page)
    field(page, "incident_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    field(page, "incident_time").fill("20:15")
    field(page, "place_type").select_option("rumah_tangga")
    field(page, "address").fill("Gg. Sintetis No. 3")
    page.locator("input[name=violence_types][value=fisik]").check()
    page.locator("input[name=violence_types][value=penelantaran]").check()
    field(page, "risk").select_option("tinggi")
    page.get_by_test_id("step-next").click()

    # Step 2: two children.
    expect(page.locator("fieldset[data-step='2']")).to_be_visible()
    expect(page.locator("fieldset[data-step='1']")).to_be_hidden()
    field(page, "children-0-name").fill("Rina Sintetis")
    field(page, "children-0-sex").select_option("P")
    field(page, "children-0-birth_date").fill("2016-05-10")
    field(page, "children-0-nik").fill("6171065005160002")
    page.get_by_test_id("add-child").click()
    expect(page.get_by_test_id("child-row")).to_have_count(2)
    field(page, "children-1-name").fill("Doni Sintetis")
    field(page, "children-1-sex").select_option("L")
    field(page, "children-1-estimated_age").fill("5")
    no_sideways_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kader-report-children-phone.png"), full_page=True)
    page.get_by_test_id("step-next").click()

    # Step 3: one alleged perpetrator.
    expect(page.locator("fieldset[data-step='3']")).to_be_visible()
    page.get_by_test_id("add-perpetrator").click()
    field(page, "perpetrators-0-relation").select_option("keluarga")
    field(page, "perpetrators-0-sex").select_option("L")
    field(page, "perpetrators-0-age").fill("35")
    page.get_by_test_id("step-next").click()

    # Step 4: the story and who knows (no consent asked); going back keeps what was typed.
    expect(page.locator("fieldset[data-step='4']")).to_be_visible()
    page.get_by_test_id("step-back").click()
    expect(field(page, "perpetrators-0-age")).to_have_value("35")
    page.get_by_test_id("step-next").click()
    field(page, "narrative").fill("Anak-anak sering ditinggal tanpa makan (data sintetis).")
    expect(field(page, "source")).to_have_value("kader")
    no_sideways_scroll(page)
    page.get_by_test_id("send").click()

    expect(page).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))
    case = Case.objects.get()
    expect(page.get_by_role("alert").first).to_contain_text(case.number)
    assert case.reported_by == kader
    assert sorted(case.children.values_list("person__name", flat=True)) == ["Doni Sintetis", "Rina Sintetis"]
    assert list(case.perpetrators.values_list("relation", "age")) == [("keluarga", 35)]
    assert sorted(case.violences.values_list("kind", flat=True)) == ["fisik", "penelantaran"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kader-report-sent-phone.png"), full_page=True)

    # The next report starts empty: the sent report's draft is gone from the phone.
    page.goto("/kasus/lapor/")
    expect(field(page, "address")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_be_hidden()
    assert page.evaluate(f"window.localStorage.getItem('sigap-intake-draft-{kader.pk}')") is None


def test_a_half_filled_report_survives_a_reload_and_can_be_discarded(new_page):
    kader = f.KaderFactory(username="kader_draf", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")
    field(page, "address").fill("Jl. Draf Sintetis 9")
    page.locator("input[name=violence_types][value=psikis]").check()
    # Next checks the step's required fields first.
    page.get_by_test_id("step-next").click()
    expect(page.locator("fieldset[data-step='1']")).to_be_visible()
    field(page, "incident_date").fill(timezone.localdate().isoformat())
    field(page, "place_type").select_option("sekolah")
    page.get_by_test_id("step-next").click()
    page.get_by_test_id("add-child").click()
    field(page, "children-0-name").fill("Anak Pertama")
    field(page, "children-1-name").fill("Anak Kedua")
    # The server copy is written a few seconds after the last input.
    expect(page.locator("[data-draft-status]")).to_have_attribute("data-saved", "server")
    assert IntakeDraft.objects.filter(user=kader).exists()

    page.reload()  # as if the tab had been closed and opened again
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(field(page, "address")).to_have_value("Jl. Draf Sintetis 9")
    expect(page.locator("input[name=violence_types][value=psikis]")).to_be_checked()
    expect(page.get_by_test_id("child-row")).to_have_count(2)
    expect(field(page, "children-1-name")).to_have_value("Anak Kedua")

    # With the phone's copy gone (another phone, cleared storage), the server's copy comes back.
    page.evaluate(f"window.localStorage.removeItem('sigap-intake-draft-{kader.pk}')")
    page.reload()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(field(page, "children-0-name")).to_have_value("Anak Pertama")

    # "Buang draf" asks first: declining keeps everything.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("draft-discard").click()
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(field(page, "children-0-name")).to_have_value("Anak Pertama")
    assert dialogs and "Buang draf ini?" in dialogs[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("draft-discard").click()
    expect(page.get_by_test_id("draft-notice")).to_be_hidden()
    expect(field(page, "address")).to_have_value("")
    expect(page.get_by_test_id("child-row")).to_have_count(1)
    assert not IntakeDraft.objects.filter(user=kader).exists()


def test_visiting_the_form_without_typing_leaves_no_false_draft_notice(new_page):
    kader = f.KaderFactory(username="kader_kosong", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")
    page.wait_for_timeout(500)
    page.goto("/beranda/kader/")  # leaving the page saves the (empty) form as it was
    page.goto("/kasus/lapor/")
    expect(page.get_by_test_id("draft-notice")).to_be_hidden()
    # The empty draft the first visit left is deleted rather than "restored".
    assert page.evaluate(f"window.localStorage.getItem('sigap-intake-draft-{kader.pk}')") is None


def test_enter_in_a_step_goes_to_the_next_step_and_checks_speak_indonesian(new_page):
    kader = f.KaderFactory(username="kader_enter", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")
    field(page, "incident_date").fill(timezone.localdate().isoformat())
    field(page, "place_type").select_option("sekolah")
    page.locator("input[name=violence_types][value=psikis]").check()
    field(page, "address").fill("Jl. Enter")
    field(page, "address").press("Enter")
    expect(page.locator("fieldset[data-step='2']")).to_be_visible()
    expect(page.locator(".is-invalid")).to_have_count(0)  # nothing of the later steps marked red
    field(page, "children-0-name").fill("Anak Enter")
    field(page, "children-0-nik").fill("1234")
    field(page, "children-0-nik").press("Enter")
    expect(page.locator("fieldset[data-step='2']")).to_be_visible()
    expect(page.get_by_test_id("client-error")).to_have_text("NIK harus 16 angka")
    assert page.url.endswith("/kasus/lapor/")


def test_a_draft_older_than_the_device_draft_days_is_not_restored(new_page):
    kader = f.KaderFactory(username="kader_lama", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")
    old = (timezone.now() - dt.timedelta(days=8)).isoformat()
    page.evaluate(
        """([key, old]) => localStorage.setItem(key, JSON.stringify(
            {version: 1, savedAt: old, rows: {children: 1, perpetrators: 0},
             values: {address: 'Jl. Kedaluwarsa'}}))""",
        [f"sigap-intake-draft-{kader.pk}", old],
    )
    page.reload()
    expect(field(page, "address")).to_have_value("")
    expect(page.get_by_test_id("draft-notice")).to_be_hidden()
    assert page.evaluate(f"window.localStorage.getItem('sigap-intake-draft-{kader.pk}')") is None
