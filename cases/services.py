"""Writes to cases. Each service owns its transaction, its timeline event and its audit row.

Views decide *whether* a user may act (cases.selectors); services keep the
case's own rules (allowed transitions, closure reasons, dates) and record
who did what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import Cap, user_can
from accounts.services import audit_record
from cadres.models import CadreActivity
from cadres.services import cadre_activity_from_case
from kelurahan.selectors import kelurahan_for_report

from . import attachments as attachment_files
from . import casework_selectors, selectors
from . import consent as consent_rules
from .consent_services import do_not_tell_add
from .models import (
    EVENT_MESSAGES,
    Attachment,
    Case,
    CaseCadre,
    CaseEvent,
    CaseNumberSequence,
    CaseViolence,
    Child,
    ChildViolence,
    ClosureReason,
    ConsentInstitution,
    ConsentPurpose,
    IntakeDraft,
    Perpetrator,
    Referral,
    Service,
    Status,
    VictimPerpetrator,
    ViolenceType,
)
from .person_services import (
    CHILD_FACTS,
    ChildData,
    child_guardian,
    child_person,
    child_person_update,
    person_delete_if_orphan,
)
from .tasks import escalate_after_intake

NUMBER_PREFIX = "SGP"

ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DILAPORKAN: (Status.DIVERIFIKASI, Status.DITUTUP),
    Status.DIVERIFIKASI: (Status.ASESMEN, Status.DITUTUP),
    Status.ASESMEN: (Status.DITANGANI, Status.DIRUJUK, Status.DITUTUP),
    Status.DITANGANI: (Status.DIRUJUK, Status.SELESAI),
    Status.DIRUJUK: (Status.DITANGANI, Status.SELESAI),
    # Reopening: a completed case goes back to handling, a closed one back to triage.
    Status.SELESAI: (Status.DITANGANI,),
    Status.DITUTUP: (Status.DILAPORKAN,),
}
COMPLETION_REASONS = (
    ClosureReason.SERVICES_COMPLETE,
    ClosureReason.REINTEGRATED,
    ClosureReason.HANDED_OVER,
    ClosureReason.MOVED,
    ClosureReason.OTHER,
)
NO_FOLLOW_UP_REASONS = (
    ClosureReason.UNFOUNDED,
    ClosureReason.DUPLICATE,
    ClosureReason.NO_CONTACT,
    ClosureReason.OTHER,
)


class InvalidTransition(ValidationError):
    pass


class EditConflict(ValidationError):
    """The report was saved by someone else since this edit form was opened: saving it would
    silently undo their change (issue: lost update), so the edit is refused."""


class DuplicateChild(ValidationError):
    """A record of a child of the report appeared while it was being sent (another report of
    the same child, sent at the same moment): the reporter must look before a second case."""


__all__ = ["ChildData", "PerpetratorData"]  # with the services below; ChildData lives with persons


@dataclass
class PerpetratorData:
    relation: str
    sex: str = ""
    age: int | None = None
    is_child: bool = False
    perpetrator_id: int | None = None  # editing: the case's Perpetrator row this data is for
    education: str = ""
    occupation: str = ""
    nationality: str = ""


PERPETRATOR_FIELDS = ("relation", "sex", "age", "is_child", "education", "occupation", "nationality")


CASE_FIELDS = (
    "incident_date",
    "incident_time",
    "place_type",
    "address",
    "kelurahan",
    "online",
    "online_prostitution",
    "protection_category",
    "risk",
    "narrative",
    "source",
    "reporter_name",
    "reporter_contact",
    "family_informed",
    "family_informed_who",
    "family_informed_on",
)


def _check_report_area(*, actor: User, kelurahan) -> None:
    """A petugas limited to a kecamatan reports and moves cases only within it."""
    if kelurahan is not None and not kelurahan_for_report(user=actor).filter(pk=kelurahan.pk).exists():
        raise ValidationError({"kelurahan": _("You can only report a case in a kelurahan of your own area.")})


def case_next_number(*, year: int) -> tuple[int, str]:
    """Take the next number of the year. Must run inside the intake transaction: the
    year's counter row stays locked until it commits, so concurrent intakes queue
    for a moment instead of colliding."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{NUMBER_PREFIX}-{year}-{sequence.last:05d}"


