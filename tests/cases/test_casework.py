"""Case work: assessment, plan and its tasks, "Tugas saya", approvals, conferences, referral
answers, reminders and letters, transfers, the digest, and who may do each (per role)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, Notification
from cases import casework_selectors, casework_services, consent, escalation, kpad_services, services
from cases.casework_models import Approval, CaseTask
from cases.models import Case, CaseEvent, ClosureReason, Escalation, KpadMessage, ReferralStatus, Status
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def in_status(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


@pytest.fixture
def kasubid(db):
    return f.PetugasFactory(username="kasubid", is_supervisor=True)


@pytest.fixture
def case(bob, charlie):
    case = f.make_case(actor=charlie)
    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI, case_worker=bob)
    return services.case_change_status(actor=bob, case=case, to=Status.ASESMEN)


def action(owner, *, title="Kunjungan rumah", days=3, kind="petugas"):
    return casework_services.ActionData(
        title=title, owner_kind=kind, owner_user=owner, due_on=TODAY() + dt.timedelta(days=days)
    )


# --- Assessment and the step past "asesmen" ----------------------------------------------------


def test_moving_past_asesmen_needs_an_assessment_and_a_plan_in_indonesian(client_for, case, bob):
    response = client_for(bob).post(
        reverse("cases:status", args=[case.number]), {"status-to": "ditangani"}, HTTP_ACCEPT_LANGUAGE="id"
    )

    assert response.status_code == 400
    errors = response.context["forms"]["status"].errors["to"]
    assert "Catat dahulu asesmen setiap anak dalam kasus." in errors
    assert any(e.startswith("Buat dahulu rencana layanan") for e in errors)
    case.refresh_from_db()
    assert case.status == Status.ASESMEN


def test_an_assessment_changes_the_case_risk_on_the_timeline(case, bob):
    child = case.children.get()
    casework_services.assessment_record(
        actor=bob,
        case=case,
        child=child,
        assessed_on=TODAY(),
        overall_risk="tinggi",
        risk_reason="Pelaku tinggal serumah.",
        safety_level="tinggi",
        safety_finding="Pelaku masih di rumah",
        child_view="Ingin tinggal dengan nenek",
    )

    case.refresh_from_db()
    assert case.risk == "tinggi"
    note = case.events.filter(kind=CaseEvent.Kind.EDIT).first().note
    assert "Pelaku tinggal serumah." in note
    assert AuditEvent.objects.filter(action="case.assessment", target_id=str(case.pk)).exists()


def test_an_assessment_needs_a_reason_for_its_risk(case, bob):
    with pytest.raises(ValidationError) as error:
        casework_services.assessment_record(
            actor=bob,
            case=case,
            child=case.children.get(),
            assessed_on=TODAY(),
            overall_risk="sedang",
            risk_reason=" ",
        )
    assert "risk_reason" in error.value.message_dict


def test_with_assessment_and_plan_the_case_moves_on(case, bob):
    plan = f.make_ready_for_handling(case, actor=bob)

    services.case_change_status(actor=bob, case=case, to=Status.DITANGANI)

    case.refresh_from_db()
    assert case.status == Status.DITANGANI
    assert plan.version == 1 and plan.review_on == TODAY() + dt.timedelta(days=30)
    assert case.tasks.get().plan == plan


def test_a_plan_sent_back_blocks_the_step_until_a_new_version(case, bob, kasubid):
    plan = f.make_ready_for_handling(case, actor=bob)
    approval = Approval.objects.get(plan=plan)
    casework_services.approval_decide(
        actor=kasubid, approval=approval, approve=False, note="Tambah tujuan sekolah"
    )

    with pytest.raises(ValidationError):
        services.case_change_status(actor=bob, case=case, to=Status.DITANGANI)

    second = casework_services.plan_create(actor=bob, case=case, goals="Aman\nSekolah lagi", actions=[])
    assert second.version == 2
    services.case_change_status(actor=bob, case=case, to=Status.DITANGANI)


def test_the_plan_review_days_is_a_setting(case, bob, settings):
    settings.SIGAP_PLAN_REVIEW_DAYS = 10
    plan = f.make_ready_for_handling(case, actor=bob)
    assert plan.review_on == TODAY() + dt.timedelta(days=10)


def test_a_cadre_owns_a_task_only_on_a_case_they_accompany(case, bob, carol):
    with pytest.raises(ValidationError) as error:
        casework_services.plan_create(
            actor=bob, case=case, goals="Aman", actions=[action(carol, kind="kader")]
        )
    assert "owner_user" in error.value.message_dict


# --- Tugas saya -----------------------------------------------------------------------------------


def test_my_tasks_groups_overdue_today_and_this_week(case, bob):
    f.make_ready_for_handling(case, actor=bob)
    for days in (-2, 0, 3, 20):
        casework_services.task_add(actor=bob, case=case, data=action(bob, days=days))

    groups = casework_selectors.group_tasks(casework_selectors.my_tasks(user=bob))

    assert [len(groups.overdue), len(groups.today), len(groups.this_week), len(groups.later)] == [1, 1, 2, 1]


def test_a_kader_sees_and_completes_their_own_task_and_it_counts_as_activity(client_for, case, bob, charlie):
    f.make_ready_for_handling(case, actor=bob)
    task = casework_services.task_add(actor=bob, case=case, data=action(charlie, kind="kader", days=0))
    assert Notification.objects.filter(user=charlie, kind="tasks.new").exists()

    client = client_for(charlie)
    page = client.get(reverse("cases:my_tasks"))
    assert page.status_code == 200
    assert task in page.context["groups"].today
    start = client.get(reverse("start:kader"))
    assert b'data-testid="start-tasks"' in start.content

    response = client.post(reverse("cases:task_state", args=[task.pk]), {f"t{task.pk}-state": "selesai"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == CaseTask.State.DONE and task.done_by == charlie
    assert case.events.filter(kind=CaseEvent.Kind.TASK, actor=charlie).exists()


def test_a_kader_may_not_update_someone_elses_task(client_for, case, bob, charlie):
    f.make_ready_for_handling(case, actor=bob)
    task = case.tasks.get()  # bob's

    response = client_for(charlie).post(
        reverse("cases:task_state", args=[task.pk]), {f"t{task.pk}-state": "selesai"}
    )

    assert response.status_code == 403


def test_a_task_of_a_case_outside_the_area_is_a_404(client_for, case, bob, bella):
    f.make_ready_for_handling(case, actor=bob)
    task = case.tasks.get()

    response = client_for(bella).post(
        reverse("cases:task_state", args=[task.pk]), {f"t{task.pk}-state": "selesai"}
    )

    assert response.status_code == 404


def test_the_petugas_start_page_shows_overdue_tasks(client_for, case, bob):
    f.make_ready_for_handling(case, actor=bob, due_on=TODAY() - dt.timedelta(days=1))

    response = client_for(bob).get(reverse("start:petugas"))

    assert len(response.context["task_groups"].overdue) == 1


def test_the_digest_goes_once_a_day_without_the_task_title(case, bob, mailoutbox):
    f.make_ready_for_handling(case, actor=bob, due_on=TODAY() - dt.timedelta(days=1))

    assert casework_services.task_digest_send().recipients == 1
    assert casework_services.task_digest_send().recipients == 0

    digest = Notification.objects.get(user=bob, kind="tasks.digest")
    with translation.override("id"):
        shown = digest.display_title + " " + digest.display_body
    assert case.number in shown and "1 terlambat" in shown
    assert "Kunjungan rumah" not in shown + str(digest.params)
    assert "Anak Uji" not in shown + str(digest.params)


def test_the_case_list_filters_by_next_action_due(case, bob):
    f.make_ready_for_handling(case, actor=bob, due_on=TODAY() - dt.timedelta(days=1))
    other = f.make_case(actor=bob)
    qs = Case.objects.all()

    assert list(casework_selectors.filter_next_due(qs, "terlambat")) == [case]
    assert other in casework_selectors.filter_next_due(qs, "tanpa")
    assert casework_selectors.with_next_due(qs).get(pk=case.pk).next_due == TODAY() - dt.timedelta(days=1)


def test_a_long_overdue_task_makes_a_case_stalled(case, bob, settings):
    settings.SIGAP_TASK_OVERDUE_STALLED_DAYS = 7
    f.make_ready_for_handling(case, actor=bob, due_on=TODAY() - dt.timedelta(days=8))

    counts = escalation.escalation_sweep()

    assert counts["stalled"] == 1
    reason = Escalation.objects.get(case=case, rule="stalled")
    assert reason.reason_params["overdue"] == 1
    with translation.override("id"):
        assert "1 tugas terlambat 7 hari atau lebih." in reason.reason_text


# --- Approvals and closure ----------------------------------------------------------------------


def test_a_plain_petugas_asks_for_completion_and_the_supervisor_is_told(client_for, case, bob, kasubid):
    f.make_ready_for_handling(case, actor=bob)
    in_status(case, Status.DITANGANI)

    response = client_for(bob).post(
        reverse("cases:status", args=[case.number]),
        {"status-to": "selesai", "status-closure_reason": ClosureReason.SERVICES_COMPLETE},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DITANGANI
    assert Approval.objects.filter(case=case, kind="penutupan", state="menunggu").exists()
    assert Notification.objects.filter(user=kasubid, kind="approval.closure_requested").exists()


def test_closure_is_refused_with_an_unanswered_referral_without_an_override(case, bob, kasubid):
    f.make_ready_for_handling(case, actor=bob)
    case.tasks.update(state=CaseTask.State.DONE)
    in_status(case, Status.DITANGANI)
    services.case_refer(actor=bob, case=case, institution="unit_ppa", date=TODAY())
    approval = casework_services.closure_request(actor=bob, case=case, closure_reason="layanan_tuntas")

    with pytest.raises(ValidationError) as error:
        casework_services.approval_decide(actor=kasubid, approval=approval, approve=True)
    assert "override_reason" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.DITANGANI

    casework_services.approval_decide(
        actor=kasubid, approval=approval, approve=True, override_reason="Keluarga menolak proses hukum."
    )
    case.refresh_from_db()
    assert case.status == Status.SELESAI
    audit = AuditEvent.objects.filter(action="case.status", target_id=str(case.pk)).first()
    assert audit.details["override_reason"] == "Keluarga menolak proses hukum."


def test_only_a_supervisor_decides(client_for, case, bob):
    approval = casework_services.closure_request(
        actor=bob, case=in_status(case, Status.DITANGANI), closure_reason="layanan_tuntas"
    )

    assert client_for(bob).get(reverse("cases:approvals")).status_code == 403
    assert client_for(bob).post(reverse("cases:approval_decide", args=[approval.pk])).status_code == 403


def test_a_supervisor_outside_the_area_gets_a_404(client_for, case, bob):
    north = f.PetugasFactory(username="utara", is_supervisor=True, kecamatan=f.kecamatan(f.PONTIANAK_UTARA))
    approval = casework_services.closure_request(
        actor=bob, case=in_status(case, Status.DITANGANI), closure_reason="layanan_tuntas"
    )

    response = client_for(north).post(reverse("cases:approval_decide", args=[approval.pk]), {})

    assert response.status_code == 404


def test_the_supervisor_sends_back_with_a_note(client_for, case, bob, kasubid):
    plan = f.make_ready_for_handling(case, actor=bob)
    approval = Approval.objects.get(plan=plan)
    client = client_for(kasubid)
    assert approval in client.get(reverse("cases:approvals")).context["approvals"]

    refused = client.post(
        reverse("cases:approval_decide", args=[approval.pk]), {f"a{approval.pk}-decision": "kembalikan"}
    )
    assert refused.status_code == 400
    done = client.post(
        reverse("cases:approval_decide", args=[approval.pk]),
        {f"a{approval.pk}-decision": "kembalikan", f"a{approval.pk}-note": "Tambah tujuan"},
    )

    assert done.status_code == 302
    approval.refresh_from_db()
    assert (approval.state, approval.decision_note) == ("dikembalikan", "Tambah tujuan")
    assert Notification.objects.filter(user=bob, kind="approval.returned").exists()


# --- Conferences --------------------------------------------------------------------------------


def test_a_conference_turns_each_decision_into_a_task_and_prints_without_identity(
    client_for, case, bob, charlie
):
    conference = casework_services.conference_record(
        actor=bob,
        case=case,
        held_on=TODAY(),
        institutions=["unit_ppa", "uptd_ppa"],
        kpad_present=True,
        cadres=[charlie],
        decisions=[action(bob, title="Visum"), action(charlie, kind="kader", title="Dampingi ke sekolah")],
    )

    assert conference.tasks.count() == 2
    client = client_for(bob)
    url = reverse("cases:conference_minutes", args=[case.number, conference.pk])
    anonymous = client.get(url).content.decode()
    assert "Anak Uji" not in anonymous and "A.U." in anonymous and "Visum" in anonymous
    named = client.get(url + "?identitas=1").content.decode()
    assert "Anak Uji" in named
    assert AuditEvent.objects.filter(action="case.export", details__format="conference_minutes").count() == 2


# --- Referrals ------------------------------------------------------------------------------------


@pytest.fixture
def referral(case, bob):
    return services.case_refer(
        actor=bob, case=case, institution="unit_ppa", date=TODAY() - dt.timedelta(days=8)
    )


def test_a_referral_without_an_answer_brings_one_reminder(referral, bob, settings):
    settings.SIGAP_REFERRAL_ANSWER_DAYS = 7

    assert casework_services.referral_reminders().created == 1
    assert casework_services.referral_reminders().created == 0

    task = CaseTask.objects.get(referral=referral)
    assert task.owner_user == bob and task.source == "rujukan"


def test_the_answer_and_outcome_close_the_loop_and_the_reminder(referral, bob):
    casework_services.referral_reminders()
    with pytest.raises(ValidationError):
        casework_services.referral_answer(actor=bob, referral=referral, accepted=False, answered_on=TODAY())

    casework_services.referral_answer(actor=bob, referral=referral, accepted=True, answered_on=TODAY())
    casework_services.referral_outcome(
        actor=bob, referral=referral, outcome="Visum selesai", outcome_on=TODAY()
    )

    referral.refresh_from_db()
    assert (referral.status, referral.answered_on, referral.outcome) == (
        ReferralStatus.DONE,
        TODAY(),
        "Visum selesai",
    )
    assert CaseTask.objects.get(referral=referral).state == CaseTask.State.DONE


def test_the_referral_answer_form_shows_errors_at_the_field(client_for, referral, bob):
    url = reverse("cases:referral_answer", args=[referral.case.number, referral.pk])
    response = client_for(bob).post(
        url, {"jawaban-answer": "ditolak", "jawaban-answered_on": TODAY().isoformat()}
    )

    assert response.status_code == 400
    assert "reason" in response.context["answer_form"].errors


def test_the_referral_letter_is_a_pdf_withholding_what_consent_does_not_allow(
    client_for, referral, bob, charlie
):
    response = client_for(bob).get(reverse("cases:referral_letter", args=[referral.case.number, referral.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    audit = AuditEvent.objects.filter(action="case.export", details__format="referral_letter").get()
    # The identities printed are exactly those cases.consent allows to share with Unit PPA.
    checks = consent.consent_checks(case=referral.case, purpose="berbagi", institution="unit_ppa")
    assert audit.details["identities"] == [pk for pk, c in checks.items() if c.allowed]
    assert (
        client_for(charlie)
        .get(reverse("cases:referral_letter", args=[referral.case.number, referral.pk]))
        .status_code
        == 403
    )


# --- Transfer ------------------------------------------------------------------------------------


def test_a_family_moving_city_is_transferred_not_closed(case, bob):
    f.make_ready_for_handling(case, actor=bob)
    case = services.case_change_status(actor=bob, case=case, to=Status.DITANGANI)

    casework_services.case_transfer(
        actor=bob,
        case=case,
        to_city="Kabupaten Kubu Raya",
        handover_note="Berkas ke UPTD PPA Kubu Raya",
        transferred_on=TODAY(),
    )

    case.refresh_from_db()
    assert case.status == Status.DIRUJUK and case.is_open
    assert case.tasks.filter(source="pindah", state="terbuka").exists()


def test_a_move_within_the_city_changes_the_area(case, bob):
    casework_services.case_transfer(
        actor=bob,
        case=case,
        to_kelurahan=f.kelurahan(f.SIANTAN_HULU),
        handover_note="Pindah ke rumah nenek",
        transferred_on=TODAY(),
    )
    case.refresh_from_db()
    assert case.kelurahan.code == f.SIANTAN_HULU and case.status == Status.ASESMEN


# --- The page, per role ---------------------------------------------------------------------------


def test_the_casework_page_per_role(
    client_for, case, bob, bella, charlie, carol, dave, django_assert_max_num_queries
):
    f.make_ready_for_handling(case, actor=bob)
    url = reverse("cases:casework", args=[case.number])

    with django_assert_max_num_queries(50):
        page = client_for(bob).get(url)
    assert page.status_code == 200 and "assessment" in page.context["forms"]
    kader_page = client_for(charlie).get(url)
    assert kader_page.status_code == 200 and kader_page.context["forms"] == {}
    assert client_for(bella).get(url).status_code == 404
    assert client_for(carol).get(url).status_code == 404
    assert client_for(dave).get(url).status_code == 404
    assert client_for(charlie).post(reverse("cases:assessment_add", args=[case.number])).status_code == 403


def test_the_plan_form_keeps_what_was_typed_on_an_error(client_for, case, bob):
    response = client_for(bob).post(
        reverse("cases:plan_add", args=[case.number]),
        {
            "rencana-goals": "Anak aman",
            "aksi-TOTAL_FORMS": "1",
            "aksi-INITIAL_FORMS": "0",
            "aksi-0-title": "Kunjungan",
            "aksi-0-owner": "",
            "aksi-0-due_on": "",
        },
    )

    assert response.status_code == 400
    actions = response.context["forms"]["actions"]
    assert "owner" in actions.forms[0].errors and actions.forms[0]["title"].value() == "Kunjungan"


# --- KPAD's own request -----------------------------------------------------------------------------


def test_kpad_cannot_close_a_review_with_its_request_unanswered_unless_it_says_why(case, bob, dave):
    review, _created = escalation.escalate_case(case.pk, Escalation.Rule.MANUAL, "Perlu ditinjau", actor=bob)
    kpad_services.kpad_request_information(actor=dave, escalation=review, text="Bagaimana kondisi anak?")

    with pytest.raises(ValidationError) as error:
        kpad_services.kpad_resolve(actor=dave, escalation=review, note="Cukup.")
    assert "unanswered_reason" in error.value.message_dict

    kpad_services.kpad_resolve(
        actor=dave, escalation=review, note="Cukup.", unanswered_reason="Dijawab lisan."
    )
    review.refresh_from_db()
    assert review.state == Escalation.State.RESOLVED
    assert "Dijawab lisan." in case.events.filter(kind=CaseEvent.Kind.KPAD).first().note
    assert KpadMessage.objects.filter(escalation=review, answered_at__isnull=True).count() == 1


def test_the_casework_page_and_my_tasks_cost_the_same_queries_with_more_tasks(client_for, case, bob, charlie):
    f.make_ready_for_handling(case, actor=bob)
    casework_services.conference_record(actor=bob, case=case, held_on=TODAY(), decisions=[action(bob)])
    client = client_for(bob)
    pages = [reverse("cases:casework", args=[case.number]), reverse("cases:my_tasks")]

    def counts():
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx))
        return found

    before = counts()
    for days in range(4):
        casework_services.task_add(actor=bob, case=case, data=action(bob, days=days))
    casework_services.task_add(actor=bob, case=case, data=action(charlie, kind="kader"))
    casework_services.conference_record(actor=bob, case=case, held_on=TODAY(), decisions=[action(bob)])

    assert counts() == before
