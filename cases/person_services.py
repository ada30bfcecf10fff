"""Writes to persons: a child's record across cases, their family, and merging duplicates.

A report names each child; ``child_person`` finds or makes the Person the case's Child row
points at (an existing record the reporter chose, or a new one), and ``child_guardian`` the
parent or guardian named with them. Staff then link family members (``family_link_add``),
say which family member an alleged perpetrator is (``perpetrator_link_person``) and merge
two records of the same child (``person_merge``). Each write that a case's people should
see goes on that case's timeline, by the record's number, never a name; each writes an
audit row.

Scope (which records a user may choose, link or merge) is decided by cases.selectors before
these are called, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_record

from .models import (
    EVENT_MESSAGES,
    Case,
    CaseEvent,
    Child,
    Consent,
    DoNotTell,
    FamilyLink,
    Perpetrator,
    Person,
)

Relation = FamilyLink.Relation


class PersonError(ValidationError):
    pass


@dataclass
class ChildData:
    """A child as a report gives them: who they are (kept on their Person) and what is true
    of them in this case (kept on the Child row)."""

    name: str
    sex: str
    birth_date: dt.date | None = None
    estimated_age: int | None = None
    nik: str = ""
    school_level: str = ""
    disability: str = ""
    guardian_name: str = ""
    guardian_contact: str = ""
    guardian_relation: str = Relation.GUARDIAN
    person: Person | None = None  # an existing record of this child, chosen by the reporter
    child_id: int | None = None  # editing: the case's Child row this data is for
    # The victim's own coding (SIMFONI codes per victim). None: what the report says of the
    # case (a report with one child asks once, for the case).
    violence_types: list[str] | None = None
    online: bool | None = None
    online_prostitution: bool | None = None
    # The relation to each alleged perpetrator, by the perpetrator's place in the report's
    # list; a perpetrator not named here is related as the perpetrator's row says.
    relations: dict[int, str] = field(default_factory=dict)
    # What SIMFONI asks of a victim, optional at intake (CHILD_FACTS); a missing key is "".
    facts: dict = field(default_factory=dict)


# The Child row's own facts besides the school level and disability text: optional at intake,
# completed by the petugas on the case's edit (SIMFONI's victim form asks them).
CHILD_FACTS = (
    "occupation",
    "marital_status",
    "nationality",
    "has_disability",
    "disability_type",
    "home_address",
    "home_kelurahan_id",
    "tppo_recruitment",
    "tppo_destination",
    "tppo_destination_detail",
)


def _birth_year(data: ChildData, incident_date: dt.date) -> int | None:
    if data.birth_date is not None or data.estimated_age is None:
        return None
    return incident_date.year - data.estimated_age


def _timeline(case_ids, *, actor: User, code: str, params: dict, at: dt.datetime) -> None:
    EVENT_MESSAGES.check(code)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case_id=pk, kind=CaseEvent.Kind.PERSON, at=at, actor=actor, code=code, params=params)
            for pk in case_ids
        ]
    )


# --- At intake and on editing a report ----------------------------------------------------------


def child_person(*, actor: User, data: ChildData, incident_date: dt.date) -> Person:
    """The Person for a child of a new report: the existing record chosen (whose identity
    stays as it is; what it lacks is taken from the report), or a new record."""
    birth_year = _birth_year(data, incident_date)
    if data.person is not None:
        person = Person.objects.select_for_update().get(pk=data.person.pk)
        if person.merged_into_id is not None:
            raise PersonError(_("That child's record was merged into another one. Check the child again."))
        changed = []
        if not person.nik and data.nik:
            person.nik = data.nik
            changed.append("nik")
        if not person.sex and data.sex:
            person.sex = data.sex
            changed.append("sex")
        if person.birth_date is None and data.birth_date is not None:
            person.birth_date, person.birth_year = data.birth_date, None
            changed += ["birth_date", "birth_year"]
        elif person.birth_date is None and person.birth_year is None and birth_year is not None:
            person.birth_year = birth_year
            changed.append("birth_year")
        if changed:
            person.save(update_fields=changed)
        return person
    return Person.objects.create(
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        birth_year=birth_year,
        nik=data.nik,
        created_by=actor,
    )


def child_person_update(*, person: Person, data: ChildData, incident_date: dt.date) -> list[str]:
    """Editing a report corrects the child's record itself (the same child in every case)."""
    values = {
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "birth_year": _birth_year(data, incident_date),
        "nik": data.nik,
    }
    if data.birth_date is None and data.estimated_age is not None and person.birth_year is not None:
        # The same age on the same incident keeps the year; a year from another case stays.
        if person.age_on(incident_date) == data.estimated_age:
            values["birth_year"] = person.birth_year
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        person.save(update_fields=changed)
    return changed


