"""Reads of the privacy app: what is due for destruction, the holds, the registers, scoped."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.policy import area_filter
from cases.destruction import closed_cases_before, drafts_untouched_before
from cases.models import Case
from cases.selectors import cases_visible_to

from .models import Breach, DestructionItem, DestructionList, LegalHold, RecordType, SubjectRequest
from .retention import RETENTIONS


def held_case_ids() -> QuerySet:
    return LegalHold.objects.filter(lifted_at__isnull=True).values("case_id")


def active_hold(case: Case) -> LegalHold | None:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).select_related("placed_by").first()


def holds_of(case: Case) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(case=case).select_related("placed_by", "lifted_by")


def active_holds_visible_to(*, user) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(lifted_at__isnull=True, case__in=cases_visible_to(user=user))
        .select_related("case", "placed_by")
        .order_by("-placed_at")
    )


def pending_record_ids(record_type: str) -> QuerySet:
    """Records already on a list waiting for a supervisor: not listed twice."""
    return DestructionItem.objects.filter(
        record_type=record_type,
        outcome=DestructionItem.Outcome.PENDING,
        destruction_list__state=DestructionList.State.PROPOSED,
    ).values("record_id")


def records_due(*, now: dt.datetime) -> list[dict]:
    """Every record whose retention period has run out, held cases and listed records aside.
    One query per record type."""
    due = []
    for retention in RETENTIONS:
        cutoff = retention.cutoff(now)
        pending = pending_record_ids(retention.record_type)
        if retention.case_status:
            rows = (
                closed_cases_before(status=retention.case_status, closed_before=cutoff)
                .exclude(pk__in=held_case_ids())
                .exclude(pk__in=pending)
                .values_list("pk", "number", "closed_at", "kelurahan_id")
                .order_by("closed_at", "pk")
            )
        else:
            rows = (
                drafts_untouched_before(cutoff)
                .exclude(pk__in=pending)
                .values_list("pk", "pk", "updated_at")
                .order_by("updated_at", "pk")
            )
        for pk, label, since, *kelurahan in rows:
            due.append(
                {
                    "record_type": retention.record_type,
                    "record_id": pk,
                    "label": label if retention.case_status else f"#{label}",
                    "since": since,
                    "due_on": retention.due_on(since),
                    "kelurahan_id": kelurahan[0] if kelurahan else None,
                }
            )
    return due


def destruction_lists() -> QuerySet[DestructionList]:
    return DestructionList.objects.select_related("decided_by")


def list_items_for(*, user, destruction_list: DestructionList) -> tuple[list[DestructionItem], int]:
    """The list's items in this user's area (a petugas limited to a kecamatan sees that
    kecamatan's; the kelurahan is kept on the item, so this holds after destruction) and the
    number left out. A case still there and visible is linked."""
    items = destruction_list.items.all()
    area = area_filter(user, kelurahan_path="kelurahan")
    shown = list(items.filter(area | Q(kelurahan__isnull=True)) if area is not None else items)
    outside = destruction_list.items.count() - len(shown)
    case_types = {RecordType.CASE_COMPLETED, RecordType.CASE_UNFOUNDED}
    case_ids = [i.record_id for i in shown if i.record_type in case_types]
    visible = set(cases_visible_to(user=user).filter(pk__in=case_ids).values_list("pk", flat=True))
    for item in shown:
        item.case_still_there = item.record_type in case_types and item.record_id in visible
    return shown, outside


def subject_requests() -> QuerySet[SubjectRequest]:
    """Every request: the register is the Dinas', not an area's (a request often names no case)."""
    return SubjectRequest.objects.select_related("recorded_by", "answered_by")


def open_subject_requests() -> QuerySet[SubjectRequest]:
    return subject_requests().filter(status__in=SubjectRequest.OPEN).order_by("due_at", "id")


def breaches() -> QuerySet[Breach]:
    return Breach.objects.select_related("recorded_by")


def breaches_with_open_notices() -> QuerySet[Breach]:
    return breaches().filter(Q(subjects_notified_at__isnull=True) | Q(authority_notified_at__isnull=True))
