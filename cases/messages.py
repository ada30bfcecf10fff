"""What the cases app writes on a timeline, why a rule escalates, and what it notifies.

Each entry is a code and a lazily translated message with named placeholders (see
core.messages): rows store the code and parameters, and are rendered in the reader's
language. Adding an event is one ``EVENT_MESSAGES.register`` here and a service that
writes ``code=…, params=…``. Parameters hold codes, numbers, case numbers and record
references, never a child's identity and never what someone typed (that is the event's
note). ``legacy`` wordings are the texts stored before codes, which the data migration
recognises (a placeholder not in the message is what the person typed: it goes to the note).

Loaded from CasesConfig.ready(), so the registries are full before any row is shown.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions, register_detail_labels
from accounts.notifications import register_notification

from .models import (
    ESCALATION_REASONS,
    EVENT_MESSAGES,
    Attachment,
    Case,
    ClosureReason,
    ConsentAnswer,
    ConsentGiver,
    ConsentInstitution,
    ConsentPurpose,
    Escalation,
    ReferralInstitution,
    ReferralStatus,
    Relation,
    Risk,
    ServiceType,
    ViolenceType,
)

# --- Helpers that show a parameter ----------------------------------------------------------

EXTRA_FIELDS = {
    "violence_types": _("types of violence"),
    "children": _("children"),
    "perpetrators": _("alleged perpetrators"),
    "coding": _("each child's coding (types of violence, relations)"),
}


def case_field_label(name: str) -> str:
    """A field of the case by its verbose name (what the edit event lists)."""
    if name in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[name])
    try:
        return str(Case._meta.get_field(name).verbose_name)
    except Exception:  # a field since removed: shown by its name
        return name


ONLINE_PROSTITUTION = "online_prostitution"
CRITICAL_RISK = Risk.KRITIS.value


def immediate_ground_label(code: str) -> str:
    """What made a case urgent: a violence type, online prostitution or critical risk."""
    if code == ONLINE_PROSTITUTION:
        return gettext("Online prostitution of children")
    if code == CRITICAL_RISK:
        return gettext("Critical risk")
    try:
        return str(ViolenceType(code).label)
    except ValueError:
        return code


def escalation_reason(value: dict) -> str:
    """A rule's reason inside another message: {"rule": …, "params": {…}}."""
    return ESCALATION_REASONS.render(value.get("rule", ""), value.get("params") or {})


def _date(value: str) -> str:
    return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def consent_summary(answers: dict) -> str:
    """{"purpose" or "purpose:institution": answer} as "Photos: Yes; Sharing with KPAD: No"."""
    parts = []
    for key, answer in sorted(answers.items()):
        purpose, _sep, institution = key.partition(":")
        label = (
            gettext("Sharing with %(institution)s") % {"institution": ConsentInstitution(institution).label}
            if institution
            else str(ConsentPurpose(purpose).label)
        )
        parts.append(f"{label}: {ConsentAnswer(answer).label}")
    return "; ".join(parts)


def consent_recorded(params: dict) -> str:
    who = (
        gettext("the child themselves")
        if params["given_by"] == ConsentGiver.CHILD
        else gettext("a parent or guardian (record %(record)s)") % {"record": params.get("record") or "?"}
    )
    return gettext("Consent recorded for %(children)s, by %(who)s on %(date)s. %(answers)s") % {
        "children": ", ".join(params["children"]),
        "who": who,
        "date": _date(params["date"]),
        "answers": consent_summary(params["answers"]),
    }


# --- Timeline events --------------------------------------------------------------------------

