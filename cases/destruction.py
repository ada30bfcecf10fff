"""Destroying cases and drafts whose retention period has run out (UU 27/2022 PDP).

Called by the privacy app once a supervisor has approved the month's destruction list; the
list, the legal holds and the retention periods are the privacy app's. What is destroyed here:

* the case and everything that hangs on it (children as victims in the case, perpetrators,
  consent, who must not be told, timeline, services, referrals, escalations, attachments);
* every Person the case named (a child, a guardian, a parent who consented, a perpetrator the
  Dinas identified, their family, records merged into them) that no remaining case names any
  more, nor is family of a person a remaining case names;
* the attachments' files, once the transaction has committed (a rollback keeps them).

One audit row per case and per person, naming them by id and case number only: the audit
row outlives the record and must carry no child's identity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q, QuerySet, RestrictedError

from accounts.models import User
from accounts.services import AuditTarget, audit_record

from .models import (
    Attachment,
    Case,
    Child,
    Consent,
    DoNotTell,
    FamilyLink,
    IntakeDraft,
    Perpetrator,
    Person,
)

logger = logging.getLogger(__name__)


@dataclass
class DestroyResult:
    cases: list[int] = field(default_factory=list)  # ids destroyed
    skipped: list[int] = field(default_factory=list)  # ids another record still protects
    persons: int = 0
    files: int = 0
    drafts: int = 0


def _in_use() -> Q:
    """Persons some case still names."""
    return (
        Q(Exists(Child.objects.filter(person=OuterRef("pk"))))
        | Q(Exists(Child.objects.filter(guardian=OuterRef("pk"))))
        | Q(Exists(Perpetrator.objects.filter(person=OuterRef("pk"))))
        | Q(Exists(Consent.objects.filter(given_by_person=OuterRef("pk"))))
        | Q(Exists(DoNotTell.objects.filter(person=OuterRef("pk"))))
    )


def _persons_named_by(case_ids: list[int]) -> set[int]:
    ids: set[int] = set()
    for model, fields in (
        (Child, ("person_id", "guardian_id")),
        (Perpetrator, ("person_id",)),
        (Consent, ("given_by_person_id",)),
        (DoNotTell, ("person_id",)),
    ):
        for row in model.objects.filter(case_id__in=case_ids).values_list(*fields):
            ids.update(pk for pk in row if pk)
    # Their family, and the records merged into them.
    links = FamilyLink.objects.filter(Q(person_id__in=ids) | Q(relative_id__in=ids))
    for person_id, relative_id in links.values_list("person_id", "relative_id"):
        ids.update((person_id, relative_id))
    ids.update(Person.objects.filter(merged_into_id__in=ids).values_list("pk", flat=True))
    return ids


def _persons_to_destroy(candidates: set[int]) -> set[int]:
    """Of the candidates, those no remaining case names and who are not family of one it names."""
    in_use = set(Person.objects.filter(pk__in=candidates).filter(_in_use()).values_list("pk", flat=True))
    named_anywhere = Person.objects.filter(_in_use())
    near = set(
        FamilyLink.objects.filter(person_id__in=candidates, relative__in=named_anywhere).values_list(
            "person_id", flat=True
        )
    ) | set(
        FamilyLink.objects.filter(relative_id__in=candidates, person__in=named_anywhere).values_list(
            "relative_id", flat=True
        )
    )
    doomed = candidates - in_use - near
    # A merged record goes with the record it was merged into, and stays while that one stays.
    merged = dict(
        Person.objects.filter(pk__in=doomed, merged_into__isnull=False).values_list("pk", "merged_into")
    )
    doomed -= {pk for pk, into in merged.items() if into not in doomed}
    while True:
        shells = set(Person.objects.filter(merged_into_id__in=doomed).values_list("pk", flat=True)) - doomed
        if not shells:
            return doomed
        doomed |= shells


@transaction.atomic
def cases_destroy(
    *, case_ids: list[int], actor: User | None, details: dict | None = None, ip: str | None = None
) -> DestroyResult:
    """Destroy these cases, the persons only they named, and their files (see the module)."""
    result = DestroyResult()
    details = details or {}
    cases = list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
    ids = [case.pk for case in cases]
    candidates = _persons_named_by(ids)
    files_by_case: dict[int, list[str]] = {}
    for case_id, name in Attachment.objects.filter(case_id__in=ids).values_list("case_id", "file"):
        files_by_case.setdefault(case_id, []).append(name)
    doomed_files: list[str] = []
    for case in cases:
        # One savepoint per case: a record of another app that protects a case (a model added
        # after this was written) keeps that case and lets the others go.
        pk = case.pk  # delete() empties it
        try:
            with transaction.atomic():
                case.delete()
        except (ProtectedError, RestrictedError, IntegrityError):
            logger.warning("case %s kept: another record protects it", pk)
            result.skipped.append(pk)
            continue
        result.cases.append(pk)
        doomed_files.extend(files_by_case.get(pk, []))
        audit_record(
            actor=actor,
            action="case.destroy",
            target=AuditTarget("cases.case", str(pk)),
            ip=ip,
            details={"number": case.number, **details},
        )

    persons = _persons_to_destroy(candidates)
    if persons:
        Person.objects.filter(pk__in=persons).update(merged_into=None)
        for pk in sorted(persons):
            try:
                with transaction.atomic():
                    Person.objects.filter(pk=pk).delete()
            except (ProtectedError, RestrictedError, IntegrityError):  # another record still names them
                logger.warning("person %s kept: another record protects them", pk)
                continue
            result.persons += 1
            audit_record(
                actor=actor,
                action="person.destroy",
                target=AuditTarget("cases.person", str(pk)),
                ip=ip,
                details=details,
            )

    result.files = len(doomed_files)
    transaction.on_commit(lambda: _delete_files(doomed_files))
    return result


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete an attachment's file of a destroyed case")


@transaction.atomic
def drafts_destroy(
    *, draft_ids: list[int], untouched_before, actor: User | None, details: dict | None = None, ip=None
) -> int:
    """Delete unsent intake drafts not touched since ``untouched_before`` (one touched since stays)."""
    drafts = IntakeDraft.objects.filter(pk__in=draft_ids, updated_at__lt=untouched_before)
    ids = list(drafts.values_list("pk", flat=True))
    count, _ = IntakeDraft.objects.filter(pk__in=ids).delete()
    for pk in ids:
        audit_record(
            actor=actor,
            action="draft.destroy",
            target=AuditTarget("cases.intakedraft", str(pk)),
            ip=ip,
            details=details or {},
        )
    return len(ids)


def closed_cases_before(*, status: str, closed_before) -> QuerySet[Case]:
    """Cases of this closed status that were closed before the moment (retention's candidates)."""
    return Case.objects.filter(status=status, closed_at__lt=closed_before)


def drafts_untouched_before(moment) -> QuerySet[IntakeDraft]:
    return IntakeDraft.objects.filter(updated_at__lt=moment)
