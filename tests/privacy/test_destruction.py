"""Retention and destruction: the month's list, a supervisor's approval, what goes and what stays."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent, Notification
from cases import services as case_services
from cases.models import Attachment, Case, Child, IntakeDraft, Person
from privacy import services
from privacy.models import DestructionItem, DestructionList, LegalHold, RecordType
from privacy.tasks import destruction_list_build_task
from tests import factories as f

from .conftest import close_case

CHILD = "Kenanga Sintetis"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _case(bob, name=CHILD, **kwargs):
    return f.make_case(
        actor=bob,
        children=[case_services.ChildData(name=name, sex="P", birth_date=dt.date(2010, 1, 5))],
        **kwargs,
    )


def test_the_month_list_holds_what_is_due_and_nothing_else(bob, kasubid):
    old = close_case(_case(bob), years_ago=11)
    unfounded = close_case(_case(bob, name="Anak Dua"), years_ago=3, status="ditutup")
    close_case(_case(bob, name="Anak Tiga"), years_ago=9)  # completed, not yet 10 years
    close_case(_case(bob, name="Anak Empat"), years_ago=1, status="ditutup")  # unfounded, not yet 2 years
    _case(bob, name="Anak Lima")  # open

    built = services.destruction_list_build()

    items = {(i.record_type, i.record_id) for i in built.items.all()}
    assert items == {(RecordType.CASE_COMPLETED, old.pk), (RecordType.CASE_UNFOUNDED, unfounded.pk)}
    assert {i.label for i in built.items.all()} == {old.number, unfounded.number}
    # The supervisor is told, without any child's identity.
    note = Notification.objects.get(user=kasubid, kind="privacy.destruction_list")
    assert CHILD not in str(note.params) + str(note.display_title) + str(note.display_body)
    assert not Notification.objects.filter(user=bob, kind="privacy.destruction_list").exists()


def test_building_twice_gives_one_list_and_the_task_is_the_service(bob, kasubid):
    close_case(_case(bob), years_ago=11)
    destruction_list_build_task.delay()
    destruction_list_build_task.delay()
    assert DestructionList.objects.count() == 1
    assert DestructionItem.objects.count() == 1


def test_nothing_due_builds_no_list(bob):
    close_case(_case(bob), years_ago=1)
    assert services.destruction_list_build() is None
    assert DestructionList.objects.count() == 0


def test_a_held_case_never_appears_for_destruction(bob, kasubid):
    held = close_case(_case(bob), years_ago=20)
    services.legal_hold_place(
        actor=bob, case=held, reason="Perkara pidana masih berjalan", reference="12/Pid/2026"
    )
    assert services.destruction_list_build() is None
    assert AuditEvent.objects.filter(action="case.legal_hold", target_id=str(held.pk)).exists()


def test_an_approved_list_destroys_the_case_its_children_persons_and_files_and_keeps_the_audit(
    bob, kasubid, media
):
    case = close_case(_case(bob), years_ago=11)
    attachment = case_services.case_add_attachment(
        actor=bob,
        case=case,
        upload=SimpleUploadedFile("visum.pdf", b"%PDF-1.4 synthetic"),
        kind=Attachment.Kind.DOCUMENT,
        content_type="application/pdf",
    )
    path = attachment.file.name
    assert default_storage.exists(path)
    child_person = Child.objects.get(case=case).person
    # The same child in a later, open case: their record stays, the old case goes.
    other_child = _case(bob, name="Anak Lain")
    kept = Child.objects.get(case=other_child).person
    shared = f.make_case(actor=bob, children=[case_services.ChildData(name=kept.name, sex="P", person=kept)])
    Child.objects.create(case=case, person=kept)
    built = services.destruction_list_build()

    with pytest.raises(PermissionDenied):
        services.destruction_list_approve(actor=bob, destruction_list=built)  # not a supervisor
    with django_capture_on_commit():
        result = services.destruction_list_approve(actor=kasubid, destruction_list=built, note="Sesuai JRA")

    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Person.objects.filter(pk=child_person.pk).exists()
    assert Person.objects.filter(pk=kept.pk).exists()  # another case still names them
    assert Case.objects.filter(pk=shared.pk).exists()
    assert not default_storage.exists(path)
    assert result[RecordType.CASE_COMPLETED] == 1 and result["persons"] == 1 and result["files"] == 1
    built.refresh_from_db()
    assert built.state == DestructionList.State.DESTROYED and built.decided_by == kasubid
    assert built.items.get().outcome == DestructionItem.Outcome.DESTROYED

    rows = AuditEvent.objects.filter(
        action__in=["case.destroy", "person.destroy", "privacy.destruction_approve"]
    )
    assert {r.action for r in rows} == {"case.destroy", "person.destroy", "privacy.destruction_approve"}
    # The case's earlier audit rows are kept too; none of them carries the child's name.
    assert AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).count() >= 2
    assert all(CHILD not in str(r.details) for r in AuditEvent.objects.all())
    assert rows.get(action="case.destroy").details["number"] == case.number


def django_capture_on_commit():
    """The files go after the commit; a test's transaction never commits, so run the callbacks."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_a_case_held_or_reopened_after_the_list_was_built_is_kept(bob, kasubid):
    held = close_case(_case(bob), years_ago=11)
    reopened = close_case(_case(bob, name="Anak Dua"), years_ago=11)
    built = services.destruction_list_build()
    services.legal_hold_place(actor=bob, case=held, reason="Saksi di pengadilan")
    Case.objects.filter(pk=reopened.pk).update(status="ditangani", closed_at=None)

    services.destruction_list_approve(actor=kasubid, destruction_list=built)

    assert Case.objects.filter(pk__in=[held.pk, reopened.pk]).count() == 2
    outcomes = dict(built.items.values_list("record_id", "outcome"))
    assert outcomes == {
        held.pk: DestructionItem.Outcome.KEPT_HELD,
        reopened.pk: DestructionItem.Outcome.KEPT_CHANGED,
    }