EVENT_MESSAGES.register("case.edited", _("Changed: %(fields)s."), fields=case_field_label)
EVENT_MESSAGES.register(
    "service.added",
    _("%(service)s by %(provider)s"),
    legacy=["%(service)s — %(provider)s: %(outcome)s", "%(service)s — %(provider)s"],
    service=ServiceType,
)
EVENT_MESSAGES.register(
    "referral.sent",
    _("Referred to %(institution)s"),
    legacy=["%(institution)s: %(reason)s", "%(institution)s"],
    institution=ReferralInstitution,
)
EVENT_MESSAGES.register(
    "referral.sent_to_unit",
    _("Referred to %(institution)s (%(unit)s)"),
    legacy=["%(institution)s (%(unit)s): %(reason)s", "%(institution)s (%(unit)s)"],
    institution=ReferralInstitution,
)
EVENT_MESSAGES.register(
    "referral.updated",
    _("Referral to %(institution)s: %(status)s"),
    legacy=["%(institution)s: %(status)s — %(note)s", "%(institution)s: %(status)s"],
    institution=ReferralInstitution,
    status=ReferralStatus,
)
EVENT_MESSAGES.register("case.worker_assigned", _("Case worker: %(name)s"))
EVENT_MESSAGES.register("case.cadre_assigned", _("Accompanying cadre: %(name)s"))
EVENT_MESSAGES.register("case.cadre_removed", _("No longer accompanying: %(name)s"))
EVENT_MESSAGES.register("attachment.added", _("%(kind)s added"), legacy=["%(kind)s"], kind=Attachment.Kind)
EVENT_MESSAGES.register("consent.recorded", consent_recorded)
EVENT_MESSAGES.register(
    "do_not_tell.family_member", _("Family member record %(record)s must not be told about the case.")
)
EVENT_MESSAGES.register("do_not_tell.relation", _("Added to who must not be told: %(who)s."), who=Relation)
EVENT_MESSAGES.register("do_not_tell.someone", _("Someone was added to who must not be told."))
EVENT_MESSAGES.register(
    "do_not_tell.removed",
    _("Taken off who must not be told."),
    legacy=[gettext_noop("Taken off who must not be told: %(reason)s")],
)
EVENT_MESSAGES.register(
    "perpetrator.linked",
    _("The alleged perpetrator (%(relation)s) is family member record %(record)s."),
    relation=Relation,
)
EVENT_MESSAGES.register(
    "perpetrator.unlinked",
    _("The alleged perpetrator (%(relation)s) is no longer tied to a record."),
    relation=Relation,
)
EVENT_MESSAGES.register(
    "person.merged",
    _("Two records of the same child were merged: record %(other)s is now record %(keep)s."),
)
EVENT_MESSAGES.register(
    "escalation.opened", "%(rule)s", rule=Escalation.Rule
)  # by hand: the reason staff typed is the note
EVENT_MESSAGES.register(
    "escalation.opened_by_rule", "%(rule)s: %(reason)s", rule=Escalation.Rule, reason=escalation_reason
)
EVENT_MESSAGES.register(
    "kpad.acknowledged", _("KPAD acknowledged the escalation (%(rule)s)."), rule=Escalation.Rule
)
EVENT_MESSAGES.register(
    "kpad.request",
    _("KPAD asks for information."),
    legacy=[gettext_noop("KPAD asks for information: %(text)s")],
)
EVENT_MESSAGES.register(
    "kpad.recommendation",
    _("KPAD made a recommendation."),
    legacy=[gettext_noop("KPAD recommends: %(text)s")],
)
EVENT_MESSAGES.register(
    "kpad.resolved", _("KPAD closed its review."), legacy=[gettext_noop("KPAD closed its review: %(note)s")]
)
EVENT_MESSAGES.register("simfoni.ready", _("Child %(record)s is ready for SIMFONI."))
EVENT_MESSAGES.register("simfoni.entered", _("Child %(record)s entered into SIMFONI as %(number)s."))
EVENT_MESSAGES.register("kpad.identity_viewed", _("KPAD viewed the children's identity."))
EVENT_MESSAGES.register(
    "kpad.answered",
    _("The Dinas answered KPAD's request."),
    legacy=[gettext_noop("Answer to KPAD's request: %(answer)s")],
)

# --- Why a rule escalated a case (the code is the rule) ----------------------------------------