def child_guardian(
    *, actor: User, child: Person, data: ChildData, current: Person | None = None
) -> Person | None:
    """The parent or guardian named with a child: the same person as before (their name or
    contact corrected, when nothing else names them), one of the child's carers already
    recorded under that name, or a new person tied to the child."""
    name = " ".join(data.guardian_name.split())
    if not name:
        return None
    if current is not None and (
        current.name.strip().upper() == name.upper() or _only_named_by_one_report(current)
    ):
        changed = [
            f for f, v in (("name", name), ("contact", data.guardian_contact)) if getattr(current, f) != v
        ]
        for field in changed:
            setattr(current, field, name if field == "name" else data.guardian_contact)
        if changed:
            current.save(update_fields=changed)
        FamilyLink.objects.filter(person=child, relative=current).exclude(
            relation=data.guardian_relation
        ).update(relation=data.guardian_relation)
        return current
    link = (
        FamilyLink.objects.select_related("relative")
        .filter(person=child, relative__name__iexact=name, relative__merged_into__isnull=True)
        .first()
    )
    if link is not None:
        guardian = link.relative
        if data.guardian_contact and guardian.contact != data.guardian_contact:
            guardian.contact = data.guardian_contact
            guardian.save(update_fields=["contact"])
        return guardian
    guardian = Person.objects.create(name=name, contact=data.guardian_contact, created_by=actor)
    FamilyLink.objects.create(
        person=child, relative=guardian, relation=data.guardian_relation, created_by=actor
    )
    return guardian


def _only_named_by_one_report(person: Person) -> bool:
    """A guardian named in one report only, and nowhere else: a correction renames them."""
    return (
        Child.objects.filter(guardian=person).count() == 1
        and not Child.objects.filter(person=person).exists()
        and not Perpetrator.objects.filter(person=person).exists()
        and not Consent.objects.filter(given_by_person=person).exists()
        and not DoNotTell.objects.filter(person=person).exists()
        and FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).count() <= 1
    )


def person_is_orphan(person: Person) -> bool:
    """Nothing but family links refers to this record: no case, consent or do-not-tell."""
    return not (
        Child.objects.filter(Q(person=person) | Q(guardian=person)).exists()
        or Perpetrator.objects.filter(person=person).exists()
        or Consent.objects.filter(given_by_person=person).exists()
        or DoNotTell.objects.filter(person=person).exists()
        or Person.objects.filter(merged_into=person).exists()
    )


def person_delete_if_orphan(person: Person | None) -> bool:
    """A child's record made by a report and taken out of it again leaves no identity behind,
    nor do the family members that only it was tied to. A record another case, a consent or
    another record still needs stays."""
    if person is None or not person_is_orphan(person):
        return False
    relatives = {
        pk
        for pair in FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).values_list(
            "person_id", "relative_id"
        )
        for pk in pair
    } - {person.pk}
    person.delete()  # its family links go with it
    for relative in Person.objects.filter(pk__in=relatives):
        if (
            person_is_orphan(relative)
            and not FamilyLink.objects.filter(Q(person=relative) | Q(relative=relative)).exists()
        ):
            relative.delete()
    return True


def person_record_access(
    *, actor: User, person: Person, action: str, ip: str | None = None, **details
) -> None:
    """Record that a user saw a child's record (a duplicate match, the child's page)."""
    audit_record(actor=actor, action=action, target=person, ip=ip, details=details)


# --- Family links ---------------------------------------------------------------------------------