def _event(
    case: Case,
    *,
    actor: User,
    kind: str,
    at: dt.datetime,
    code: str = "",
    params: dict | None = None,
    **fields,
) -> CaseEvent:
    """A timeline entry: what the system says happened as a code of cases/messages.py and its
    parameters (rendered in the reader's language), what the person typed as ``note``."""
    if code:
        EVENT_MESSAGES.check(code)
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, at=at, code=code, params=params or {}, **fields
    )


def _touch(case: Case, at: dt.datetime, *extra_fields: str) -> None:
    case.last_activity_at = at
    case.save(update_fields=["last_activity_at", "updated_at", *extra_fields])


def count_cadre_activity(*, actor: User, case: Case, event: CaseEvent | None = None) -> None:
    """A kader's report, and a kader's follow-up on a case they accompany, count as the cadre's
    activity (recorded once per case or event by the cadres app). The summary names the case
    by its number only."""
    with translation.override(settings.LANGUAGE_CODE):
        if event is None:
            cadre_activity_from_case(
                user=actor,
                kind=CadreActivity.Kind.CASE_REPORT,
                at=case.reported_at,
                summary=gettext("Reported case %(number)s") % {"number": case.number},
                source=("cases.case", str(case.pk)),
            )
        elif CaseCadre.objects.filter(case=case, user=actor).exists():
            cadre_activity_from_case(
                user=actor,
                kind=CadreActivity.Kind.CASE_FOLLOW_UP,
                at=event.at,
                summary=gettext("Follow-up on case %(number)s: %(kind)s")
                % {"number": case.number, "kind": event.get_kind_display()},
                source=("cases.caseevent", str(event.pk)),
            )


def _child_lock_id(data: ChildData) -> int | None:
    """The advisory lock of one child as typed: by NIK, else by name and birth date (what the
    duplicate check matches on). A hash, so no identity reaches pg_locks."""
    if data.nik:
        basis = f"nik:{data.nik}"
    elif data.name and data.birth_date:
        basis = f"name:{' '.join(data.name.lower().split())}:{data.birth_date.isoformat()}"
    else:
        return None
    return int.from_bytes(hashlib.sha256(basis.encode()).digest()[:8], "big", signed=True)


def _children_recheck(*, actor: User, children: list[ChildData]) -> None:
    """The intake's duplicate check, again, under a lock per child: two reports of the same
    child sent at the same moment both passed the form's check, and without this both would
    make a case. The second waits for the first to commit, then finds its record and goes back
    to the reporter, who sees the record and chooses (the same child, or a new one)."""
    new = [data for data in children if data.person is None]
    locks = sorted({lock for lock in map(_child_lock_id, new) if lock is not None})
    if not locks:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for lock in locks:  # in one order, so two intakes never wait on each other's
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
    staff = selectors.user_sees_elsewhere(actor)
    for data in new:
        found = selectors.matching_persons(
            user=actor, nik=data.nik, name=data.name, birth_date=data.birth_date
        )
        if found.visible or (found.elsewhere and staff):
            raise DuplicateChild(
                _(
                    "A record of this child was saved a moment ago, perhaps by the same report sent "
                    "twice. Check the records found below before sending again."
                )
            )


