"""A case reported by a kader is handled by a petugas from verification to closure, each step
on the timeline; another kader cannot open it by its address; the reporting kader follows it
up from a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, CaseEvent, Status
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reported_case(regions):
    kader = f.KaderFactory(username="kader_uji", first_name="Nur", last_name="Aini")
    case = f.make_case(
        actor=kader,
        violence_types=["fisik", "psikis"],
        children=[
            services.ChildData(name="Putri Ayu Lestari", sex="P", birth_date=dt.date(2013, 5, 17)),
            services.ChildData(name="Rizky Pratama", sex="L", estimated_age=9),
        ],
        perpetrators=[services.PerpetratorData(relation="tetangga", sex="L", age=34)],
        risk="tinggi",
    )
    return case


def submit(page, testid: str, **fields) -> None:
    """Open an action panel, fill its fields (by name) and send it."""
    form = page.get_by_test_id(testid)
    panel = page.locator(f"details:has([data-testid={testid}])")
    if panel.get_attribute("open") is None:  # a form that came back with errors is open already
        panel.locator("> summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    form.locator("button[type=submit]").click()


def change_status(page, to: str, **extra) -> None:
    submit(page, "form-status", **{"status-to": to, **extra})
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", to)
    latest = page.get_by_test_id("event").first
    expect(latest).to_have_attribute("data-kind", "status")
    expect(latest).to_have_attribute("data-to", to)


def test_a_petugas_handles_a_kaders_case_to_its_end(new_page, reported_case):
    # A supervisor: completing a case is a supervisor's decision (test_case_work.py has the
    # request and the approval by another person).
    petugas = f.PetugasFactory(
        username="petugas_uji", first_name="Budi", last_name="Santoso", is_supervisor=True
    )
    f.KaderFactory(username="kader_dua", kelurahan=f.kelurahan(f.SIANTAN_HULU))
    url = f"/kasus/{reported_case.number}/"
    today = timezone.localdate().isoformat()

    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto(url)
    expect(page.get_by_test_id("case-number")).to_have_text(reported_case.number)
    expect(page.get_by_test_id("child")).to_have_count(2)
    expect(page.get_by_test_id("children")).to_contain_text("Putri Ayu Lestari")
    expect(page.get_by_test_id("perpetrators").locator("li")).to_have_count(1)

    # Triage: verify and take the case.
    change_status(page, "diverifikasi", **{"status-case_worker": petugas.pk, "status-note": "Laporan valid."})
    expect(page.get_by_test_id("case-worker")).to_contain_text("Budi Santoso")
    change_status(page, "asesmen")
    # Past "asesmen" only with an assessment and a plan (made in the browser in test_case_work.py).
    f.make_ready_for_handling(Case.objects.get(pk=reported_case.pk), actor=petugas)
    page.reload()
    change_status(page, "ditangani")

    submit(
        page,
        "form-service",
        **{
            "service-service_type": "psikologis",
            "service-provider": "Psikolog UPTD PPA",
            "service-date": today,
            "service-outcome": "Konseling pertama",
        },
    )
    expect(page.get_by_test_id("services")).to_contain_text("Psikolog UPTD PPA")
    expect(page.get_by_test_id("event").first).to_have_attribute("data-kind", "service")

    submit(
        page,
        "form-refer",
        **{
            "refer-institution": "unit_ppa",
            "refer-institution_detail": "Unit PPA Polresta Pontianak",
            "refer-date": today,
            "refer-reason": "Proses hukum",
        },
    )
    expect(page.get_by_test_id("referral")).to_have_count(1)
    expect(page.get_by_test_id("referral-status")).to_have_attribute("data-status", "dikirim")
    expect(page.get_by_test_id("event").first).to_have_attribute("data-kind", "referral")

    change_status(page, "dirujuk")

    # Closing needs a reason; the form offers only those that fit "selesai".
    submit(page, "form-status", **{"status-to": "selesai"})
    expect(page.locator("#id_status-closure_reason")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "dirujuk")
    expect(page.locator("#id_status-closure_reason option[value=tidak_terbukti]")).to_be_hidden()
    # The referral has no answer and the plan's action is open: only with the supervisor's reason.
    change_status(
        page,
        "selesai",
        **{
            "status-closure_reason": "layanan_tuntas",
            "status-note": "Tuntas.",
            "status-override_reason": "Unit PPA memantau proses hukumnya sendiri.",
        },
    )

    # Every step is on the timeline, newest first.
    steps = page.locator("[data-testid=event][data-kind=status]")
    expect(steps).to_have_count(5)
    assert [steps.nth(i).get_attribute("data-to") for i in range(5)] == [
        "selesai",
        "dirujuk",
        "ditangani",
        "asesmen",
        "diverifikasi",
    ]
    expect(page.get_by_test_id("event").last).to_have_attribute("data-kind", "created")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-handled-desktop.png"), full_page=True)

    case = Case.objects.get(pk=reported_case.pk)
    assert (case.status, case.closure_reason, case.case_worker) == (Status.SELESAI, "layanan_tuntas", petugas)
    assert case.events.filter(kind=CaseEvent.Kind.SERVICE).count() == 1

    # Another kader cannot open it by its address.
    phone = new_page(viewport=PHONE)
    login(phone, "kader_dua")
    response = phone.goto(url)
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_contain_text("404")
    expect(phone.locator("body")).not_to_contain_text("Putri")


def test_the_reporting_kader_follows_up_the_case_on_a_phone(new_page, reported_case):
    page = new_page(viewport=PHONE)
    login(page, "kader_uji")
    page.goto(f"/kasus/{reported_case.number}/")

    expect(page.get_by_test_id("case-number")).to_have_text(reported_case.number)
    expect(page.get_by_test_id("form-status")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    submit(page, "form-visit", **{"visit-note": "Anak sudah kembali sekolah."})
    latest = page.get_by_test_id("event").first
    expect(latest).to_have_attribute("data-kind", "visit")
    expect(latest).to_contain_text("Anak sudah kembali sekolah.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-detail-kader-phone.png"), full_page=True)
