"""Consent governs sharing, never reporting: the rule, in one place.

Reporting violence against a child needs nobody's consent (UU 35/2014 art. 72 and 78 oblige
everyone to report it), and neither does the Dinas' own handling of the case (its duty under
UU 35/2014 art. 59 and 59A; UU 27/2022 PDP art. 20(2)(c) and (e)). What consent decides is
what may go further: a referral to an institution, a referral letter, a list or print with
the children's identity, KPAD's look at the identity, photos of the child.

Consent is recorded per child of a case (cases.models.Consent): given or refused by the child
(from SIGAP_CONSENT_CHILD_MIN_AGE) or by a parent or guardian who is not an alleged
perpetrator, on a date, for follow-up, photos and sharing with named institutions. The newest
statement for a child counts. A statement whose giver is (since) an alleged perpetrator of the
case, or must not be told about it, does not count.

The rule (``decide``), for a child and a step:

================================  ===========  ============================  ======================
purpose / institution             given        not recorded                  refused
================================  ===========  ============================  ======================
sharing: Unit PPA (police),       allowed      allowed                       allowed, with a warning
  case with a crime                                                          (a crime is reported to
                                                                             the police regardless)
sharing: UPTD PPA, Dinas Sosial,  allowed      allowed, with a warning:      refused
  RSUD, LBH, KPAD                              ask and record it
sharing: school, other            allowed      refused: ask first            refused
follow-up (identity exports)      allowed      allowed                       refused
photos                            allowed      allowed                       refused
================================  ===========  ============================  ======================

A case "with a crime" has a type of violence other than "Other": each of them is a crime
against a child under UU 35/2014 (art. 76A-76J) or UU 21/2007 (trafficking). Without one,
the police are treated like the service institutions.

Readers: ``consent_allows`` (one case; the referral service and letter, KPAD's reveal, photo
uploads, the case print) and ``with_consent`` + ``check_row`` (many children in one query; the
identity export). Both end in ``decide``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    Case,
    Child,
    ChildViolence,
    Consent,
    ConsentAnswer,
    ConsentGiver,
    ConsentInstitution,
    ConsentItem,
    ConsentPurpose,
    DoNotTell,
    FamilyLink,
    Perpetrator,
    Person,
    Relation,
    ViolenceType,
)
from .selectors import initials

Purpose = ConsentPurpose
Institution = ConsentInstitution

LAW_ENFORCEMENT = frozenset({Institution.UNIT_PPA})
# Services of the child-protection system (UU 35/2014 art. 59A, PP 78/2021) and KPAD's
# oversight: without a recorded answer the step goes ahead, with a reminder to ask.
SERVICE_SYSTEM = frozenset(
    {Institution.UPTD_PPA, Institution.DINSOS, Institution.RSUD, Institution.LBH, Institution.KPAD}
)
# Outside the protection system: nothing is shared without a recorded "yes".
ASK_FIRST = frozenset({Institution.SEKOLAH, Institution.LAINNYA})


class Basis:
    """Why a step is allowed or not: kept in the audit row of the step."""

    GIVEN = "given"
    NOT_RECORDED = "not_recorded"
    LEGAL_DUTY = "legal_duty"
    REFUSED = "refused"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class ConsentCheck:
    allowed: bool
    basis: str
    message: str = ""  # a whole sentence for the user; empty when there is nothing to say

    @property
    def warning(self) -> bool:
        return self.allowed and bool(self.message)


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else _("a date not recorded")


def decide(
    *,
    purpose: str,
    institution: str = "",
    answer: str | None,
    child: str,
    decided_on=None,
    crime: bool = False,
    giver_excluded: bool = False,
) -> ConsentCheck:
    """The rule of the module docstring for one child. ``answer`` is the child's current
    answer for this purpose and institution (None: not recorded); ``child`` how the child is
    named in a message (initials)."""
    prefix = ""
    if giver_excluded:
        prefix = (
            _(
                "The consent recorded for %(child)s was given by someone who is an alleged perpetrator "
                "or must not be told, so it does not count."
            )
            % {"child": child}
            + " "
        )
        answer = None
    if purpose == Purpose.SHARING:
        name = str(Institution(institution).label) if institution else _("an institution")
        values = {"child": child, "institution": name, "date": _day(decided_on)}
        if institution in LAW_ENFORCEMENT and crime:
            if answer == ConsentAnswer.REFUSED:
                return ConsentCheck(
                    True,
                    Basis.LEGAL_DUTY,
                    prefix
                    + _(
                        "Sharing with %(institution)s was refused for %(child)s on %(date)s, but a crime "
                        "against a child is reported to the police without consent."
                    )
                    % values,
                )
            if answer == ConsentAnswer.GIVEN:
                return ConsentCheck(True, Basis.GIVEN, prefix.strip())
            return ConsentCheck(True, Basis.LEGAL_DUTY, prefix.strip())
        if answer == ConsentAnswer.GIVEN:
            return ConsentCheck(True, Basis.GIVEN)
        if answer == ConsentAnswer.REFUSED:
            return ConsentCheck(
                False,
                Basis.REFUSED,
                _(
                    "Sharing with %(institution)s was refused for %(child)s on %(date)s. Record a new "
                    "consent first if the child or family has changed their mind."
                )
                % values,
            )
        if institution in ASK_FIRST:
            return ConsentCheck(
                False,
                Basis.NOT_RECORDED,
                prefix
                + _(
                    "No consent is recorded for sharing the data of %(child)s with %(institution)s, and "
                    "this institution needs one. Record the consent first."
                )
                % values,
            )
        return ConsentCheck(
            True,
            Basis.NOT_RECORDED,
            prefix
            + _(
                "No consent is recorded for sharing the data of %(child)s with %(institution)s. Ask the "
                "child or a parent or guardian who is not a suspect, and record the answer."
            )
            % values,
        )
    values = {"child": child, "date": _day(decided_on)}
    if answer == ConsentAnswer.REFUSED:
        if purpose == Purpose.PHOTOS:
            message = _("Photos of %(child)s were refused on %(date)s.") % values
        else:
            message = _("Follow-up by the Dinas was refused for %(child)s on %(date)s.") % values
        return ConsentCheck(False, Basis.REFUSED, message)
    if answer == ConsentAnswer.GIVEN:
        return ConsentCheck(True, Basis.GIVEN, prefix.strip())
    return ConsentCheck(True, Basis.NOT_NEEDED, prefix.strip())


# --- Reading the current answers --------------------------------------------------------------


def with_consent(children: QuerySet[Child], *, purpose: str, institution: str = "") -> QuerySet[Child]:
    """Annotate each Child row with its current answer for the purpose (``consent_answer``,
    None when not recorded), the statement's date, whether its giver no longer counts, and
    for sharing with the police whether the case has a crime: one query whatever the number."""
    latest = Consent.objects.filter(child=OuterRef("pk")).order_by("-recorded_at", "-id")
    qs = children.annotate(
        consent_id=Subquery(latest.values("pk")[:1]),
        consent_on=Subquery(latest.values("decided_on")[:1]),
        consent_giver=Subquery(latest.values("given_by_person")[:1]),
    ).annotate(
        consent_answer=Subquery(
            ConsentItem.objects.filter(
                consent_id=OuterRef("consent_id"), purpose=purpose, institution=institution
            ).values("answer")[:1]
        ),
        consent_giver_excluded=ExpressionWrapper(
            Q(
                Exists(
                    Perpetrator.objects.filter(
                        case_id=OuterRef("case_id"), person_id=OuterRef("consent_giver")
                    )
                )
            )
            | Q(
                Exists(
                    DoNotTell.objects.filter(case_id=OuterRef("case_id"), person_id=OuterRef("consent_giver"))
                )
            ),
            output_field=BooleanField(),
        ),
    )
    if purpose == Purpose.SHARING and institution in LAW_ENFORCEMENT:
        qs = qs.annotate(
            case_has_crime=Exists(
                # The crime against this child (coded per victim), not against another child.
                ChildViolence.objects.filter(child_id=OuterRef("pk")).exclude(kind=ViolenceType.LAINNYA)
            )
        )
    return qs


def check_row(child: Child, *, purpose: str, institution: str = "") -> ConsentCheck:
    """``decide`` for a row of ``with_consent`` (with its person loaded)."""
    return decide(
        purpose=purpose,
        institution=institution,
        answer=child.consent_answer,
        child=initials(child.person.name),
        decided_on=child.consent_on,
        crime=getattr(child, "case_has_crime", False),
        giver_excluded=bool(child.consent_giver and child.consent_giver_excluded),
    )


def consent_checks(*, case: Case, purpose: str, institution: str = "") -> dict[int, ConsentCheck]:
    """{Child id: check} for every child of the case: one query."""
    rows = with_consent(
        Child.objects.filter(case=case).select_related("person").order_by("id"),
        purpose=purpose,
        institution=institution,
    )
    return {row.pk: check_row(row, purpose=purpose, institution=institution) for row in rows}


def consent_allows(
    *, case: Case, child: Child | None = None, purpose: str, institution: str = ""
) -> ConsentCheck:
    """May this step be taken for this child (or, without one, for every child of the case)?
    Not allowed when it is not allowed for one of them; a warning when one needs it."""
    checks = consent_checks(case=case, purpose=purpose, institution=institution)
    if child is not None:
        checks = {child.pk: checks[child.pk]} if child.pk in checks else {}
    refused = [c for c in checks.values() if not c.allowed]
    if refused:
        return ConsentCheck(False, refused[0].basis, " ".join(c.message for c in refused))
    messages = " ".join(c.message for c in checks.values() if c.message)
    bases = {c.basis for c in checks.values()}
    basis = next(
        (b for b in (Basis.NOT_RECORDED, Basis.LEGAL_DUTY, Basis.GIVEN) if b in bases), Basis.NOT_NEEDED
    )
    return ConsentCheck(True, basis, messages)


# --- What the case page shows ---------------------------------------------------------------


@dataclass
class ChildConsent:
    child: Child
    current: Consent | None
    history: int  # earlier statements for this child
    excluded_giver: bool
    initials: str = ""


def consent_overview(
    *, case: Case, children: list[Child], excluded: set[int] | None = None
) -> list[ChildConsent]:
    """Each child's current statement with its items and giver (children loaded with their
    person): two queries."""
    consents = list(
        Consent.objects.filter(case=case)
        .select_related("given_by_person", "recorded_by")
        .prefetch_related(Prefetch("items", queryset=ConsentItem.objects.order_by("purpose", "institution")))
        .order_by("child_id", "-recorded_at", "-id")
    )
    excluded = excluded_persons(case=case) if excluded is None else excluded
    by_child: dict[int, list[Consent]] = {}
    for consent in consents:
        by_child.setdefault(consent.child_id, []).append(consent)
    result = []
    for child in children:
        mine = by_child.get(child.pk, [])
        current = mine[0] if mine else None
        result.append(
            ChildConsent(
                child=child,
                current=current,
                history=max(len(mine) - 1, 0),
                excluded_giver=bool(current and current.given_by_person_id in excluded),
                initials=initials(child.person.name),
            )
        )
    return result


def excluded_persons(
    *, case: Case, perpetrators: list[Perpetrator] | None = None, do_not_tell: list[DoNotTell] | None = None
) -> set[int]:
    """Persons who can neither give nor refuse consent in this case: the alleged perpetrators
    known by record, and those who must not be told (pass the case's rows if loaded)."""
    if perpetrators is None:
        perpetrators = list(Perpetrator.objects.filter(case=case, person__isnull=False))
    if do_not_tell is None:
        do_not_tell = list(DoNotTell.objects.filter(case=case, person__isnull=False))
    return {p.person_id for p in perpetrators if p.person_id} | {
        d.person_id for d in do_not_tell if d.person_id
    }


def consent_givers(*, case: Case, child: Child) -> list[Person]:
    """The parents and guardians of this child who may give or refuse consent: the carers tied
    to the child's record and the guardian named in the report, less the excluded."""
    excluded = excluded_persons(case=case)
    carers = FamilyLink.objects.filter(person_id=child.person_id, relation__in=FamilyLink.CARERS).values(
        "relative_id"
    )
    qs = Person.objects.filter(Q(pk__in=carers) | Q(pk=child.guardian_id or 0), merged_into__isnull=True)
    return [p for p in qs.order_by("name", "id") if p.pk not in excluded]


def unlinked_parent_suspect(*, case: Case) -> bool:
    """An alleged perpetrator is a parent, and staff have not yet said which person: a parent
    giving consent must then be confirmed not to be them."""
    return Perpetrator.objects.filter(case=case, relation=Relation.ORANG_TUA, person__isnull=True).exists()


@dataclass
class MustNotBeTold:
    who: str  # a relation or a few words: never a name, so it can show to everyone on the case
    name: str = ""  # the person's name, when the entry is a known person (shown with identities)
    reason: str = ""
    entry: DoNotTell | None = None  # entries that can be taken off the list
    private: bool = False  # ``who`` or ``reason`` are the reporter's own words: shown with identities only


def must_not_be_told(
    *, case: Case, perpetrators: list[Perpetrator] | None = None, do_not_tell: list[DoNotTell] | None = None
) -> list[MustNotBeTold]:
    """Who must not be told about the case: every alleged perpetrator who is not a stranger
    (they must not learn of the report), and whoever the reporter or staff added. Pass the
    case's rows, loaded with their person, when the page has them."""
    if perpetrators is None:
        perpetrators = list(case.perpetrators.select_related("person"))
    if do_not_tell is None:
        do_not_tell = list(case.do_not_tell.select_related("person"))
    rows: list[MustNotBeTold] = []
    for p in perpetrators:
        if p.relation == Relation.TIDAK_DIKENAL:
            continue
        rows.append(
            MustNotBeTold(
                who=str(p.get_relation_display()),
                name=p.person.name if p.person else "",
                reason=_("alleged perpetrator"),
            )
        )
    for entry in do_not_tell:
        who = str(entry.get_relation_display()) if entry.relation else ""
        note = entry.note
        if not who:
            who, note = (note, "") if note else (_("a family member"), "")
        rows.append(
            MustNotBeTold(
                who=who,
                name=entry.person.name if entry.person else "",
                reason=note,
                entry=entry,
                private=bool(entry.note),
            )
        )
    return rows


def child_consent_min_age() -> int:
    return settings.SIGAP_CONSENT_CHILD_MIN_AGE


GIVER_LABELS = dict(ConsentGiver.choices)
