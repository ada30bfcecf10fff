"""The lifecycle rules kept by cases.services: transitions, closure reasons, reopening,
verification, and the timeline event, audit row and last activity every write leaves."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseCadre, CaseEvent, ClosureReason, ReferralStatus, Status
from cases.services import ALLOWED_TRANSITIONS, COMPLETION_REASONS, NO_FOLLOW_UP_REASONS, InvalidTransition
from tests import factories as f

pytestmark = pytest.mark.django_db

CLOSED = (Status.SELESAI, Status.DITUTUP)
ALL_PAIRS = [(a, b) for a in Status.values for b in Status.values]
ALLOWED_PAIRS = [(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets]
REFUSED_PAIRS = [(a, b) for a, b in ALL_PAIRS if (a, b) not in ALLOWED_PAIRS]


@pytest.fixture(autouse=True)
def _bob_supervises(bob):
    """Completing a case is a supervisor's decision (tests/cases/test_casework.py checks who
    may); these tests are about the lifecycle itself."""
    f.make_supervisor(bob)


def put_in_status(case: Case, status: str) -> Case:
    """Set up a case in a status directly (the lifecycle itself is what these tests exercise)."""
    reason = ""
    if status == Status.SELESAI:
        reason = ClosureReason.SERVICES_COMPLETE
    elif status == Status.DITUTUP:
        reason = ClosureReason.UNFOUNDED
    past = timezone.now() - dt.timedelta(days=5)
    Case.objects.filter(pk=case.pk).update(status=status, closure_reason=reason, last_activity_at=past)
    case.refresh_from_db()
    return case


def audit_actions(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )


def change_kwargs(from_status: str, to: str) -> dict:
    kwargs = {"to": to}
    if to == Status.SELESAI:
        kwargs["closure_reason"] = ClosureReason.SERVICES_COMPLETE
    elif to == Status.DITUTUP:
        kwargs["closure_reason"] = ClosureReason.DUPLICATE
    if from_status in CLOSED:
        kwargs["note"] = "Laporan baru dari sekolah."
    return kwargs


@pytest.mark.parametrize(("from_status", "to"), ALLOWED_PAIRS, ids=[f"{a}->{b}" for a, b in ALLOWED_PAIRS])
def test_it_makes_every_allowed_transition_with_event_audit_and_activity(bob, charlie, from_status, to):
    case = f.make_case(actor=charlie)
    if from_status == Status.ASESMEN:
        f.make_ready_for_handling(case, actor=bob)
    case = put_in_status(case, from_status)
    before = case.last_activity_at

    changed = services.case_change_status(
        actor=bob, case=case, ip="10.1.2.3", **change_kwargs(from_status, to)
    )

    case.refresh_from_db()
    assert case.status == to == changed.status
    assert case.last_activity_at > before
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).get()
    assert (event.from_status, event.to_status, event.actor) == (from_status, to, bob)
    audit = AuditEvent.objects.get(action="case.status", target_id=str(case.pk))
    assert audit.details["from"] == from_status and audit.details["to"] == to
    assert audit.ip_address == "10.1.2.3" and audit.actor == bob
    if to in CLOSED:
        assert case.closure_reason and case.closed_at is not None
    else:
        assert case.closure_reason == "" and case.closed_at is None


@pytest.mark.parametrize(("from_status", "to"), REFUSED_PAIRS, ids=[f"{a}->{b}" for a, b in REFUSED_PAIRS])
def test_it_refuses_a_transition_that_is_not_allowed(bob, charlie, from_status, to):
    case = put_in_status(f.make_case(actor=charlie), from_status)

    with pytest.raises(InvalidTransition):
        services.case_change_status(actor=bob, case=case, **change_kwargs(from_status, to))

    case.refresh_from_db()
    assert case.status == from_status
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS).exists()
    assert "case.status" not in audit_actions(case)


@pytest.mark.parametrize("to", [Status.SELESAI, Status.DITUTUP])
def test_it_requires_a_closure_reason(bob, charlie, to):
    case = put_in_status(
        f.make_case(actor=charlie), Status.ASESMEN if to == Status.DITUTUP else Status.DITANGANI
    )

    with pytest.raises(ValidationError) as exc:
        services.case_change_status(actor=bob, case=case, to=to)

    assert "closure_reason" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status not in CLOSED


@pytest.mark.parametrize(
    ("to", "wrong_reason"),
    [
        (Status.SELESAI, ClosureReason.UNFOUNDED),
        (Status.SELESAI, ClosureReason.DUPLICATE),
        (Status.DITUTUP, ClosureReason.SERVICES_COMPLETE),
        (Status.DITUTUP, ClosureReason.REINTEGRATED),
    ],
)
def test_it_accepts_only_the_reasons_that_fit_the_closing_status(bob, charlie, to, wrong_reason):
    case = put_in_status(
        f.make_case(actor=charlie), Status.ASESMEN if to == Status.DITUTUP else Status.DITANGANI
    )

    with pytest.raises(ValidationError) as exc:
        services.case_change_status(actor=bob, case=case, to=to, closure_reason=wrong_reason)

    assert "closure_reason" in exc.value.message_dict


def test_the_reason_lists_fit_their_status():
    assert ClosureReason.UNFOUNDED not in COMPLETION_REASONS
    assert ClosureReason.SERVICES_COMPLETE not in NO_FOLLOW_UP_REASONS


@pytest.mark.parametrize(
    ("closed", "reopened"), [(Status.SELESAI, Status.DITANGANI), (Status.DITUTUP, Status.DILAPORKAN)]
)
def test_reopening_needs_a_note_and_clears_the_closure(bob, charlie, closed, reopened):
    case = put_in_status(f.make_case(actor=charlie), closed)

    with pytest.raises(ValidationError) as exc:
        services.case_change_status(actor=bob, case=case, to=reopened, note="   ")
    assert "note" in exc.value.message_dict

    services.case_change_status(actor=bob, case=case, to=reopened, note="Korban melapor lagi.")
    case.refresh_from_db()
    assert case.status == reopened
    assert case.closure_reason == "" and case.closed_at is None


def test_verifying_assigns_the_actor_as_case_worker_by_default(bob, charlie):
    case = f.make_case(actor=charlie)

    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI)

    case.refresh_from_db()
    assert case.case_worker == bob
    assert case.triaged_at is not None


def test_verifying_assigns_the_chosen_case_worker(bob, bella, charlie):
    case = f.make_case(actor=charlie)

    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI, case_worker=bella)

    case.refresh_from_db()
    assert case.case_worker == bella


def test_verifying_refuses_a_case_worker_who_is_not_active_staff(bob, charlie, carol):
    case = f.make_case(actor=charlie)

    with pytest.raises(ValidationError) as exc:
        services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI, case_worker=carol)

    assert "case_worker" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.DILAPORKAN and case.case_worker is None


def test_a_note_is_an_event_with_audit_and_activity(charlie):
    case = put_in_status(f.make_case(actor=charlie), Status.DILAPORKAN)
    before = case.last_activity_at

    services.case_add_note(actor=charlie, case=case, note="Anak sudah sekolah lagi.", ip="10.0.0.9")

    case.refresh_from_db()
    event = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert event.note == "Anak sudah sekolah lagi." and event.actor == charlie
    assert case.last_activity_at > before
    assert "case.note" in audit_actions(case)


def test_a_visit_is_an_event_and_cannot_be_in_the_future(charlie):
    case = f.make_case(actor=charlie)
    today = timezone.localdate()

    with pytest.raises(ValidationError) as exc:
        services.case_add_visit(actor=charlie, case=case, visit_date=today + dt.timedelta(days=1), note="x")
    assert "visit_date" in exc.value.message_dict

    services.case_add_visit(actor=charlie, case=case, visit_date=today, note="Rumah dikunjungi.")
    event = case.events.get(kind=CaseEvent.Kind.VISIT)
    assert event.visit_date == today
    assert "case.visit" in audit_actions(case)


def test_a_service_is_recorded_with_its_event(bob, charlie):
    case = put_in_status(f.make_case(actor=charlie), Status.DITANGANI)
    before = case.last_activity_at

    service = services.case_add_service(
        actor=bob, case=case, service_type="psikologis", provider="UPTD PPA", date=timezone.localdate()
    )

    case.refresh_from_db()
    assert service.case == case and service.created_by == bob
    assert case.events.filter(kind=CaseEvent.Kind.SERVICE).count() == 1
    assert case.last_activity_at > before
    assert "case.service" in audit_actions(case)


def test_a_service_date_cannot_be_in_the_future(bob, charlie):
    case = f.make_case(actor=charlie)

    with pytest.raises(ValidationError):
        services.case_add_service(
            actor=bob,
            case=case,
            service_type="kesehatan",
            provider="RSUD",
            date=timezone.localdate() + dt.timedelta(days=2),
        )
    assert not case.services.exists()


def test_a_referral_and_its_status_update_are_events(bob, charlie):
    case = f.make_case(actor=charlie)

    referral = services.case_refer(
        actor=bob, case=case, institution="unit_ppa", date=timezone.localdate(), reason="Proses hukum"
    )
    services.referral_update_status(
        actor=bob, referral=referral, status=ReferralStatus.ACCEPTED, note="Diterima"
    )

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.status_note == "Diterima"
    kinds = list(case.events.values_list("kind", flat=True))
    assert CaseEvent.Kind.REFERRAL in kinds and CaseEvent.Kind.REFERRAL_UPDATE in kinds
    assert {"case.refer", "case.referral_status"} <= set(audit_actions(case))


def test_assigning_a_worker_requires_active_staff(bob, charlie, dave):
    case = f.make_case(actor=charlie)

    with pytest.raises(ValidationError):
        services.case_assign_worker(actor=bob, case=case, worker=dave)

    services.case_assign_worker(actor=bob, case=case, worker=bob)
    case.refresh_from_db()
    assert case.case_worker == bob
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).count() == 1
    assert "case.assign_worker" in audit_actions(case)


def test_assigning_a_cadre_twice_links_once_and_removing_unlinks(bob, charlie, carol):
    case = f.make_case(actor=charlie)

    services.case_assign_cadre(actor=bob, case=case, cadre=carol)
    services.case_assign_cadre(actor=bob, case=case, cadre=carol)
    assert CaseCadre.objects.filter(case=case, user=carol).count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).count() == 1

    services.case_remove_cadre(actor=bob, case=case, cadre=carol)
    assert not CaseCadre.objects.filter(case=case, user=carol).exists()
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).count() == 2
    assert {"case.assign_cadre", "case.remove_cadre"} <= set(audit_actions(case))


def test_only_an_active_cadre_can_accompany(bob, charlie, dave):
    case = f.make_case(actor=charlie)

    with pytest.raises(ValidationError):
        services.case_assign_cadre(actor=bob, case=case, cadre=dave)


def test_an_attachment_is_stored_under_a_random_name(bob, charlie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = f.make_case(actor=charlie)
    upload = SimpleUploadedFile("Surat Siti Aminah.pdf", b"%PDF-1.4 test", content_type="application/pdf")

    attachment = services.case_add_attachment(
        actor=bob, case=case, upload=upload, kind="dokumen", content_type="application/pdf"
    )

    assert attachment.original_name == "Surat Siti Aminah.pdf"
    assert "Siti" not in attachment.file.name and attachment.file.name.startswith(f"attachments/{case.year}/")
    assert (tmp_path / attachment.file.name).read_bytes() == b"%PDF-1.4 test"
    assert case.events.filter(kind=CaseEvent.Kind.ATTACHMENT).count() == 1
    audit = AuditEvent.objects.get(action="case.attachment_upload")
    assert "Siti" not in str(audit.details)


def test_recording_access_writes_an_audit_row_without_child_data(bob, charlie):
    case = f.make_case(actor=charlie)

    services.case_record_access(actor=bob, case=case, action="case.view", ip="192.0.2.7")

    audit = AuditEvent.objects.get(action="case.view")
    assert (audit.actor, audit.ip_address, audit.target_id) == (bob, "192.0.2.7", str(case.pk))
    assert "Anak Uji" not in str(audit.details)
