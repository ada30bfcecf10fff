"""Writes of the privacy app. Each owns its transaction and its audit row; no audit row carries a
child's identity or what a person typed (a reason may name someone): ids, kinds and counts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import Cap, user_can
from accounts.selectors import users_with_capability
from accounts.services import audit_record, notify
from cases.destruction import cases_destroy, drafts_destroy, drafts_untouched_before
from cases.models import Case

from . import messages
from .models import Breach, DestructionItem, DestructionList, LegalHold, RecordType, SubjectRequest
from .retention import BY_TYPE
from .selectors import records_due

CASE_TYPES = (RecordType.CASE_COMPLETED, RecordType.CASE_UNFOUNDED)


# --- legal hold -------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, actor: User, case: Case, reason: str, reference: str = "", ip=None) -> LegalHold:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists():
        raise ValidationError({"reason": _("This case is already under a legal hold.")})
    hold = LegalHold.objects.create(
        case=case, reason=reason, reference=reference, placed_by=actor, placed_at=timezone.now()
    )
    # Taken off any list waiting for a supervisor: a held case is never destroyed.
    DestructionItem.objects.filter(
        record_type__in=CASE_TYPES,
        record_id=case.pk,
        outcome=DestructionItem.Outcome.PENDING,
        destruction_list__state=DestructionList.State.PROPOSED,
    ).update(outcome=DestructionItem.Outcome.KEPT_HELD)
    audit_record(actor=actor, action="case.legal_hold", target=case, ip=ip, details={"hold": hold.pk})
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold, reason: str, ip=None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError({"reason": _("This hold was lifted already.")})
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        actor=actor, action="case.legal_hold_lift", target=hold.case, ip=ip, details={"hold": hold.pk}
    )
    return hold


# --- destruction lists ------------------------------------------------------------------------


def _month_start(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date().replace(day=1)


@transaction.atomic
def destruction_list_build(
    *, now: dt.datetime | None = None, actor: User | None = None
) -> DestructionList | None:
    """The month's list of records due for destruction, once per month (safe to run twice or on
    two workers: the month is unique). None when nothing is due and no list exists yet."""
    now = now or timezone.now()
    month = _month_start(now)
    existing = DestructionList.objects.filter(month=month).first()
    if existing is not None:
        return existing
    due = records_due(now=now)
    if not due:
        return None
    destruction_list, created = DestructionList.objects.get_or_create(month=month, defaults={"built_at": now})
    if not created:  # another worker built it in the meantime
        return destruction_list
    DestructionItem.objects.bulk_create(
        [DestructionItem(destruction_list=destruction_list, **row) for row in due]
    )
    counts = {}
    for row in due:
        counts[row["record_type"]] = counts.get(row["record_type"], 0) + 1
    audit_record(
        actor=actor, action="privacy.destruction_list", target=destruction_list, details={"due": counts}
    )
    url = reverse("privacy:destruction_detail", args=[destruction_list.pk])
    notify(
        users=users_with_capability(Cap.SUPERVISE),
        kind=messages.DESTRUCTION_LIST,
        params={"count": len(due)},
        url=url,
    )
    return destruction_list


def _lock_proposed(actor: User, destruction_list: DestructionList) -> DestructionList:
    if not user_can(actor, Cap.SUPERVISE):
        raise PermissionDenied
    locked = DestructionList.objects.select_for_update().get(pk=destruction_list.pk)
    if locked.state != DestructionList.State.PROPOSED:
        raise ValidationError({"note": _("This list has been decided already.")})
    return locked


@transaction.atomic
def destruction_list_approve(
    *, actor: User, destruction_list: DestructionList, note: str = "", ip=None
) -> dict:
    """Destroy what the list names, unless since it was built a record came under a legal hold,
    is no longer due (a case reopened, a draft touched) or is needed by another record."""
    destruction_list = _lock_proposed(actor, destruction_list)
    now = timezone.now()
    items = list(destruction_list.items.filter(outcome=DestructionItem.Outcome.PENDING))
    details = {"destruction_list": destruction_list.pk}
    outcome: dict[int, str] = {}

    for record_type in CASE_TYPES:
        wanted = {i.record_id: i for i in items if i.record_type == record_type}
        if not wanted:
            continue
        retention = BY_TYPE[record_type]
        held = set(
            LegalHold.objects.filter(case_id__in=wanted, lifted_at__isnull=True).values_list(
                "case_id", flat=True
            )
        )
        still_due = set(
            Case.objects.filter(
                pk__in=set(wanted) - held, status=retention.case_status, closed_at__lt=retention.cutoff(now)
            ).values_list("pk", flat=True)
        )
        for pk in wanted:
            if pk in held:
                outcome[pk] = DestructionItem.Outcome.KEPT_HELD
            elif pk not in still_due:
                outcome[pk] = DestructionItem.Outcome.KEPT_CHANGED
        # Lifted holds are the history of a case that is going: they go with it.
        LegalHold.objects.filter(case_id__in=still_due, lifted_at__isnull=False).delete()
        result = cases_destroy(case_ids=sorted(still_due), actor=actor, details=details, ip=ip)
        for pk in result.cases:
            outcome[pk] = DestructionItem.Outcome.DESTROYED
        for pk in result.skipped:
            outcome[pk] = DestructionItem.Outcome.KEPT_PROTECTED
        destruction_list.result["persons"] = destruction_list.result.get("persons", 0) + result.persons
        destruction_list.result["files"] = destruction_list.result.get("files", 0) + result.files
        for item in wanted.values():
            item.outcome = outcome[item.record_id]

    drafts = [i for i in items if i.record_type == RecordType.DRAFT]
    if drafts:
        cutoff = BY_TYPE[RecordType.DRAFT].cutoff(now)
        before = {i.record_id for i in drafts}
        drafts_destroy(draft_ids=sorted(before), untouched_before=cutoff, actor=actor, details=details, ip=ip)
        left = set(drafts_untouched_before(now).filter(pk__in=before).values_list("pk", flat=True))
        for item in drafts:
            item.outcome = (
                DestructionItem.Outcome.KEPT_CHANGED
                if item.record_id in left
                else DestructionItem.Outcome.DESTROYED
            )
    DestructionItem.objects.bulk_update(items, ["outcome"])

    for item in items:
        key = item.record_type if item.outcome == DestructionItem.Outcome.DESTROYED else "kept"
        destruction_list.result[key] = destruction_list.result.get(key, 0) + 1
    destruction_list.state = DestructionList.State.DESTROYED
    destruction_list.decided_by = actor
    destruction_list.decided_at = now
    destruction_list.decision_note = note
    destruction_list.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "result"])
    audit_record(
        actor=actor,
        action="privacy.destruction_approve",
        target=destruction_list,
        ip=ip,
        details={"result": destruction_list.result},
    )
    return destruction_list.result


@transaction.atomic
def destruction_list_reject(*, actor: User, destruction_list: DestructionList, note: str, ip=None) -> None:
    """Keep everything on the list; what is still due comes back on next month's list."""
    destruction_list = _lock_proposed(actor, destruction_list)
    destruction_list.items.filter(outcome=DestructionItem.Outcome.PENDING).update(
        outcome=DestructionItem.Outcome.KEPT_REJECTED
    )
    destruction_list.state = DestructionList.State.REJECTED
    destruction_list.decided_by = actor
    destruction_list.decided_at = timezone.now()
    destruction_list.decision_note = note
    destruction_list.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action="privacy.destruction_reject", target=destruction_list, ip=ip)


