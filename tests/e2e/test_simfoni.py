"""The monthly SIMFONI-PPA routine in a browser: a petugas finds the month's victims not yet
entered, opens a child's entry sheet, completes what SIMFONI requires on the case's edit,
marks the child ready, records SIMFONI's register number, and reconciles the month."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Child
from cases.services import ChildData, PerpetratorData
from tests import factories as f
from tests.e2e.conftest import DESKTOP, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_petugas_enters_a_child_into_simfoni_and_reconciles_the_month(new_page):
    petugas = f.PetugasFactory(username="petugas_simfoni")
    case = f.make_case(
        actor=petugas,
        violence_types=("psikis", "fisik"),
        children=[
            ChildData(name="Siti Sintetis", sex="P", estimated_age=12, violence_types=["psikis"]),
            ChildData(name="Budi Sintetis", sex="L", estimated_age=9, violence_types=["fisik"]),
        ],
        perpetrators=[PerpetratorData(relation="tetangga", sex="L", age=35)],
    )
    services.case_add_service(
        actor=petugas, case=case, service_type="pengaduan", provider="DP2KBP3A", date=timezone.localdate()
    )
    girl, boy = case.children.order_by("id")

    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto("/laporan/simfoni/")
    waiting = page.get_by_test_id("simfoni-waiting")
    expect(waiting).to_have_count(2)
    expect(page.get_by_test_id("simfoni-waiting-list")).not_to_contain_text("Siti Sintetis")  # initials only
    waiting.first.get_by_test_id("simfoni-sheet-link").click()

    # The sheet lists what SIMFONI still needs and offers no "ready" until it is filled.
    expect(page.get_by_test_id("simfoni-missing")).to_contain_text("Pekerjaan")
    expect(page.get_by_test_id("simfoni-mark-ready")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("Psikis")
    expect(page.locator("body")).not_to_contain_text("Fisik")  # the boy's type, not hers

    # Complete the girl's record on the case's edit (the SIMFONI part is folded away).
    page.goto(f"/kasus/{case.number}/ubah/")
    row = page.get_by_test_id("child-row").first
    row.locator("[name='children-0-school_level']").select_option("sd")
    row.get_by_test_id("child-more").locator("summary").click()
    row.locator("[name='children-0-occupation']").select_option("pelajar")
    row.locator("[name='children-0-marital_status']").select_option("belum_kawin")
    row.locator("[name='children-0-nationality']").select_option("wni")
    row.locator("[name='children-0-has_disability']").select_option("tidak")
    row.locator("[name='children-0-home_address']").fill("Jl. Sintetis 5")
    page.get_by_test_id("send").click()
    expect(page).to_have_url(f"/kasus/{case.number}/")
    expect(page.get_by_test_id("child-simfoni").first).to_contain_text("belum ditandai siap")

    page.goto(f"/laporan/simfoni/{case.number}/anak/{girl.pk}/")
    expect(page.get_by_test_id("simfoni-missing")).to_have_count(0)
    page.get_by_test_id("simfoni-mark-ready").click()
    number = page.get_by_test_id("simfoni-number")
    number.fill("  ")
    page.get_by_test_id("simfoni-save-number").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("nomor registrasi")
    page.get_by_test_id("simfoni-number").fill("6171-PPA-2026-0042")
    page.get_by_test_id("simfoni-save-number").click()
    expect(page.get_by_test_id("simfoni-entered")).to_contain_text("6171-PPA-2026-0042")
    assert Child.objects.get(pk=girl.pk).simfoni_number == "6171-PPA-2026-0042"

    # The month's reconciliation: two victims in SIGAP, one in SIMFONI; the boy is the difference.
    page.get_by_role("link", name="SIMFONI-PPA: korban belum diinput").click()
    expect(page.get_by_test_id("simfoni-waiting")).to_have_count(1)
    page.get_by_test_id("simfoni-reconciliation-link").click()
    expect(page.get_by_test_id("simfoni-reconciliation-summary")).to_contain_text("2 korban; 1 sudah diinput")
    difference = page.get_by_test_id("simfoni-difference")
    expect(difference).to_have_count(1)
    expect(difference).to_contain_text(case.number)
    expect(difference.get_by_role("link")).to_have_attribute(
        "href", f"/laporan/simfoni/{case.number}/anak/{boy.pk}/"
    )


def test_the_report_asks_each_childs_coding_once_a_second_child_is_added(new_page):
    petugas = f.PetugasFactory(username="petugas_lapor")
    page = new_page(viewport=DESKTOP)
    login(page, petugas.username)
    page.goto("/kasus/lapor/")
    boxes = page.get_by_test_id("per-child-coding")
    expect(boxes.first).to_be_hidden()
    page.get_by_test_id("add-child").click()
    expect(boxes.nth(0)).to_be_visible()
    expect(boxes.nth(1)).to_be_visible()
    page.get_by_test_id("child-row").nth(1).get_by_role("button", name="Hapus anak ini").click()
    expect(boxes.first).to_be_hidden()
