"""What case work writes on a timeline and notifies: codes and their messages (core.messages).

Kept beside cases/messages.py (same registries), loaded from CasesConfig.ready(). Parameters
hold codes, numbers, dates (ISO), case numbers and user names, never a child's identity and
never what someone typed: that is the event's note.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.notifications import register_notification

from .casework_models import Approval, CaseTask
from .models import EVENT_MESSAGES, ClosureReason, ReferralInstitution, ReferralStatus, Risk


def day(value: str) -> str:
    return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


EVENT_MESSAGES.register(
    "assessment.recorded", _("Assessment of child %(ref)s: overall risk %(risk)s."), risk=Risk
)
EVENT_MESSAGES.register(
    "case.risk_reassessed",
    _("Risk changed from %(old)s to %(new)s after the assessment."),
    old=Risk,
    new=Risk,
)
EVENT_MESSAGES.register(
    "plan.created",
    _("Service plan version %(version)d: %(goals)d goals, %(actions)d new actions; review by %(review)s."),
    review=day,
)
EVENT_MESSAGES.register("task.added", _("New task for %(owner)s, due %(due)s."), due=day)
EVENT_MESSAGES.register(
    "task.added_institution",
    _("New task for %(institution)s, due %(due)s."),
    institution=ReferralInstitution,
    due=day,
)
EVENT_MESSAGES.register(
    "task.state", _("Task of %(owner)s (due %(due)s): %(state)s."), due=day, state=CaseTask.State
)
EVENT_MESSAGES.register(
    "task.state_institution",
    _("Task of %(institution)s (due %(due)s): %(state)s."),
    institution=ReferralInstitution,
    due=day,
    state=CaseTask.State,
)
EVENT_MESSAGES.register(
    "referral.reminder", _("No answer to a referral yet: a reminder task for the case worker.")
)
EVENT_MESSAGES.register(
    "closure.requested", _("Completion asked of a supervisor (%(reason)s)."), reason=ClosureReason
)
EVENT_MESSAGES.register("approval.approved", _("%(what)s approved by the supervisor."), what=Approval.Kind)
EVENT_MESSAGES.register("approval.returned", _("%(what)s sent back by the supervisor."), what=Approval.Kind)
EVENT_MESSAGES.register("conference.recorded", _("Case conference of %(day)s: %(n)d decisions."), day=day)
EVENT_MESSAGES.register(
    "referral.answered",
    _("%(institution)s answered on %(day)s: %(answer)s."),
    institution=ReferralInstitution,
    answer=ReferralStatus,
    day=day,
)
EVENT_MESSAGES.register(
    "referral.outcome", _("Outcome from %(institution)s (%(day)s)."), institution=ReferralInstitution, day=day
)
EVENT_MESSAGES.register("case.transferred_kelurahan", _("Transferred to Kelurahan %(kelurahan)s."))
EVENT_MESSAGES.register("case.transferred_city", _("Transferred to another city or regency (in the note)."))
EVENT_MESSAGES.register(
    "kpad.resolved_unanswered",
    _("KPAD closed its review while its request had no answer; why is in the note."),
)

register_notification("tasks.new", title=_("A new task for you on case %(number)s"))
register_notification(
    "tasks.referral_reminder",
    title=ngettext_lazy(
        "A referral waits for an answer: %(numbers)s", "Referrals wait for an answer: %(numbers)s", "count"
    ),
)
register_notification(
    "tasks.digest",
    title=_("Your tasks: %(overdue)d overdue, %(today)d due today"),
    body=_("Cases: %(numbers)s"),
)
register_notification(
    "approval.plan_requested", title=_("Case %(number)s: a service plan waits for your approval")
)
register_notification(
    "approval.closure_requested", title=_("Case %(number)s: a closure waits for your approval")
)
register_notification("approval.approved", title=_("Case %(number)s: approved"))
register_notification("approval.returned", title=_("Case %(number)s: sent back"))