ESCALATION_REASONS.register(Escalation.Rule.IMMEDIATE, "%(grounds)s", grounds=immediate_ground_label)
ESCALATION_REASONS.register(
    Escalation.Rule.UNTRIAGED,
    ngettext_lazy(
        "Still not verified %(hours)d hour after the report.",
        "Still not verified %(hours)d hours after the report.",
        "hours",
    ),
)
STALLED_INACTIVE = ngettext_lazy(
    "No activity on the case for %(days)d day.", "No activity on the case for %(days)d days.", "days"
)


def stalled_reason(params: dict) -> str:
    """No activity for ``days`` (unless ``inactive`` is false), and ``overdue`` tasks overdue by
    ``task_days`` or more (the case-work part of the rule), in the reader's language."""
    parts = []
    if params.get("inactive", True):
        parts.append(STALLED_INACTIVE % {"days": params["days"]})
    if params.get("overdue"):
        parts.append(
            ngettext(
                "%(n)d task overdue by %(days)d days or more.",
                "%(n)d tasks overdue by %(days)d days or more.",
                params["overdue"],
            )
            % {"n": params["overdue"], "days": params["task_days"]}
        )
    return " ".join(parts)


ESCALATION_REASONS.register(Escalation.Rule.STALLED, stalled_reason, legacy=[STALLED_INACTIVE])
ESCALATION_REASONS.register(
    Escalation.Rule.REPEAT,
    ngettext_lazy(
        "A child of this case is in another case reported in the %(months)d month before it.",
        "A child of this case is in another case reported in the %(months)d months before it.",
        "months",
    ),
)

# --- Notifications ------------------------------------------------------------------------------


def kpad_digest_body(params: dict) -> str:
    lines = [
        gettext("Waiting for acknowledgement: %(open)d") % params,
        gettext("Acknowledged, in review: %(acknowledged)d") % params,
        gettext("Overdue (not acknowledged in time): %(overdue)d") % params,
        gettext("New since yesterday: %(new)d") % params,
    ]
    if params.get("numbers"):
        lines.append(gettext("New cases: %(numbers)s") % {"numbers": ", ".join(params["numbers"])})
    return "\n".join(lines)


def kpad_reminder_body(params: dict) -> str:
    return ngettext(
        "Not acknowledged within %(days)d day: %(numbers)s.",
        "Not acknowledged within %(days)d days: %(numbers)s.",
        params["days"],
    ) % {"days": params["days"], "numbers": ", ".join(params["numbers"])}


register_notification(
    "case.escalated",
    title=_("Case %(number)s was escalated to KPAD"),
    body="%(rule)s",
    rule=Escalation.Rule,
)
register_notification("kpad.answered", title=_("Case %(number)s: the Dinas answered your request"))
register_notification(
    "kpad.acknowledged",
    title=_("KPAD acknowledged the escalation of case %(number)s"),
    body=_("KPAD is reviewing the case. Open it in SIGAP to follow the review."),
)
register_notification(
    "kpad.request",
    title=_("KPAD asks for information on case %(number)s"),
    body=_("Open the case in SIGAP to read KPAD's request and answer it there."),
)
register_notification(
    "kpad.recommendation",
    title=_("KPAD made a recommendation on case %(number)s"),
    body=_("Open the case in SIGAP to read KPAD's recommendation."),
)
register_notification(
    "kpad.resolved",
    title=_("KPAD closed its review of case %(number)s"),
    body=_("Open the case in SIGAP to read KPAD's closing note."),
)
register_notification(
    "kpad.reminder",
    title=ngettext_lazy(
        "%(count)d escalation is waiting for KPAD's acknowledgement",
        "%(count)d escalations are waiting for KPAD's acknowledgement",
        "count",
    ),
    body=kpad_reminder_body,
)
register_notification(
    "kpad.digest",
    title=_("KPAD daily summary: %(open)d waiting, %(overdue)d overdue"),
    body=kpad_digest_body,
)

# --- The audit log: what each action is, and the details' names ----------------------------------