@transaction.atomic
def family_link_add(
    *,
    actor: User,
    person: Person,
    relation: str,
    relative: Person | None = None,
    name: str = "",
    sex: str = "",
    birth_date: dt.date | None = None,
    nik: str = "",
    contact: str = "",
    ip: str | None = None,
) -> FamilyLink:
    """Tie ``relative`` (an existing record, or a new one from the name and details) to a
    child's record as their sibling, parent, guardian or other relative."""
    if relative is None:
        name = " ".join(name.split())
        if not name:
            raise PersonError({"name": _("Give the family member's name, or choose a known record.")})
        relative = Person.objects.create(
            name=name, sex=sex, birth_date=birth_date, nik=nik, contact=contact, created_by=actor
        )
    if relative.pk == person.pk:
        raise PersonError({"relative": _("A record cannot be tied to itself.")})
    if FamilyLink.objects.filter(
        Q(person=person, relative=relative) | Q(person=relative, relative=person)
    ).exists():
        raise PersonError({"relative": _("These two records are already tied.")})
    link = FamilyLink.objects.create(person=person, relative=relative, relation=relation, created_by=actor)
    audit_record(
        actor=actor,
        action="person.family_link",
        target=person,
        ip=ip,
        details={"relative": relative.pk, "relation": relation, "link": link.pk},
    )
    return link


@transaction.atomic
def family_link_remove(*, actor: User, link: FamilyLink, ip: str | None = None) -> None:
    person, relative = link.person, link.relative
    details = {"relative": relative.pk, "relation": link.relation, "link": link.pk}
    link.delete()
    audit_record(actor=actor, action="person.family_unlink", target=person, ip=ip, details=details)
    if (
        person_is_orphan(relative)
        and not FamilyLink.objects.filter(Q(person=relative) | Q(relative=relative)).exists()
    ):
        relative.delete()  # a family member known only through this link leaves no identity behind


# --- Who an alleged perpetrator is -------------------------------------------------------------


@transaction.atomic
def perpetrator_link_person(
    *, actor: User, perpetrator: Perpetrator, person: Person | None, ip: str | None = None
) -> Perpetrator:
    """Say which family member an alleged perpetrator is (or that it is not known). From then
    on that person can neither give nor refuse consent in the case, and a consent they gave
    before no longer counts (cases.consent)."""
    perpetrator = Perpetrator.objects.select_for_update().get(pk=perpetrator.pk)
    if perpetrator.person_id == (person.pk if person else None):
        return perpetrator
    perpetrator.person = person
    perpetrator.save(update_fields=["person"])
    now = timezone.now()
    case = Case.objects.only("pk", "number").get(pk=perpetrator.case_id)
    if person is not None:
        code, params = "perpetrator.linked", {"relation": perpetrator.relation, "record": person.reference}
    else:
        code, params = "perpetrator.unlinked", {"relation": perpetrator.relation}
    _timeline([case.pk], actor=actor, code=code, params=params, at=now)
    Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    audit_record(
        actor=actor,
        action="case.perpetrator_person",
        target=case,
        ip=ip,
        details={"perpetrator": perpetrator.pk, "person": person.pk if person else None},
    )
    return perpetrator


# --- Merging two records of the same child -----------------------------------------------------


@dataclass
class MergePlan:
    """What merging ``other`` into ``keep`` would do: shown before, done by person_merge."""

    keep: Person
    other: Person
    case_ids: list[int]  # the cases of the record that goes
    shared_case_ids: list[int]  # cases with both records as children: a merge is refused
    filled: dict  # identity fields ``keep`` lacks and takes from ``other``
    differences: list[str]  # identity fields both have, with different values (``keep``'s stay)
    family_links: int
    consents: int


IDENTITY_FIELDS = ("name", "sex", "birth_date", "birth_year", "nik")


