"""Every role's main pages under the Content-Security-Policy, in a real Chromium: the browser
reports no violation (no inline script or style slipped back in) and the scripted parts still
work: Chart.js draws, Leaflet draws the kelurahan, the stepped intake form steps and saves its
draft, the roster is searched by NIK without the NIK reaching the address bar."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadres.models import Cadre
from cases.models import Escalation
from tests import factories as f
from tests.e2e.conftest import DESKTOP, PHONE, login
from training import services as training_services

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""
NIK = "6171064107900002"


class PolicyWatch:
    """What the browser said about the page's policies: console lines and violation events."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text or "Permissions policy" in text:
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, path: str) -> None:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean()

    def assert_clean(self) -> None:
        events = self.page.evaluate("window.__cspViolations || []")
        assert events == [], f"{self.page.url}: {events}"
        assert self.console == []


@pytest.fixture
def world(regions):
    petugas = f.PetugasFactory(username="petugas_csp")
    kader = f.KaderFactory(username="kader_csp", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    kpad = f.KpadFactory(username="kpad_csp")
    admin = f.AdminFactory(username="admin_csp")
    case = f.make_case(actor=kader, violence_types=("seksual",), risk="tinggi")
    escalation = Escalation.objects.filter(case=case).first()
    if escalation is None:
        from cases.escalation import escalate_case

        escalation, _created = escalate_case(case.pk, Escalation.Rule.IMMEDIATE, "Kekerasan seksual")
    bansir_laut = f.kelurahan(f.BANSIR_LAUT)
    Cadre.objects.create(name="Rudi Hartono", nik=NIK, sex="L", kelurahan=bansir_laut, cohort=2019)
    Cadre.objects.create(name="Siti Aminah", sex="P", kelurahan=bansir_laut, cohort=2022)
    training = training_services.training_create(
        actor=petugas,
        title="Pelatihan Uji CSP",
        organiser="DP2KBP3A Kota Pontianak",
        venue="BAPPEDA",
        dates=[dt.date(2022, 11, 23)],
    )
    return {
        "petugas": petugas,
        "kader": kader,
        "kpad": kpad,
        "admin": admin,
        "case": case,
        "escalation": escalation,
        "training": training,
    }


def test_the_watch_sees_a_violation(new_page, world):
    """The check can fail: markup with an inline style, added by a script, is blocked and seen."""
    page = new_page()
    watch = PolicyWatch(page)
    login(page, world["admin"].username)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in page.evaluate("window.__cspViolations[0]")
    with pytest.raises(AssertionError):
        watch.assert_clean()


def test_the_admins_pages_raise_no_violation(new_page, world):
    page = new_page(viewport=DESKTOP)
    watch = PolicyWatch(page)
    login(page, world["admin"].username)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    for path in ("/akun/pengguna/", "/akun/pengguna/baru/", "/akun/audit/", "/akun/notifikasi/"):
        watch.visit(path)
    # The user form's script shows the area field that fits the role.
    watch.visit("/akun/pengguna/baru/")
    page.locator("[name=role]").select_option("kader")
    expect(page.locator("[name=kelurahan]")).to_be_visible()
    watch.visit("/wilayah/")
    expect(page.locator(".leaflet-interactive").first).to_be_visible()
    watch.visit("/django-admin/")
    watch.visit("/django-admin/accounts/user/")
    watch.assert_clean()


def test_the_petugas_pages_raise_no_violation(new_page, world):
    page = new_page(viewport=DESKTOP)
    watch = PolicyWatch(page)
    login(page, world["petugas"].username)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    watch.visit("/laporan/")
    expect(page.locator('canvas[data-chart="months"]')).to_have_attribute("data-rendered", "1")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-loaded", "29")
    for path in (
        "/laporan/rekap/",
        "/laporan/ekspor/",
        "/kasus/",
        f"/kasus/{world['case'].number}/",
        f"/kasus/{world['case'].number}/cetak/",
        "/kasus/lapor/",
        "/kader/ikhtisar/",
        "/kader/pengurus/",
        "/pelatihan/",
        f"/pelatihan/{world['training'].pk}/",
        "/wilayah/",
    ):
        watch.visit(path)
    # The roster searched by NIK: the result shows, the NIK never enters the address.
    watch.visit("/kader/")
    page.locator("[name=q]").fill(NIK)
    page.get_by_role("button", name="Saring").click()
    expect(page.get_by_test_id("cadre-row")).to_have_count(1)
    expect(page.get_by_test_id("cadre-row")).to_contain_text("Rudi Hartono")
    assert NIK not in page.url and "s=" in page.url
    watch.assert_clean()


def test_the_kaders_pages_raise_no_violation(new_page, world):
    page = new_page(viewport=PHONE)
    watch = PolicyWatch(page)
    login(page, world["kader"].username)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    for path in (
        "/kasus/saya/",
        f"/kasus/{world['case'].number}/",
        "/kader/kegiatan/",
        "/kader/pemilihan/",
        "/akun/notifikasi/",
    ):
        watch.visit(path)
    # The stepped report form: its script steps through and saves a draft on the server.
    watch.visit("/kasus/lapor/")
    page.locator("[name=incident_date]").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.locator("[name=place_type]").select_option("rumah_tangga")
    page.locator("input[name=violence_types][value=fisik]").check()
    page.get_by_test_id("step-next").click()
    expect(page.locator("[name='children-0-name']")).to_be_visible()

    def draft_saved(response):
        return "/kasus/lapor/draf/" in response.url and response.request.method == "POST"

    with page.expect_response(draft_saved) as saved:
        page.locator("[name='children-0-name']").fill("Anak Sintetis")
    assert saved.value.status == 200
    watch.assert_clean()


def test_the_kpad_pages_raise_no_violation(new_page, world):
    page = new_page(viewport=DESKTOP)
    watch = PolicyWatch(page)
    login(page, world["kpad"].username)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    for path in (
        "/kasus/kpad/",
        "/kasus/eskalasi/",
        f"/kasus/kpad/{world['escalation'].pk}/",
        f"/kasus/{world['case'].number}/",
    ):
        watch.visit(path)