def test_a_lifted_hold_lets_the_case_go_on_the_next_list(bob, kasubid):
    case = close_case(_case(bob), years_ago=11)
    hold = services.legal_hold_place(actor=bob, case=case, reason="Banding")
    with pytest.raises(ValidationError):
        services.legal_hold_place(actor=bob, case=case, reason="Lagi")
    services.legal_hold_lift(actor=bob, hold=hold, reason="Putusan berkekuatan hukum tetap")
    built = services.destruction_list_build()
    services.destruction_list_approve(actor=kasubid, destruction_list=built)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not LegalHold.objects.filter(pk=hold.pk).exists()
    assert AuditEvent.objects.filter(action="case.legal_hold_lift", target_id=str(case.pk)).exists()


def test_a_rejected_list_keeps_everything_and_cannot_be_decided_twice(bob, kasubid):
    case = close_case(_case(bob), years_ago=11)
    built = services.destruction_list_build()
    services.destruction_list_reject(actor=kasubid, destruction_list=built, note="Menunggu audit BPK")
    assert Case.objects.filter(pk=case.pk).exists()
    assert built.items.get().outcome == DestructionItem.Outcome.KEPT_REJECTED
    with pytest.raises(ValidationError):
        services.destruction_list_approve(actor=kasubid, destruction_list=built)
    assert AuditEvent.objects.filter(action="privacy.destruction_reject").count() == 1


def test_an_old_draft_goes_and_a_touched_one_stays(charlie, kasubid):
    draft = IntakeDraft.objects.create(user=charlie, data={"children-0-name": CHILD})
    IntakeDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=120))
    built = services.destruction_list_build()
    assert built.items.get().record_type == RecordType.DRAFT
    services.destruction_list_approve(actor=kasubid, destruction_list=built)
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()
    assert built.items.get().outcome == DestructionItem.Outcome.DESTROYED
