"""Who may see which case, and what they may do with it. The one place that decides.

Every list, detail page, action, attachment and export loads cases through
``cases_visible_to`` (a case outside it is a 404) and asks ``case_permissions``
what the user may do with one (a forbidden action is a 403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.policy import Cap, area_filter, user_can

from .attachments import download_name, neutral_name
from .models import (
    CLOSED_STATUSES,
    Attachment,
    Case,
    CaseCadre,
    CaseEvent,
    Child,
    Escalation,
    FamilyLink,
    Person,
    Status,
)


def case_scope_q(user, *, path: str = "") -> Q | None:
    """The scope of ``cases_visible_to`` as a Q on ``path`` (a path to a Case, "" for the case
    itself), for the roles whose scope is a plain condition on the case: a petugas (everything,
    or an area) and KPAD (the escalated cases). None for the others (a kader's scope is a union:
    use ``cases_visible_to``). A query on escalations or children then filters through a join
    instead of ``case_id IN (every visible case)``, which PostgreSQL answers by reading all
    cases (issue 12: the dashboard's and KPAD queue's counts at 200,000 cases)."""
    prefix = f"{path}__" if path else ""
    if user_can(user, Cap.HANDLE_CASES):
        area = area_filter(user, kelurahan_path=f"{prefix}kelurahan")
        return area if area is not None else Q()
    if user_can(user, Cap.OWN_CASES):
        return None
    if user_can(user, Cap.VIEW_ESCALATED_CASES):
        return Q(**{f"{prefix}escalated_at__isnull": False})
    return Q(pk__in=[])


def cases_visible_to(*, user) -> QuerySet[Case]:
    """Petugas: every case (or their kecamatan's); kader: the cases they reported or
    accompany; KPAD: cases escalated to KPAD; admin and anyone else: none."""
    scope = case_scope_q(user)
    if scope is not None:
        return Case.objects.filter(scope)
    # A kader: a UNION of the two index lookups, not ``reported_by = X OR EXISTS (…)``:
    # PostgreSQL cannot estimate the OR (issue 12: 101k rows guessed against 2.8k real at
    # 200,000 cases, which pushed the plan past the JIT threshold: 2.7 s instead of 0.15 s).
    own = (
        Case.objects.filter(reported_by=user)
        .order_by()
        .values("pk")
        .union(CaseCadre.objects.filter(user=user).order_by().values("case_id"))
    )
    return Case.objects.filter(pk__in=own)


def cases_in_scope(queryset: QuerySet, *, user, path: str = "case") -> QuerySet:
    """``queryset`` (rows with a path to a Case) narrowed to the cases the user may see."""
    scope = case_scope_q(user, path=path)
    if scope is not None:
        return queryset.filter(scope)
    return queryset.filter(**{f"{path}__in": cases_visible_to(user=user)})


def get_case_for_user(*, user, number: str) -> Case:
    """The case with this number if the user may see it; otherwise a 404 (never a 403)."""
    case = (
        cases_visible_to(user=user)
        .select_related("kelurahan__kecamatan", "reported_by", "case_worker")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404
    return case


def status_counts(*, user) -> list[dict]:
    """Cases per status in the user's area, in lifecycle order: one aggregate query."""
    counted = cases_visible_to(user=user).order_by().values("status").annotate(n=Count("pk"))
    found = {row["status"]: row["n"] for row in counted}
    return [{"status": s, "label": s.label, "count": found.get(s.value, 0)} for s in Status]


@dataclass(frozen=True)
class CasePermissions:
    view: bool = False
    see_identity: bool = False
    edit: bool = False
    change_status: bool = False
    assign: bool = False
    add_note: bool = False
    add_visit: bool = False
    add_service: bool = False
    refer: bool = False
    upload: bool = False
    download: bool = False
    export: bool = False
    record_consent: bool = False  # record consent, add to who must not be told
    manage_people: bool = False  # children's records: link, merge, family, who a perpetrator is
    # What the case page shows (need to know), decided here so no template asks for a role:
    see_private_facts: bool = False  # the incident address (often the child's home), who reported it
    # The case's working record: perpetrators, consent, who accompanies the child, attachments,
    # referral reasons, whether and whom the family told. (Who must not be told is shown to all
    # who see the case, as a warning; names only with ``see_identity``.)
    see_case_record: bool = False
    see_file_names: bool = False  # the name an attachment had on the uploader's phone
    timeline_kinds: frozenset[str] | None = None  # the timeline's entries shown (None: all)
    timeline_note_kinds: frozenset[str] | None = None  # the entries whose note is shown (None: all)
    # A kader's own report that the Dinas has verified: no longer theirs to correct, but a
    # correction they send is answered with why, and their text is shown back, not a bare 403.
    edit_locked: bool = False

    def require(self, action: str) -> None:
        if not getattr(self, action):
            raise PermissionDenied


# The timeline entries that are KPAD's business: escalations to KPAD and KPAD's own steps.
KPAD_BUSINESS = frozenset({CaseEvent.Kind.ESCALATION, CaseEvent.Kind.KPAD})


def case_permissions(*, user, case: Case) -> CasePermissions:
    """What this user may do with a case they can see (call after get_case_for_user)."""
    if user_can(user, Cap.HANDLE_CASES):
        is_open = case.status not in CLOSED_STATUSES
        return CasePermissions(
            view=True,
            see_identity=True,
            edit=True,
            change_status=True,
            assign=is_open,
            add_note=True,
            add_visit=is_open,
            add_service=is_open,
            refer=is_open,
            upload=True,
            download=True,
            export=True,
            record_consent=True,
            manage_people=True,
            see_private_facts=True,
            see_case_record=True,
            # The Dinas' staff may need the name a document came with ("surat rujukan RSUD").
            see_file_names=True,
        )
    if user_can(user, Cap.OWN_CASES):
        is_open = case.status not in CLOSED_STATUSES
        return CasePermissions(
            view=True,
            see_identity=True,
            # A kader may correct their own report until the Dinas has verified it.
            edit=case.reported_by_id == user.pk and case.status == Status.DILAPORKAN,
            edit_locked=case.reported_by_id == user.pk and case.status != Status.DILAPORKAN,
            add_note=is_open,
            add_visit=is_open,
            upload=is_open,
            download=True,
            # The cadre at the family's door is often the one the family answers.
            record_consent=is_open,
            see_private_facts=True,
            see_case_record=True,
            # KPAD's requests, recommendations and reviews, and why the case went to KPAD, are
            # between KPAD and the Dinas.
            timeline_kinds=frozenset(CaseEvent.Kind.values) - KPAD_BUSINESS,
        )
    if user_can(user, Cap.REVIEW_ESCALATIONS):
        # Read-only, and only what KPAD's review page shows: the child's identity masked, no
        # address, no reporter, no working record, and of the timeline the status changes and
        # KPAD's own business. The deliberate, audited reveal is on the review page.
        return CasePermissions(
            view=True,
            download=False,
            timeline_kinds=KPAD_BUSINESS | {CaseEvent.Kind.STATUS},
            timeline_note_kinds=KPAD_BUSINESS,
        )
    return CasePermissions()


def case_timeline(*, case: Case, perms: CasePermissions) -> list[CaseEvent]:
    """The case's timeline as this user may read it (one query); ``shown_note`` is the note
    the user may read, empty otherwise."""
    events = case.events.select_related("actor")
    if perms.timeline_kinds is not None:
        events = events.filter(kind__in=perms.timeline_kinds)
    events = list(events)
    for e in events:
        shown = perms.timeline_note_kinds is None or e.kind in perms.timeline_note_kinds
        e.shown_note = e.note if shown else ""
    return events


def case_attachments(*, case: Case, perms: CasePermissions) -> list[Attachment]:
    """The case's attachments (one query), newest first, each with ``position`` (1 for the
    first uploaded) and ``shown_name``: the neutral name, or the original one for those the
    policy lets see it."""
    if not perms.see_case_record:
        return []
    rows = list(case.attachments.select_related("uploaded_by"))
    by_age = sorted(rows, key=lambda a: a.pk)
    for position, a in enumerate(by_age, start=1):
        a.position = position
        a.neutral_name = neutral_name(case_number=case.number, position=position, content_type=a.content_type)
        a.shown_name = a.original_name if perms.see_file_names and a.original_name else a.neutral_name
    return rows


def attachment_download_name(
    *, case: Case, attachment: Attachment, perms: CasePermissions, original: bool
) -> str:
    """The name a download is given: neutral, unless the user asked for the original name and
    the policy lets them see it."""
    if original and perms.see_file_names and attachment.original_name:
        return download_name(attachment.original_name, attachment.content_type)
    position = case.attachments.filter(pk__lte=attachment.pk).count()
    return neutral_name(case_number=case.number, position=position, content_type=attachment.content_type)


def initials(name: str) -> str:
    """'Siti Nur Aisyah' -> 'S.N.A.': how a child appears wherever the full name is not needed."""
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"


# --- Children's records (persons) ----------------------------------------------------------------


def child_persons_visible_to(*, user) -> QuerySet[Person]:
    """Records of children who are in a case the user may see (merged records excluded)."""
    in_visible_case = Child.objects.filter(person=OuterRef("pk"), case__in=cases_visible_to(user=user))
    return Person.objects.filter(merged_into__isnull=True).filter(Exists(in_visible_case))


def get_child_person_for_user(*, user, pk: int) -> Person:
    """A child's record the user may see; a merged record leads to the one it was merged into
    (when the user may see that one). Otherwise a 404."""
    person = Person.objects.filter(pk=pk).only("pk", "merged_into").first()
    if person is not None and person.merged_into_id is not None:
        pk = person.merged_into_id
    found = child_persons_visible_to(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def person_cases(*, user, person: Person) -> tuple[list[Case], int]:
    """The cases of a child's record the user may see, newest first, and how many others
    (outside the user's area) there are: two queries."""
    rows = Child.objects.filter(person=person)
    visible = list(
        cases_visible_to(user=user)
        .filter(Exists(rows.filter(case=OuterRef("pk"))))
        .select_related("kelurahan")
        .order_by("-reported_at", "-id")
    )
    others = rows.exclude(case__in=[c.pk for c in visible]).values("case").distinct().count()
    return visible, others


def persons_all_cases_visible(*, user, persons) -> bool:
    """Whether every case of these records is one the user may see (a merge touches them all)."""
    rows = Child.objects.filter(person__in=persons)
    return not rows.exclude(case__in=cases_visible_to(user=user)).exists()


def user_sees_elsewhere(user) -> bool:
    """Staff learn that a child has a record outside their area (the Dinas will check it); to
    a kader that would disclose a case they may not see."""
    return user_can(user, Cap.HANDLE_CASES)


def cases_of_persons(*, user, persons) -> dict[int, list[Case]]:
    """{person id: the cases of that child the user may see, newest first}: one query."""
    rows = (
        Child.objects.filter(person__in=persons, case__in=cases_visible_to(user=user))
        .select_related("case")
        .only("person_id", "case__id", "case__number", "case__status", "case__reported_at")
        .order_by("-case__reported_at", "-case_id")
    )
    found: dict[int, list[Case]] = {}
    for row in rows:
        found.setdefault(row.person_id, []).append(row.case)
    return found


@dataclass
class PersonMatches:
    """Children's records that may be the child typed at intake: those the user may see, and
    whether there are others (told to staff only, and without any detail)."""

    visible: list[Person]
    elsewhere: bool


def matching_persons(
    *,
    user,
    nik: str = "",
    name: str = "",
    birth_date=None,
    exclude_case_id=None,
    exclude_person_id=None,
    limit: int = 10,
) -> PersonMatches:
    """Records of children with the same NIK, or the same name (case-insensitive) and birth
    date: the duplicate check at intake. Two queries at most."""
    match = Q()
    if nik:
        match |= Q(nik=nik)
    if name and birth_date:
        match |= Q(name__iexact=" ".join(name.split()), birth_date=birth_date)
    if not match:
        return PersonMatches([], False)
    rows = Child.objects.filter(person=OuterRef("pk"))
    if exclude_case_id:
        rows = rows.exclude(case_id=exclude_case_id)
    candidates = Person.objects.filter(match, merged_into__isnull=True).filter(Exists(rows))
    if exclude_person_id:
        candidates = candidates.exclude(pk=exclude_person_id)
    visible_rows = rows.filter(case__in=cases_visible_to(user=user))
    found = list(
        candidates.annotate(visible=Exists(visible_rows))
        .order_by("-visible", "-id")
        .only("pk", "name", "sex", "birth_date", "birth_year", "nik")[: limit + 1]
    )
    visible = [p for p in found if p.visible][:limit]
    return PersonMatches(visible, any(not p.visible for p in found))


@dataclass
class FamilyMember:
    """A family member of a child of a case: who they are to that child."""

    person: Person
    child: Child
    label: str  # the relation, from the child's side ("Parent", "Sibling", ...)
    carer: bool  # a parent or guardian: may give consent (unless excluded in the case)


def case_family(*, children: list[Child]) -> list[FamilyMember]:
    """The family of a case's children (load the rows with ``person`` and ``guardian``): their
    family links either way round and the parent or guardian each report named. One query."""
    by_person = {c.person_id: c for c in children}
    members: list[FamilyMember] = []
    seen: set[tuple[int, int]] = set()
    links = FamilyLink.objects.filter(
        Q(person_id__in=by_person) | Q(relative_id__in=by_person)
    ).select_related("person", "relative")
    for link in links.order_by("id"):
        if link.person_id in by_person:
            child, other = by_person[link.person_id], link.relative
            label, carer = link.get_relation_display(), link.relation in FamilyLink.CARERS
        else:
            child, other = by_person[link.relative_id], link.person
            label, carer = FamilyLink.INVERSE_LABELS[link.relation], False
        if other.merged_into_id or other.pk in by_person or (other.pk, child.pk) in seen:
            continue
        seen.add((other.pk, child.pk))
        members.append(FamilyMember(person=other, child=child, label=str(label), carer=carer))
    for child in children:
        guardian = child.guardian
        if guardian is not None and (guardian.pk, child.pk) not in seen:
            seen.add((guardian.pk, child.pk))
            members.append(
                FamilyMember(person=guardian, child=child, label=capfirst(_("parent/guardian")), carer=True)
            )
    return members


def case_id_for_number(number: str) -> str | None:
    """The internal id of a case number, for the admin's audit-log filter (no case content)."""
    pk = Case.objects.filter(number=number.upper()).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else None


def case_numbers_for_ids(ids) -> dict[str, str]:
    """{str(id): number} for the audit log's case rows, in one query."""
    pks = [int(i) for i in ids if str(i).isdigit()]
    return {str(pk): number for pk, number in Case.objects.filter(pk__in=pks).values_list("pk", "number")}


# --- KPAD's review queue --------------------------------------------------------------------


def escalations_visible_to(*, user) -> QuerySet[Escalation]:
    """KPAD: every escalation of a case it may see (that is, every escalated case); anyone
    else: none (they are stopped earlier by the REVIEW_ESCALATIONS capability anyway)."""
    if not user_can(user, Cap.REVIEW_ESCALATIONS):
        return Escalation.objects.none()
    return cases_in_scope(Escalation.objects.all(), user=user)


def acknowledge_deadline(now: dt.datetime) -> dt.datetime:
    """An open escalation opened before this moment is overdue."""
    return now - dt.timedelta(days=settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS)


def overdue_q(now: dt.datetime) -> Q:
    return Q(state=Escalation.State.OPEN, opened_at__lt=acknowledge_deadline(now))


def queue_counts(*, user, now: dt.datetime | None = None) -> dict[str, int]:
    """Open, acknowledged and overdue escalations: one aggregate query."""
    now = now or timezone.now()
    return escalations_visible_to(user=user).aggregate(
        open=Count("pk", filter=Q(state=Escalation.State.OPEN)),
        acknowledged=Count("pk", filter=Q(state=Escalation.State.ACKNOWLEDGED)),
        overdue=Count("pk", filter=overdue_q(now)),
    )


def last_event(*, case: Case, kind: str):
    """The case's latest event of one kind, with its actor (who changed the status, who last
    edited the report): one query."""
    return case.events.filter(kind=kind).select_related("actor").order_by("-at", "-pk").first()
