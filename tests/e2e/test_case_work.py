"""The case-work flow in a real browser: a report with nobody's consent (the suspect is a
parent) → the petugas assesses the child and makes a plan with tasks → the supervisor
approves it → the kader does their task on a phone → the referral is answered → the
case worker asks for the completion and the supervisor approves it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.casework_models import Approval, CaseTask
from cases.models import Case, Consent, Status
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def fill(form, **fields) -> None:
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def open_and_send(page, testid: str, **fields) -> None:
    form = page.get_by_test_id(testid)
    panel = page.locator(f"details:has([data-testid={testid}])")
    if panel.count() and panel.get_attribute("open") is None:
        panel.locator("> summary").click()
    fill(form, **fields)
    form.locator("button[type=submit]").click()


def test_report_assess_plan_task_on_the_phone_referral_answered_approved_closure(new_page, regions):
    kader = f.KaderFactory(username="kader_uji", first_name="Nur", last_name="Aini")
    petugas = f.PetugasFactory(username="petugas_uji", first_name="Budi", last_name="Santoso")
    kasubid = f.PetugasFactory(
        username="kasubid_uji", first_name="Yuni", last_name="Kasubid", is_supervisor=True
    )
    case = f.make_case(
        actor=kader,
        family_informed=False,
        children=[services.ChildData(name="Putri Ayu Lestari", sex="P", birth_date=dt.date(2013, 5, 17))],
        perpetrators=[services.PerpetratorData(relation="orang_tua", sex="L", age=41)],
    )
    assert not Consent.objects.filter(case=case).exists()  # reported with nobody's consent
    services.case_change_status(actor=petugas, case=case, to=Status.DIVERIFIKASI, case_worker=petugas)
    services.case_change_status(actor=petugas, case=case, to=Status.ASESMEN)
    today = timezone.localdate()
    work_url = f"/kasus/{case.number}/rencana/"

    # The petugas assesses the child and makes the plan, with a task for the kader.
    desk = new_page(viewport=DESKTOP)
    login(desk, petugas.username)
    desk.goto(work_url)
    expect(desk.get_by_test_id("missing-for-handling")).to_be_visible()
    open_and_send(
        desk,
        "form-assessment",
        **{
            "asesmen-safety_level": "tinggi",
            "asesmen-safety_finding": "Ayah terduga pelaku masih serumah.",
            "asesmen-overall_risk": "tinggi",
            "asesmen-risk_reason": "Terduga pelaku tinggal serumah.",
            "asesmen-child_view": "Ingin tinggal dengan nenek.",
        },
    )
    expect(desk.get_by_test_id("assessment-risk")).to_contain_text("Tinggi")
    expect(desk.get_by_test_id("case-risk")).to_contain_text("Tinggi")
    due = (today + dt.timedelta(days=3)).isoformat()
    open_and_send(
        desk,
        "form-plan",
        **{
            "rencana-goals": "Anak aman dari kekerasan\nAnak tetap bersekolah",
            "aksi-0-title": "Dampingi anak ke sekolah",
            "aksi-0-owner": f"u{kader.pk}",
            "aksi-0-due_on": today.isoformat(),
            "aksi-1-title": "Kunjungan rumah",
            "aksi-1-owner": f"u{petugas.pk}",
            "aksi-1-due_on": due,
        },
    )
    expect(desk.get_by_test_id("plan-approval")).to_have_attribute("data-state", "menunggu")
    expect(desk.get_by_test_id("case-task")).to_have_count(2)

    # The supervisor approves the plan.
    boss = new_page(viewport=DESKTOP)
    login(boss, kasubid.username)
    boss.goto("/kasus/persetujuan/")
    plan_approval = Approval.objects.get(case=case, kind="rencana")
    form = boss.get_by_test_id(f"form-approval-{plan_approval.pk}")
    form.locator("input[value=setujui]").check()
    form.locator("button[type=submit]").click()
    expect(boss.get_by_test_id("plan-approval")).to_have_attribute("data-state", "disetujui")

    # Past "asesmen" now; then a referral to Unit PPA.
    desk.goto(f"/kasus/{case.number}/")
    open_and_send(desk, "form-status", **{"status-to": "ditangani"})
    expect(desk.get_by_test_id("case-status")).to_have_attribute("data-status", "ditangani")
    open_and_send(
        desk,
        "form-refer",
        **{"refer-institution": "unit_ppa", "refer-date": today.isoformat(), "refer-reason": "Proses hukum"},
    )
    expect(desk.get_by_test_id("referral-status")).to_have_attribute("data-status", "dikirim")

    # The kader does their task on the phone.
    phone = new_page(viewport=PHONE)
    login(phone, kader.username)
    expect(phone.get_by_test_id("start-tasks-today")).to_contain_text("1")
    phone.get_by_test_id("all-tasks").click()
    task = CaseTask.objects.get(case=case, owner_user=kader)
    item = phone.locator(f"[data-testid=task][data-task='{task.pk}']")
    expect(item).to_contain_text("Dampingi anak ke sekolah")
    item.locator(f"[name='t{task.pk}-note']").fill("Sudah didampingi.")
    item.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("no-tasks")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "case-work-kader-tasks-phone.png"), full_page=True)

    # The institution answers; the petugas does their own task.
    referral = case.referrals.get()
    desk.goto(f"/kasus/{case.number}/rujukan/{referral.pk}/")
    form = desk.get_by_test_id("form-referral-answer")
    form.locator("input[value=diterima]").check()
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("referral-status")).to_have_attribute("data-status", "diterima")
    fill(desk.get_by_test_id("form-referral-outcome"), **{"hasil-outcome": "Visum selesai, kasus disidik."})
    desk.get_by_test_id("form-referral-outcome").locator("button[type=submit]").click()
    expect(desk.get_by_test_id("referral-outcome")).to_contain_text("Visum selesai")
    desk.goto(work_url)
    desk.locator("[data-testid=case-task] button[type=submit]").first.click()
    expect(desk.get_by_test_id("case-task")).to_have_count(0)

    # Completion: asked by the case worker, approved by the supervisor.
    desk.goto(f"/kasus/{case.number}/")
    open_and_send(desk, "form-status", **{"status-to": "selesai", "status-closure_reason": "layanan_tuntas"})
    expect(desk.get_by_test_id("case-status")).to_have_attribute("data-status", "ditangani")
    boss.goto("/kasus/persetujuan/")
    closure = Approval.objects.get(case=case, kind="penutupan")
    form = boss.get_by_test_id(f"form-approval-{closure.pk}")
    form.locator("input[value=setujui]").check()
    form.locator("button[type=submit]").click()
    expect(boss.get_by_test_id("case-status")).to_contain_text("Selesai")

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.closure_reason) == (Status.SELESAI, "layanan_tuntas")
    assert case.events.filter(kind="status", to_status="selesai", actor=kasubid).exists()