@transaction.atomic
def case_create(
    *,
    actor: User,
    violence_types: list[str],
    children: list[ChildData],
    perpetrators: list[PerpetratorData] = (),
    do_not_tell: str = "",
    check_duplicates: bool = False,
    ip: str | None = None,
    now: dt.datetime | None = None,
    **fields,
) -> Case:
    """A new case, as reported. Needs nobody's consent (UU 35/2014 obliges everyone to report
    violence against a child): who in the family was told is recorded, and ``do_not_tell``
    says, in the reporter's words, who else (beyond the alleged perpetrators) must not be.

    ``check_duplicates`` (the intake form, unless the reporter confirmed new children): a
    child's record that appeared since the form's own check refuses the report
    (DuplicateChild), under a lock, so two identical reports sent at once make one case."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"case_create() got unexpected fields {sorted(unknown)}")
    if not children:
        raise ValidationError(_("A case needs at least one child."))
    if not violence_types:
        raise ValidationError(_("Choose at least one type of violence."))
    _check_report_area(actor=actor, kelurahan=fields.get("kelurahan"))
    if check_duplicates:
        _children_recheck(actor=actor, children=children)
    now = now or timezone.now()
    year = timezone.localtime(now).year
    sequence, number = case_next_number(year=year)
    case = Case(
        number=number,
        year=year,
        sequence=sequence,
        status=Status.DILAPORKAN,
        reported_by=actor,
        reported_at=now,
        last_activity_at=now,
        **fields,
    )
    case.full_clean(exclude=["number", "year", "sequence"])
    case.save()
    rows = [_child_create(case, data, actor=actor) for data in children]
    made = Perpetrator.objects.bulk_create(
        [Perpetrator(case=case, **_perpetrator_fields(p)) for p in perpetrators]
    )
    _victim_coding_update(
        case,
        list(zip(rows, children, strict=True)),
        made,
        violence_types=violence_types,
        online=fields.get("online", False),
        online_prostitution=fields.get("online_prostitution", False),
    )
    if do_not_tell.strip():
        do_not_tell_add(actor=actor, case=case, note=do_not_tell, ip=ip, now=now)
    if user_can(actor, Cap.ACCOMPANY_CASES):
        # The reporting cadre accompanies the case from the start.
        CaseCadre.objects.create(case=case, user=actor, assigned_by=actor)
    _event(case, actor=actor, kind=CaseEvent.Kind.CREATED, at=now, to_status=Status.DILAPORKAN)
    IntakeDraft.objects.filter(user=actor).delete()
    escalate_after_intake(case.pk)  # the immediate rule, queued once this transaction commits
    audit_record(
        actor=actor,
        action="case.create",
        target=case,
        ip=ip,
        details={"number": case.number, "children": len(children), "perpetrators": len(perpetrators)},
    )
    count_cadre_activity(actor=actor, case=case)
    return case


def _perpetrator_fields(data: PerpetratorData) -> dict:
    return {name: getattr(data, name) for name in PERPETRATOR_FIELDS}


def _child_facts(data: ChildData) -> dict:
    facts = {name: data.facts.get(name, None if name == "home_kelurahan_id" else "") for name in CHILD_FACTS}
    facts.update(school_level=data.school_level, disability=data.disability)
    if facts["has_disability"] != "ya":
        facts["disability_type"] = ""
    kinds = data.violence_types
    if kinds is not None and ViolenceType.TRAFFICKING not in kinds:
        # TPPO details belong to a child coded as trafficked; other children carry none.
        facts.update(tppo_recruitment="", tppo_destination="", tppo_destination_detail="")
    return facts


def _child_create(case: Case, data: ChildData, *, actor: User) -> Child:
    person = child_person(actor=actor, data=data, incident_date=case.incident_date)
    guardian = child_guardian(actor=actor, child=person, data=data)
    return Child.objects.create(case=case, person=person, guardian=guardian, **_child_facts(data))


def _victim_coding_update(
    case: Case,
    children: list[tuple[Child, ChildData]],
    perpetrators: list[Perpetrator],
    *,
    violence_types: list[str] | None,
    online: bool,
    online_prostitution: bool,
) -> bool:
    """Each child's types of violence, online marks and relation to each perpetrator, as the
    report gives them (a child the report says nothing particular of takes the case's), then
    the case's union of them (CaseViolence, Case.online...). Returns whether anything changed.

    Online prostitution is exploitation and online: a child so marked gets both, as the form
    shows. The rows are compared with what is stored, so an edit that changes nothing writes
    nothing."""
    changed = False
    kinds_of: dict[int, set[str]] = {}
    stored_kinds: dict[int, set[str]] = {}
    for child_id, kind in ChildViolence.objects.filter(child__case=case).values_list("child_id", "kind"):
        stored_kinds.setdefault(child_id, set()).add(kind)
    for child, data in children:
        kinds = data.violence_types if data.violence_types else (violence_types or None)
        if kinds is None:
            kinds = stored_kinds.get(child.pk, set())  # an edit that left the types alone
        kinds = set(kinds)
        prostitution = online_prostitution if data.online_prostitution is None else data.online_prostitution
        is_online = (online if data.online is None else data.online) or prostitution
        if prostitution and not kinds & {ViolenceType.EKSPLOITASI, ViolenceType.SEKSUAL}:
            kinds.add(ViolenceType.EKSPLOITASI)
        kinds_of[child.pk] = kinds
        if kinds != stored_kinds.get(child.pk, set()):
            ChildViolence.objects.filter(child=child).delete()
            ChildViolence.objects.bulk_create([ChildViolence(child=child, kind=k) for k in sorted(kinds)])
            changed = True
        if (child.online, child.online_prostitution) != (is_online, prostitution):
            child.online, child.online_prostitution = is_online, prostitution
            child.save(update_fields=["online", "online_prostitution"])
            changed = True
    # The victim–perpetrator pairs: one per child and perpetrator.
    wanted = {
        (child.pk, perpetrator.pk): data.relations.get(index) or perpetrator.relation
        for child, data in children
        for index, perpetrator in enumerate(perpetrators)
    }
    stored = {
        (link.child_id, link.perpetrator_id): link
        for link in VictimPerpetrator.objects.filter(perpetrator__case=case)
    }
    gone = [link.pk for key, link in stored.items() if key not in wanted]
    if gone:
        VictimPerpetrator.objects.filter(pk__in=gone).delete()
        changed = True
    for key, relation in wanted.items():
        link = stored.get(key)
        if link is None:
            VictimPerpetrator.objects.create(child_id=key[0], perpetrator_id=key[1], relation=relation)
            changed = True
        elif link.relation != relation:
            link.relation = relation
            link.save(update_fields=["relation"])
            changed = True
    _case_coding_sync(case)
    return changed


def _case_coding_sync(case: Case) -> None:
    """The case's types and online marks: the union of its children's (see CaseViolence)."""
    kinds = set(ChildViolence.objects.filter(child__case=case).values_list("kind", flat=True))
    if kinds != set(case.violences.values_list("kind", flat=True)):
        case.violences.all().delete()
        CaseViolence.objects.bulk_create([CaseViolence(case=case, kind=k) for k in sorted(kinds)])
    marks = case.children.aggregate(
        online=models.Max(Cast("online", models.IntegerField())),
        prostitution=models.Max(Cast("online_prostitution", models.IntegerField())),
    )
    online, prostitution = bool(marks["online"]), bool(marks["prostitution"])
    if (case.online, case.online_prostitution) != (online, prostitution):
        case.online, case.online_prostitution = online, prostitution
        case.save(update_fields=["online", "online_prostitution", "updated_at"])


def _children_update(
    case: Case, children: list[ChildData], *, actor: User
) -> tuple[list[tuple[Child, ChildData]], bool]:
    """Edit the case's children in place: a row kept is the same Child (and Person), so what
    hangs on it (consent, assessments) stays; a row taken out goes, and its record with it
    when no other case or consent needs it. Returns each row with its data, in the report's
    order, and whether anything changed."""
    existing = {c.pk: c for c in case.children.select_related("person", "guardian")}
    unknown = {c.child_id for c in children if c.child_id} - set(existing)
    if unknown:
        raise ValidationError(_("A child of this report was changed elsewhere. Open the report again."))
    changed = False
    kept = set()
    rows: list[tuple[Child, ChildData]] = []
    for data in children:
        if data.child_id is None:
            rows.append((_child_create(case, data, actor=actor), data))
            changed = True
            continue
        child = existing[data.child_id]
        kept.add(child.pk)
        rows.append((child, data))
        changed |= bool(child_person_update(person=child.person, data=data, incident_date=case.incident_date))
        guardian = child_guardian(actor=actor, child=child.person, data=data, current=child.guardian)
        fields = {**_child_facts(data), "guardian": guardian}
        differ = [name for name, value in fields.items() if getattr(child, name) != value]
        for name in differ:
            setattr(child, name, fields[name])
        if differ:
            child.save(update_fields=differ)
            changed = True
    for pk, child in existing.items():
        if pk not in kept:
            person, guardian = child.person, child.guardian
            child.delete()
            person_delete_if_orphan(person)
            person_delete_if_orphan(guardian)
            changed = True
    return rows, changed


def _perpetrators_update(case: Case, perpetrators: list[PerpetratorData]) -> tuple[list[Perpetrator], bool]:
    """In place, like the children: a kept row keeps the family member staff tied to it.
    Returns the rows in the report's order and whether anything changed."""
    existing = {p.pk: p for p in case.perpetrators.all()}
    unknown = {p.perpetrator_id for p in perpetrators if p.perpetrator_id} - set(existing)
    if unknown:
        raise ValidationError(
            _("An alleged perpetrator of this report was changed elsewhere. Open the report again.")
        )
    changed = False
    kept = set()
    rows = []
    for data in perpetrators:
        values = _perpetrator_fields(data)
        if data.perpetrator_id is None:
            rows.append(Perpetrator.objects.create(case=case, **values))
            changed = True
            continue
        row = existing[data.perpetrator_id]
        kept.add(row.pk)
        rows.append(row)
        differ = [name for name, value in values.items() if getattr(row, name) != value]
        for name in differ:
            setattr(row, name, values[name])
        if differ:
            row.save(update_fields=differ)
            changed = True
    gone = [pk for pk in existing if pk not in kept]
    if gone:
        Perpetrator.objects.filter(pk__in=gone).delete()
        changed = True
    return rows, changed


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    violence_types: list[str] | None = None,
    children: list[ChildData] | None = None,
    perpetrators: list[PerpetratorData] | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
    **fields,
) -> Case:
    """Edit a report: its fields, children and perpetrators, each kept row updated in place.

    ``expected_version`` (the edit form's): the case's version when the form was opened. If
    anyone saved the report since, EditConflict, checked under the case's row lock, so of two
    saves at the same moment from forms opened together exactly one wins."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"case_update() got unexpected fields {sorted(unknown)}")
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and case.version != expected_version:
        raise EditConflict(_("Someone else saved this report while you were editing it."))
    case.version += 1
    if "kelurahan" in fields and fields["kelurahan"] != case.kelurahan:
        _check_report_area(actor=actor, kelurahan=fields["kelurahan"])
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, fields[name])
    case.full_clean(exclude=["number", "year", "sequence"])
    case.last_activity_at = now
    case.save()
    if children is not None:
        if not children:
            raise ValidationError(_("A case needs at least one child."))
        child_rows, children_changed = _children_update(case, children, actor=actor)
        if children_changed:
            changed.append("children")
    else:
        child_rows = None
    if perpetrators is not None:
        perpetrator_rows, perpetrators_changed = _perpetrators_update(case, perpetrators)
        if perpetrators_changed:
            changed.append("perpetrators")
    else:
        perpetrator_rows = list(case.perpetrators.all())
    if child_rows is None:
        # The children were not edited: each keeps its types, marks and pairs as stored.
        index = {p.pk: i for i, p in enumerate(perpetrator_rows)}
        stored: dict[int, dict[int, str]] = {}
        for link in VictimPerpetrator.objects.filter(perpetrator__case=case):
            if link.perpetrator_id in index:
                stored.setdefault(link.child_id, {})[index[link.perpetrator_id]] = link.relation
        child_rows = [
            (
                c,
                ChildData(
                    name="",
                    sex="",
                    online=c.online,
                    online_prostitution=c.online_prostitution,
                    relations=stored.get(c.pk, {}),
                ),
            )
            for c in case.children.all()
        ]
    before = set(case.violences.values_list("kind", flat=True))
    if _victim_coding_update(
        case,
        child_rows,
        perpetrator_rows,
        violence_types=violence_types,
        online=case.online,
        online_prostitution=case.online_prostitution,
    ):
        changed.append("coding")
    if before != set(case.violences.values_list("kind", flat=True)):
        changed.append("violence_types")
    _event(
        case, actor=actor, kind=CaseEvent.Kind.EDIT, at=now, code="case.edited", params={"fields": changed}
    )
    audit_record(actor=actor, action="case.update", target=case, ip=ip, details={"fields": changed})
    return case


@transaction.atomic
def case_change_status(
    *,
    actor: User,
    case: Case,
    to: str,
    note: str = "",
    closure_reason: str = "",
    case_worker: User | None = None,
    override_reason: str = "",
    ip: str | None = None,
) -> Case:
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to not in ALLOWED_TRANSITIONS[case.status]:
        raise InvalidTransition(
            _("A case that is %(current)s cannot become %(target)s.")
            % {"current": case.get_status_display(), "target": Status(to).label}
        )
    if case.status == Status.ASESMEN and to in (Status.DITANGANI, Status.DIRUJUK):
        _check_ready_for_handling(case)
    if to == Status.SELESAI:
        _check_completion(case, actor=actor, override_reason=override_reason)
    fields = ["status"]
    if to in (Status.SELESAI, Status.DITUTUP):
        allowed = COMPLETION_REASONS if to == Status.SELESAI else NO_FOLLOW_UP_REASONS
        if closure_reason not in allowed:
            raise ValidationError({"closure_reason": _("Choose why the case is closed.")})
        case.closure_reason = closure_reason
        case.closed_at = now
        fields += ["closure_reason", "closed_at"]
    elif case.status in (Status.SELESAI, Status.DITUTUP):
        if not note.strip():
            raise ValidationError({"note": _("Say why the case is reopened.")})
        case.closure_reason = ""
        case.closed_at = None
        fields += ["closure_reason", "closed_at"]
    if to == Status.DIVERIFIKASI:
        if case_worker is not None:
            if not user_can(case_worker, Cap.HANDLE_CASES):
                raise ValidationError({"case_worker": _("The case worker must be an active staff member.")})
            case.case_worker = case_worker
        elif case.case_worker_id is None:
            case.case_worker = actor
        case.triaged_at = case.triaged_at or now
        fields += ["case_worker", "triaged_at"]
    from_status = case.status
    case.status = to
    _touch(case, now, *fields)
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS,
        at=now,
        from_status=from_status,
        to_status=to,
        note=note,
    )
    audit_record(
        actor=actor,
        action="case.status",
        target=case,
        ip=ip,
        details={
            "from": from_status,
            "to": to,
            "closure_reason": case.closure_reason,
            **({"override_reason": override_reason.strip()} if override_reason.strip() else {}),
        },
    )
    return case


READY_MESSAGES = {
    "assessment": _("Record an assessment of every child of the case first."),
    "plan": _("Make the service plan first: its goals and actions, each with an owner and a due date."),
    "plan_returned": _("The supervisor sent the service plan back: make a new version first."),
}


def _check_ready_for_handling(case: Case) -> None:
    """Moving past "asesmen" needs an assessment of every child and a service plan."""
    missing = casework_selectors.missing_for_handling(case=case)
    if missing:
        raise ValidationError({"to": [READY_MESSAGES[m] for m in missing]})


def _check_completion(case: Case, *, actor: User, override_reason: str) -> None:
    """Completing a case is a supervisor's decision; while referrals wait for an answer or
    tasks are open, only with the supervisor's reason for overriding."""
    if not user_can(actor, Cap.SUPERVISE):
        raise ValidationError({"to": _("Completing a case needs a supervisor's approval.")})
    blockers = casework_selectors.closure_blockers(case=case)
    if blockers and not override_reason.strip():
        parts = []
        if blockers.referrals:
            parts.append(_("%(n)d referrals still have no answer.") % {"n": len(blockers.referrals)})
        if blockers.tasks:
            parts.append(_("%(n)d tasks are still open.") % {"n": len(blockers.tasks)})
        raise ValidationError(
            {
                "override_reason": [
                    *parts,
                    _("Settle them, or give the reason for completing the case anyway."),
                ]
            }
        )