register_actions(
    "case",
    _("Cases"),
    {
        "case.create": _("Case reported"),
        "case.view": _("Case opened"),
        "case.update": _("Case edited"),
        "case.status": _("Case status changed"),
        "case.note": _("Note added"),
        "case.visit": _("Visit recorded"),
        "case.service": _("Service recorded"),
        "case.refer": _("Case referred"),
        "case.referral_status": _("Referral updated"),
        "case.assign_worker": _("Case worker assigned"),
        "case.assign_cadre": _("Accompanying cadre assigned"),
        "case.remove_cadre": _("Accompanying cadre removed"),
        "case.attachment_upload": _("Attachment uploaded"),
        "case.attachment_download": _("Attachment downloaded"),
        "case.export": _("Case printed or exported"),
        "case.escalate": _("Case escalated to KPAD"),
        "case.kpad_answer": _("KPAD's request answered"),
        "case.reveal_identity": _("Children's identity viewed by KPAD"),
        "case.consent": _("Consent recorded"),
        "case.do_not_tell": _("Added to who must not be told"),
        "case.do_not_tell_remove": _("Taken off who must not be told"),
        "case.perpetrator_person": _("Alleged perpetrator tied to a family record"),
        "case.simfoni_sheet": _("SIMFONI entry sheet opened"),
        "case.simfoni_ready": _("Child marked ready for SIMFONI"),
        "case.simfoni_entered": _("SIMFONI register number recorded"),
        "case.assessment": _("Assessment recorded"),
        "case.plan": _("Service plan made"),
        "case.task_add": _("Task added"),
        "case.task_state": _("Task updated"),
        "case.approval": _("Plan or closure approved or sent back"),
        "case.closure_request": _("Closure asked for approval"),
        "case.conference": _("Case conference recorded"),
        "case.referral_answer": _("Referral's answer recorded"),
        "case.referral_outcome": _("Referral's outcome recorded"),
        "case.transfer": _("Case transferred"),
        "case.destroy": _("Case destroyed at the end of its retention"),
    },
)
register_actions("draft", _("Report drafts"), {"draft.destroy": _("Unsent report draft destroyed")})
register_actions(
    "kpad",
    _("KPAD's review"),
    {
        "kpad.acknowledge": _("KPAD acknowledged an escalation"),
        "kpad.request": _("KPAD asked for information"),
        "kpad.recommendation": _("KPAD made a recommendation"),
        "kpad.resolve": _("KPAD closed its review"),
    },
)
register_actions(
    "person",
    _("Children's records"),
    {
        "person.view": _("Child's record opened"),
        "person.duplicate_match": _("Possible earlier record shown at intake"),
        "person.family_link": _("Family member linked"),
        "person.family_unlink": _("Family member unlinked"),
        "person.merge": _("Children's records merged"),
        "person.destroy": _("Personal record destroyed with the last case naming it"),
    },
)

register_detail_labels(
    {
        "rule": _("Rule"),
        "escalation": _("Escalation"),
        "message": _("KPAD's message"),
        "children": _("Children (records)"),
        "withheld_by_consent": _("Withheld by consent"),
        "given_by": _("Given by"),
        "person": _("Record"),
        "answers": _("Answers"),
        "entry": _("Entry"),
        "relation": _("Relation"),
        "attachment": _("Attachment"),
        "service": _("Service"),
        "institution": _("Institution"),
        "consent": _("Basis in consent"),
        "referral": _("Referral"),
        "worker": _("Case worker"),
        "cadre": _("Cadre"),
        "merged": _("Record merged"),
        "cases_moved": _("Cases moved"),
        "family_links_moved": _("Family links moved"),
        "filled": _("Filled in"),
        "link": _("Family link"),
        "relative": _("Family member"),
        "perpetrator": _("Alleged perpetrator"),
        "perpetrators": _("Alleged perpetrators"),
        "violence_types": _("Types of violence"),
        "closure_reason": _("Reason for closing"),
    },
    values={
        "rule": Escalation.Rule,
        "service": ServiceType,
        "institution": ReferralInstitution,
        "closure_reason": ClosureReason,
        "given_by": ConsentGiver,
        "relation": Relation,
        "case.referral_status:to": ReferralStatus,
    },
)
