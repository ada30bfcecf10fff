"""Writes of consent: a statement per child, and who must not be told about the case.

The rule that reads them is cases.consent. Here are the rules of who may decide: the child
from SIGAP_CONSENT_CHILD_MIN_AGE, or a parent or guardian of the child who is neither an
alleged perpetrator of the case nor on its do-not-tell list. Each write goes on the case's
timeline (children and persons by record number, never a name) and in the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_record

from . import consent as rules
from .models import (
    EVENT_MESSAGES,
    Case,
    CaseEvent,
    Child,
    Consent,
    ConsentAnswer,
    ConsentGiver,
    ConsentInstitution,
    ConsentItem,
    ConsentPurpose,
    DoNotTell,
    Person,
)
from .selectors import initials


class ConsentError(ValidationError):
    pass


Answers = dict[tuple[str, str], str]  # (purpose, institution or "") -> given / refused


def _check_answers(answers: Answers) -> Answers:
    clean = {}
    for (purpose, institution), answer in answers.items():
        if answer in (None, ""):
            continue
        if answer not in ConsentAnswer.values or purpose not in ConsentPurpose.values:
            raise ConsentError(_("That answer is not one SIGAP knows."))
        if (purpose == ConsentPurpose.SHARING) != bool(institution) or (
            institution and institution not in ConsentInstitution.values
        ):
            raise ConsentError(_("That answer is not one SIGAP knows."))
        clean[(purpose, institution)] = answer
    if not clean:
        raise ConsentError(_("Record at least one answer: given or refused."))
    return clean


def _check_giver(
    *,
    case: Case,
    children: list[Child],
    given_by: str,
    person: Person | None,
    decided_on: dt.date,
    confirm: bool,
) -> None:
    if given_by == ConsentGiver.CHILD:
        minimum = settings.SIGAP_CONSENT_CHILD_MIN_AGE
        for child in children:
            age = child.age_on(decided_on)
            label = initials(child.person.name)
            if age is None:
                raise ConsentError(
                    {
                        "given_by": _(
                            "The age of %(child)s is not known, so a parent or guardian must decide."
                        )
                        % {"child": label}
                    }
                )
            if age < minimum:
                raise ConsentError(
                    {
                        "given_by": _(
                            "%(child)s is under %(age)d: a parent or guardian who is not a suspect decides."
                        )
                        % {"child": label, "age": minimum}
                    }
                )
        return
    if given_by != ConsentGiver.CARER:
        raise ConsentError({"given_by": _("Say who gave or refused the consent.")})
    if person is None:
        raise ConsentError({"person": _("Choose the parent or guardian.")})
    excluded = rules.excluded_persons(case=case)
    if person.pk in excluded:
        raise ConsentError(
            {
                "person": _(
                    "This person is an alleged perpetrator in the case or must not be told about it, "
                    "so they cannot give or refuse consent."
                )
            }
        )
    for child in children:
        if person.pk not in {p.pk for p in rules.consent_givers(case=case, child=child)}:
            raise ConsentError(
                {
                    "person": _("This person is not recorded as a parent or guardian of %(child)s.")
                    % {"child": initials(child.person.name)}
                }
            )
    if rules.unlinked_parent_suspect(case=case) and not confirm:
        raise ConsentError(
            {
                "confirm_not_suspect": _(
                    "A parent is an alleged perpetrator in this case: confirm that this person is not that "
                    "parent."
                )
            }
        )


def _timeline(case: Case, *, actor: User, at: dt.datetime, code: str, params=None, note: str = "") -> None:
    EVENT_MESSAGES.check(code)
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.CONSENT, at=at, actor=actor, code=code, params=params or {}, note=note
    )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case: Case,
    children: list[Child],
    given_by: str,
    decided_on: dt.date,
    answers: Answers,
    person: Person | None = None,
    note: str = "",
    confirm_not_suspect: bool = False,
    ip: str | None = None,
) -> list[Consent]:
    """A new statement for each of ``children`` (the same answers, from the same giver):
    it replaces their current one."""
    if not children or any(c.case_id != case.pk for c in children):
        raise ConsentError({"children": _("Choose the children this consent is for.")})
    if decided_on is None:
        raise ConsentError({"decided_on": _("Give the date the consent was given or refused.")})
    if decided_on > timezone.localdate():
        raise ConsentError({"decided_on": _("The date cannot be in the future.")})
    answers = _check_answers(answers)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_giver(
        case=case,
        children=children,
        given_by=given_by,
        person=person,
        decided_on=decided_on,
        confirm=confirm_not_suspect,
    )
    now = timezone.now()
    consents = [
        Consent.objects.create(
            case=case,
            child=child,
            given_by=given_by,
            given_by_person=person if given_by == ConsentGiver.CARER else None,
            decided_on=decided_on,
            note=note.strip(),
            recorded_by=actor,
            recorded_at=now,
        )
        for child in children
    ]
    ConsentItem.objects.bulk_create(
        [
            ConsentItem(consent=consent, purpose=purpose, institution=institution, answer=answer)
            for consent in consents
            for (purpose, institution), answer in answers.items()
        ]
    )
    # The children by their record's reference, never their names (see cases/messages.py).
    _timeline(
        case,
        actor=actor,
        at=now,
        code="consent.recorded",
        params={
            "children": [c.person.reference for c in children],
            "given_by": given_by,
            "record": person.reference if person is not None else "",
            "date": decided_on.isoformat(),
            "answers": {f"{p}:{i}" if i else p: a for (p, i), a in sorted(answers.items())},
        },
    )
    Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    audit_record(
        actor=actor,
        action="case.consent",
        target=case,
        ip=ip,
        details={
            "children": [c.pk for c in children],
            "given_by": given_by,
            "person": person.pk if person else None,
            "answers": {f"{p}:{i}" if i else p: a for (p, i), a in sorted(answers.items())},
        },
    )
    return consents


# --- Who must not be told ------------------------------------------------------------------------


@transaction.atomic
def do_not_tell_add(
    *,
    actor: User,
    case: Case,
    person: Person | None = None,
    relation: str = "",
    note: str = "",
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> DoNotTell:
    note = " ".join((note or "").split())
    if person is None and not relation and not note:
        raise ConsentError(_("Say who must not be told: a family member, a relation or a few words."))
    now = now or timezone.now()
    entry = DoNotTell.objects.create(
        case=case, person=person, relation=relation, note=note[:200], added_by=actor, added_at=now
    )
    if person is not None:
        code, params = "do_not_tell.family_member", {"record": person.reference}
    elif relation:
        code, params = "do_not_tell.relation", {"who": relation}
    else:
        code, params = "do_not_tell.someone", {}
    _timeline(case, actor=actor, at=now, code=code, params=params)
    Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    audit_record(
        actor=actor,
        action="case.do_not_tell",
        target=case,
        ip=ip,
        details={"entry": entry.pk, "person": person.pk if person else None, "relation": relation},
    )
    return entry


@transaction.atomic
def do_not_tell_remove(*, actor: User, entry: DoNotTell, reason: str, ip: str | None = None) -> None:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ConsentError({"reason": _("Say why this person may now be told.")})
    case = Case.objects.only("pk", "number").get(pk=entry.case_id)
    details = {"entry": entry.pk, "person": entry.person_id, "relation": entry.relation, "reason": reason}
    entry.delete()
    now = timezone.now()
    _timeline(case, actor=actor, at=now, code="do_not_tell.removed", note=reason)
    Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
    audit_record(actor=actor, action="case.do_not_tell_remove", target=case, ip=ip, details=details)