@transaction.atomic
def case_add_note(*, actor: User, case: Case, note: str, ip: str | None = None) -> CaseEvent:
    now = timezone.now()
    event = _event(case, actor=actor, kind=CaseEvent.Kind.NOTE, at=now, note=note)
    _touch(case, now)
    audit_record(actor=actor, action="case.note", target=case, ip=ip)
    count_cadre_activity(actor=actor, case=case, event=event)
    return event


@transaction.atomic
def case_add_visit(
    *, actor: User, case: Case, visit_date: dt.date, note: str, ip: str | None = None
) -> CaseEvent:
    if visit_date > timezone.localdate():
        raise ValidationError({"visit_date": _("The date cannot be in the future.")})
    now = timezone.now()
    event = _event(case, actor=actor, kind=CaseEvent.Kind.VISIT, at=now, note=note, visit_date=visit_date)
    _touch(case, now)
    audit_record(actor=actor, action="case.visit", target=case, ip=ip)
    count_cadre_activity(actor=actor, case=case, event=event)
    return event


@transaction.atomic
def case_add_service(
    *,
    actor: User,
    case: Case,
    service_type: str,
    provider: str,
    date: dt.date,
    outcome: str = "",
    child_ids: list[int] | None = None,
    ip: str | None = None,
) -> Service:
    """``child_ids``: the case's children who received it (SIMFONI counts victims served);
    None: every child of the case."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    own = list(case.children.all())
    if child_ids is None:
        served = own
    else:
        served = [c for c in own if c.pk in set(child_ids)]
        if not served or len(served) != len(set(child_ids)):
            raise ValidationError({"child_ids": _("Choose the children who received the service.")})
    now = timezone.now()
    service = Service.objects.create(
        case=case, service_type=service_type, provider=provider, date=date, outcome=outcome, created_by=actor
    )
    service.children.set(served)
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.SERVICE,
        at=now,
        code="service.added",
        params={"service": service_type, "provider": provider},
        note=outcome,
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.service",
        target=case,
        ip=ip,
        details={"service": service_type, "children": [c.pk for c in served]},
    )
    return service


@transaction.atomic
def case_refer(
    *,
    actor: User,
    case: Case,
    institution: str,
    date: dt.date,
    institution_detail: str = "",
    reason: str = "",
    ip: str | None = None,
) -> Referral:
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    check = consent_rules.consent_allows(
        case=case, purpose=ConsentPurpose.SHARING, institution=ConsentInstitution(institution)
    )
    if not check.allowed:
        raise ValidationError({"institution": check.message})
    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        institution=institution,
        institution_detail=institution_detail,
        date=date,
        reason=reason,
        created_by=actor,
    )
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.REFERRAL,
        at=now,
        code="referral.sent_to_unit" if institution_detail else "referral.sent",
        params={"institution": institution, **({"unit": institution_detail} if institution_detail else {})},
        note=reason,
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.refer",
        target=case,
        ip=ip,
        details={"institution": institution, "consent": check.basis},
    )
    return referral


@transaction.atomic
def referral_update_status(
    *, actor: User, referral: Referral, status: str, note: str = "", ip: str | None = None
) -> Referral:
    now = timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.status = status
    referral.status_note = note
    referral.save(update_fields=["status", "status_note", "updated_at"])
    case = referral.case
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.REFERRAL_UPDATE,
        at=now,
        code="referral.updated",
        params={"institution": referral.institution, "status": status},
        note=note,
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.referral_status",
        target=case,
        ip=ip,
        details={"referral": referral.pk, "to": status},
    )
    return referral


@transaction.atomic
def case_assign_worker(*, actor: User, case: Case, worker: User, ip: str | None = None) -> Case:
    if not user_can(worker, Cap.HANDLE_CASES):
        raise ValidationError({"worker": _("The case worker must be an active staff member.")})
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.case_worker = worker
    _touch(case, now, "case_worker")
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNMENT,
        at=now,
        code="case.worker_assigned",
        params={"name": str(worker)},
    )
    audit_record(actor=actor, action="case.assign_worker", target=case, ip=ip, details={"worker": worker.pk})
    return case


@transaction.atomic
def case_assign_cadre(*, actor: User, case: Case, cadre: User, ip: str | None = None) -> CaseCadre:
    if not user_can(cadre, Cap.ACCOMPANY_CASES):
        raise ValidationError({"cadre": _("Only an active cadre can accompany a case.")})
    now = timezone.now()
    link, created = CaseCadre.objects.get_or_create(case=case, user=cadre, defaults={"assigned_by": actor})
    if created:
        _event(
            case,
            actor=actor,
            kind=CaseEvent.Kind.ASSIGNMENT,
            at=now,
            code="case.cadre_assigned",
            params={"name": str(cadre)},
        )
        _touch(case, now)
        audit_record(actor=actor, action="case.assign_cadre", target=case, ip=ip, details={"cadre": cadre.pk})
    return link


@transaction.atomic
def case_remove_cadre(*, actor: User, case: Case, cadre: User, ip: str | None = None) -> None:
    deleted, _rows = CaseCadre.objects.filter(case=case, user=cadre).delete()
    if deleted:
        now = timezone.now()
        _event(
            case,
            actor=actor,
            kind=CaseEvent.Kind.ASSIGNMENT,
            at=now,
            code="case.cadre_removed",
            params={"name": str(cadre)},
        )
        _touch(case, now)
        audit_record(actor=actor, action="case.remove_cadre", target=case, ip=ip, details={"cadre": cadre.pk})


@transaction.atomic
def case_add_attachment(
    *,
    actor: User,
    case: Case,
    upload,
    kind: str,
    content_type: str,
    description: str = "",
    ip: str | None = None,
) -> Attachment:
    """Store an upload whose type ``cases.attachments`` judged by its content (and, for an image,
    found decodable: ``image_problem``)."""
    original_name = upload.name or ""
    if kind == Attachment.Kind.PHOTO:
        check = consent_rules.consent_allows(case=case, purpose=ConsentPurpose.PHOTOS)
        if not check.allowed:
            raise ValidationError({"kind": check.message})
    now = timezone.now()
    if content_type in attachment_files.PIL_FORMATS:
        # Stored without EXIF/GPS and whatever else the file carried (cases.attachments).
        upload = attachment_files.scrub_image(upload, content_type)
    attachment = Attachment(
        case=case,
        kind=kind,
        original_name=original_name[:200],
        content_type=content_type,
        size=upload.size,
        description=description,
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    event = _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ATTACHMENT,
        at=now,
        code="attachment.added",
        params={"kind": kind},
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.attachment_upload",
        target=case,
        ip=ip,
        details={"attachment": attachment.pk},
    )
    count_cadre_activity(actor=actor, case=case, event=event)
    return attachment


def case_record_access(*, actor: User, case: Case, action: str, ip: str | None = None, **details) -> None:
    """Record a view, download or export of a case (who, when, from where, what)."""
    audit_record(actor=actor, action=action, target=case, ip=ip, details=details)


def intake_draft_save(*, user: User, data: dict) -> IntakeDraft:
    draft, _created = IntakeDraft.objects.update_or_create(user=user, defaults={"data": data})
    return draft


def intake_draft_current(*, user: User) -> IntakeDraft | None:
    """The user's draft, unless older than SIGAP_DEVICE_DRAFT_DAYS: then it is deleted, as the
    phone's copy is, so a half-typed child's identity does not wait for ever."""
    found = IntakeDraft.objects.filter(user=user).first()
    if found is None:
        return None
    if found.updated_at < timezone.now() - dt.timedelta(days=settings.SIGAP_DEVICE_DRAFT_DAYS):
        found.delete()
        return None
    return found


def intake_draft_discard(*, user: User) -> None:
    IntakeDraft.objects.filter(user=user).delete()