# --- data subjects' requests ------------------------------------------------------------------


def _request_due(received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(hours=settings.SIGAP_SUBJECT_REQUEST_HOURS)


@transaction.atomic
def subject_request_create(*, actor: User, ip=None, **fields) -> SubjectRequest:
    now = timezone.now()
    fields.setdefault("received_at", now)
    request = SubjectRequest.objects.create(
        recorded_by=actor, recorded_at=now, due_at=_request_due(fields["received_at"]), **fields
    )
    audit_record(
        actor=actor, action="privacy.subject_request", target=request, ip=ip, details={"kind": request.kind}
    )
    return request


@transaction.atomic
def subject_request_update(
    *, actor: User, request: SubjectRequest, status: str, answer: str = "", ip=None
) -> SubjectRequest:
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError({"status": _("This request has been answered already.")})
    closing = status not in SubjectRequest.OPEN
    if closing and not answer.strip():
        raise ValidationError({"answer": _("Write the answer given to the person who asked.")})
    request.status = status
    request.answer = answer
    if closing:
        request.answered_at = timezone.now()
        request.answered_by = actor
    request.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action="privacy.subject_request_update",
        target=request,
        ip=ip,
        details={"status": status, "in_time": closing and request.answered_at <= request.due_at},
    )
    return request


# --- breaches ---------------------------------------------------------------------------------


@transaction.atomic
def breach_create(*, actor: User, ip=None, **fields) -> Breach:
    now = timezone.now()
    breach = Breach.objects.create(
        recorded_by=actor,
        recorded_at=now,
        due_at=fields["found_at"] + dt.timedelta(hours=settings.SIGAP_BREACH_NOTICE_HOURS),
        **fields,
    )
    audit_record(
        actor=actor,
        action="privacy.breach",
        target=breach,
        ip=ip,
        details={"subjects": breach.subjects_count},
    )
    # Every supervisor and every admin hears of it at once: the clock is running.
    notify(
        users=(users_with_capability(Cap.SUPERVISE) | users_with_capability(Cap.MANAGE_USERS)).distinct(),
        kind=messages.BREACH,
        url=reverse("privacy:breach_detail", args=[breach.pk]),
    )
    return breach


NOTICES = {
    "subjects": ("subjects_notified_at", "subjects_notice"),
    "authority": ("authority_notified_at", "authority_notice"),
}


@transaction.atomic
def breach_record_notice(
    *, actor: User, breach: Breach, whom: str, at: dt.datetime, how: str, ip=None
) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    at_field, how_field = NOTICES[whom]
    if at < breach.found_at:
        raise ValidationError({"at": _("A notice cannot be sent before the breach was found.")})
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("This time is in the future.")})
    setattr(breach, at_field, at)
    setattr(breach, how_field, how)
    breach.save(update_fields=[at_field, how_field])
    audit_record(
        actor=actor,
        action="privacy.breach_notice",
        target=breach,
        ip=ip,
        details={"whom": whom, "in_time": at <= breach.due_at},
    )
    return breach