def person_merge_plan(*, keep: Person, other: Person) -> MergePlan:
    case_ids = sorted(set(Child.objects.filter(person=other).values_list("case_id", flat=True)))
    keep_cases = set(Child.objects.filter(person=keep).values_list("case_id", flat=True))
    filled, differences = {}, []
    for name in IDENTITY_FIELDS:
        mine, theirs = getattr(keep, name), getattr(other, name)
        if mine in (None, "") and theirs not in (None, ""):
            if name == "birth_year" and keep.birth_date is not None:
                continue
            filled[name] = theirs
        elif mine not in (None, "") and theirs not in (None, "") and mine != theirs:
            if name == "name" and str(mine).strip().upper() == str(theirs).strip().upper():
                continue
            differences.append(name)
    if "birth_date" in filled:
        filled.pop("birth_year", None)
    return MergePlan(
        keep=keep,
        other=other,
        case_ids=case_ids,
        shared_case_ids=sorted(keep_cases & set(case_ids)),
        filled=filled,
        differences=differences,
        family_links=FamilyLink.objects.filter(Q(person=other) | Q(relative=other)).count(),
        consents=Consent.objects.filter(child__person=other).count(),
    )


@transaction.atomic
def person_merge(*, actor: User, keep: Person, other: Person, reason: str, ip: str | None = None) -> Person:
    """Merge two records of the same child: every case, event, consent and family link of
    ``other`` moves to ``keep``; what ``keep`` lacks of the identity it takes from ``other``;
    ``other`` stays as a pointer to ``keep`` (its address leads there) and takes part in
    nothing any more. Recorded on every case concerned and in the audit log."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PersonError({"reason": _("Say why these are the same child.")})
    if keep.pk == other.pk:
        raise PersonError(_("A record cannot be merged with itself."))
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")
    }
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.merged_into_id or other.merged_into_id:
        raise PersonError(_("One of these records has already been merged into another one."))
    if not other.child_rows.exists() or not keep.child_rows.exists():
        raise PersonError(_("Only two records of children in cases can be merged."))
    plan = person_merge_plan(keep=keep, other=other)
    if plan.shared_case_ids:
        numbers = ", ".join(Case.objects.filter(pk__in=plan.shared_case_ids).values_list("number", flat=True))
        raise PersonError(
            _("Both records are children of case %(numbers)s: they are two children, not one.")
            % {"numbers": numbers}
        )
    keep_cases = list(Child.objects.filter(person=keep).values_list("case_id", flat=True).distinct())

    Child.objects.filter(person=other).update(person=keep)
    Child.objects.filter(guardian=other).update(guardian=keep)
    Perpetrator.objects.filter(person=other).update(person=keep)
    Consent.objects.filter(given_by_person=other).update(given_by_person=keep)
    DoNotTell.objects.filter(person=other).update(person=keep)
    # Family links: re-pointed, except a link between the two and one keep already has.
    FamilyLink.objects.filter(Q(person=keep, relative=other) | Q(person=other, relative=keep)).delete()
    known = set(FamilyLink.objects.filter(person=keep).values_list("relative_id", flat=True)) | set(
        FamilyLink.objects.filter(relative=keep).values_list("person_id", flat=True)
    )
    moved_links = 0
    for link in FamilyLink.objects.filter(Q(person=other) | Q(relative=other)):
        far = link.relative_id if link.person_id == other.pk else link.person_id
        if far in known:
            link.delete()
            continue
        if link.person_id == other.pk:
            link.person = keep
        else:
            link.relative = keep
        link.save(update_fields=["person", "relative"])
        known.add(far)
        moved_links += 1

    for name, value in plan.filled.items():
        setattr(keep, name, value)
    if plan.filled:
        keep.save(update_fields=list(plan.filled))
    now = timezone.now()
    other.merged_into, other.merged_at, other.merged_by = keep, now, actor
    other.save(update_fields=["merged_into", "merged_at", "merged_by"])
    Person.objects.filter(merged_into=other).update(merged_into=keep)  # pointers stay one hop

    affected = sorted(set(plan.case_ids) | set(keep_cases))
    _timeline(
        affected,
        actor=actor,
        code="person.merged",
        params={"other": other.reference, "keep": keep.reference},
        at=now,
    )
    audit_record(
        actor=actor,
        action="person.merge",
        target=keep,
        ip=ip,
        details={
            "merged": other.pk,
            "cases_moved": plan.case_ids,
            "filled": sorted(plan.filled),
            "family_links_moved": moved_links,
            "reason": reason,
        },
    )
    return keep
