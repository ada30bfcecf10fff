"""Writes for managing a case: assessments, service plans and their actions (tasks),
approvals, case conferences, referral answers and reminders, transfers, the task digest.

Like cases.services: keyword-only, each owns its transaction, writes the timeline event and
the audit row. Timeline notes and notifications are stored in the site's language and never
name a child (a task's title can: it stays on the case and on its owner's task list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User
from accounts.policy import Cap, user_can
from accounts.selectors import users_with_capability
from accounts.services import audit_record, notify
from core.time import today_start
from kelurahan.models import Kelurahan

from . import casework_selectors, services
from .casework_models import NEED_AREAS, Approval, Assessment, CaseConference, CaseTask, ServicePlan, Transfer
from .links import case_url
from .models import (
    EVENT_MESSAGES,
    OPEN_STATUSES,
    Case,
    CaseCadre,
    CaseEvent,
    Child,
    Referral,
    ReferralInstitution,
    ReferralStatus,
    Risk,
    Status,
)

RISK_ORDER = [Risk.RENDAH, Risk.SEDANG, Risk.TINGGI, Risk.KRITIS]
DIGEST_KIND = "tasks.digest"


def _stored(message, **params) -> str:
    """A sentence for the timeline or a notification, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


def _event(
    case: Case,
    *,
    actor: User,
    kind: str,
    at: dt.datetime,
    code: str,
    params: dict | None = None,
    note: str = "",
) -> CaseEvent:
    """A timeline entry as a code of cases/casework_messages.py and its parameters (shown in the
    reader's language); what the person typed is the note."""
    EVENT_MESSAGES.check(code)
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, at=at, code=code, params=params or {}, note=note
    )


def _owner_event(task: CaseTask, code: str, **params) -> tuple[str, dict]:
    """The task's owner in an event: an institution by its code, a person by their name."""
    if task.owner_kind == CaseTask.Owner.INSTITUTION:
        return f"{code}_institution", {"institution": task.owner_institution, **params}
    return code, {"owner": task.owner_label(), **params}


def _touch(case: Case, at: dt.datetime) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=at, updated_at=at)


def _refuse_if_closed(case: Case) -> None:
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("The case is closed: reopen it first."))


# --- Assessment -----------------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    case: Case,
    child: Child,
    assessed_on: dt.date,
    overall_risk: str,
    risk_reason: str,
    child_view: str = "",
    ip: str | None = None,
    **areas: str,
) -> Assessment:
    """An assessment of one child. The case's risk becomes the highest overall risk of its
    children's current assessments; a change is on the timeline with the reason."""
    allowed = {f"{key}_{part}" for key, _label in NEED_AREAS for part in ("level", "finding")}
    unknown = set(areas) - allowed
    if unknown:
        raise TypeError(f"assessment_record() got unexpected fields {sorted(unknown)}")
    _refuse_if_closed(case)
    if child.case_id != case.pk:
        raise ValidationError({"child": _("This child is not in the case.")})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date cannot be in the future.")})
    if not risk_reason.strip():
        raise ValidationError({"risk_reason": _("Say why the child's risk is at this level.")})
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    assessment = Assessment(
        case=case,
        child=child,
        assessed_on=assessed_on,
        overall_risk=overall_risk,
        risk_reason=risk_reason.strip(),
        child_view=child_view.strip(),
        created_by=actor,
        created_at=now,
        **areas,
    )
    assessment.full_clean()
    assessment.save()
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSESSMENT,
        at=now,
        code="assessment.recorded",
        params={"ref": f"#{child.pk}", "risk": overall_risk},
    )
    current = casework_selectors.current_assessments(case=case)
    new_risk = max((a.overall_risk for a in current.values()), key=RISK_ORDER.index)
    if new_risk != case.risk:
        old = case.risk
        case.risk = new_risk
        case.last_activity_at = now
        case.save(update_fields=["risk", "last_activity_at", "updated_at"])
        _event(
            case,
            actor=actor,
            kind=CaseEvent.Kind.EDIT,
            at=now,
            code="case.risk_reassessed",
            params={"old": old, "new": new_risk},
            note=risk_reason.strip(),
        )
    else:
        _touch(case, now)
    audit_record(
        actor=actor,
        action="case.assessment",
        target=case,
        ip=ip,
        details={"assessment": assessment.pk, "child": child.pk, "risk": overall_risk, "case_risk": new_risk},
    )
    return assessment


# --- Tasks ----------------------------------------------------------------------------------------


@dataclass
class ActionData:
    """An action as typed: what, who (a staff member or cadre, or an institution), by when."""

    title: str
    owner_kind: str
    due_on: dt.date
    owner_user: User | None = None
    owner_institution: str = ""


def _check_owner(case: Case, data: ActionData) -> None:
    if data.owner_kind == CaseTask.Owner.INSTITUTION:
        if data.owner_institution not in ReferralInstitution.values:
            raise ValidationError({"owner_institution": _("Choose the institution.")})
        return
    user = data.owner_user
    if user is None:
        raise ValidationError({"owner_user": _("Choose who does it.")})
    if data.owner_kind == CaseTask.Owner.PETUGAS and not user_can(user, Cap.HANDLE_CASES):
        raise ValidationError({"owner_user": _("The owner must be an active staff member.")})
    if (
        data.owner_kind == CaseTask.Owner.KADER
        and not CaseCadre.objects.filter(case=case, user=user).exists()
    ):
        raise ValidationError({"owner_user": _("Only a cadre who accompanies the case can own its task.")})


def _task_create(case: Case, data: ActionData, *, actor: User, now: dt.datetime, **links) -> CaseTask:
    if not data.title.strip():
        raise ValidationError({"title": _("Say what is to be done.")})
    _check_owner(case, data)
    return CaseTask.objects.create(
        case=case,
        title=data.title.strip()[:255],
        owner_kind=data.owner_kind,
        owner_user=None if data.owner_kind == CaseTask.Owner.INSTITUTION else data.owner_user,
        owner_institution=data.owner_institution if data.owner_kind == CaseTask.Owner.INSTITUTION else "",
        due_on=data.due_on,
        created_by=actor,
        created_at=now,
        **links,
    )


def _tell_owners(tasks: list[CaseTask], *, case: Case, actor: User) -> None:
    """A new task tells its owner (not the one who set it), naming the case by its number."""
    owners = {t.owner_user_id: t.owner_user for t in tasks if t.owner_user_id and t.owner_user_id != actor.pk}
    if owners:
        notify(
            users=list(owners.values()),
            kind="tasks.new",
            params={"number": case.number},
            url=reverse("cases:my_tasks"),
        )


@transaction.atomic
def task_add(*, actor: User, case: Case, data: ActionData, ip: str | None = None) -> CaseTask:
    """One more action on the case's current plan."""
    _refuse_if_closed(case)
    now = timezone.now()
    plan = casework_selectors.current_plan(case=case)
    task = _task_create(case, data, actor=actor, now=now, plan=plan, source=CaseTask.Source.PLAN)
    code, params = _owner_event(task, "task.added", due=task.due_on.isoformat())
    _event(case, actor=actor, kind=CaseEvent.Kind.TASK, at=now, code=code, params=params)
    _touch(case, now)
    audit_record(actor=actor, action="case.task_add", target=case, ip=ip, details={"task": task.pk})
    _tell_owners([task], case=case, actor=actor)
    return task


def _day(day: dt.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return formats.date_format(day, "j F Y")


@transaction.atomic
def task_set_state(
    *, actor: User, task: CaseTask, state: str, note: str = "", ip: str | None = None
) -> CaseTask:
    """Mark a task in progress, done or cancelled. Done by a cadre on a case they accompany, it
    counts as the cadre's activity."""
    if state not in CaseTask.State.values or state == CaseTask.State.OPEN:
        raise ValidationError({"state": _("Choose what became of the task.")})
    if state == CaseTask.State.CANCELLED and not note.strip():
        raise ValidationError({"note": _("Say why the task is cancelled.")})
    task = (
        CaseTask.objects.select_for_update(of=("self",)).select_related("case", "owner_user").get(pk=task.pk)
    )
    if not task.is_open:
        raise ValidationError(_("This task is already settled."))
    now = timezone.now()
    task.state = state
    task.done_note = note.strip()[:255]
    fields = ["state", "done_note"]
    if state in (CaseTask.State.DONE, CaseTask.State.CANCELLED):
        task.done_at, task.done_by = now, actor
        fields += ["done_at", "done_by"]
    task.save(update_fields=fields)
    case = task.case
    code, params = _owner_event(task, "task.state", due=task.due_on.isoformat(), state=state)
    event = _event(
        case, actor=actor, kind=CaseEvent.Kind.TASK, at=now, code=code, params=params, note=task.done_note
    )
    _touch(case, now)
    audit_record(
        actor=actor, action="case.task_state", target=case, ip=ip, details={"task": task.pk, "to": state}
    )
    services.count_cadre_activity(actor=actor, case=case, event=event)
    return task


# --- Service plan ---------------------------------------------------------------------------------


def _supervisors_for(case: Case) -> list[User]:
    """Supervisors who may see the case: city-wide ones and those of its kecamatan."""
    kecamatan_id = (
        Kelurahan.objects.filter(pk=case.kelurahan_id).values_list("kecamatan_id", flat=True).first()
    )
    return list(
        users_with_capability(Cap.SUPERVISE).filter(Q(kecamatan__isnull=True) | Q(kecamatan_id=kecamatan_id))
    )


def _ask_approval(*, case: Case, kind: str, actor: User, now: dt.datetime, **fields) -> Approval:
    """Put a plan or a closure before the supervisors (one pending request per case and kind:
    a newer one replaces the pending one)."""
    Approval.objects.filter(case=case, kind=kind, state=Approval.State.PENDING).update(
        state=Approval.State.RETURNED,
        decided_at=now,
        decision_note=_stored(_("Replaced by a newer request.")),
    )
    approval = Approval.objects.create(case=case, kind=kind, requested_by=actor, requested_at=now, **fields)
    notify(
        users=[u for u in _supervisors_for(case) if u.pk != actor.pk],
        kind="approval.plan_requested" if kind == Approval.Kind.PLAN else "approval.closure_requested",
        params={"number": case.number},
        url=reverse("cases:approvals"),
    )
    return approval


@transaction.atomic
def plan_create(
    *, actor: User, case: Case, goals: str, actions: list[ActionData], ip: str | None = None
) -> ServicePlan:
    """A new version of the case's service plan, with its new actions (open actions of earlier
    versions stay). It waits for a supervisor's approval, and is due for review after
    SIGAP_PLAN_REVIEW_DAYS."""
    _refuse_if_closed(case)
    if not goals.strip():
        raise ValidationError({"goals": _("Write at least one goal.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    last = (
        ServicePlan.objects.filter(case=case).order_by("-version").values_list("version", flat=True).first()
    )
    has_open = case.tasks.filter(casework_selectors.OPEN_TASK).exists()
    if not actions and not has_open:
        raise ValidationError({"actions": _("Add at least one action with an owner and a due date.")})
    plan = ServicePlan.objects.create(
        case=case,
        version=(last or 0) + 1,
        goals=goals.strip(),
        review_on=timezone.localdate() + dt.timedelta(days=settings.SIGAP_PLAN_REVIEW_DAYS),
        created_by=actor,
        created_at=now,
    )
    tasks = [
        _task_create(case, a, actor=actor, now=now, plan=plan, source=CaseTask.Source.PLAN) for a in actions
    ]
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.PLAN,
        at=now,
        code="plan.created",
        params={
            "version": plan.version,
            "goals": len(plan.goal_list()),
            "actions": len(tasks),
            "review": plan.review_on.isoformat(),
        },
    )
    _touch(case, now)
    if user_can(actor, Cap.SUPERVISE):
        # A supervisor's own plan needs no second signature.
        Approval.objects.create(
            case=case,
            kind=Approval.Kind.PLAN,
            plan=plan,
            requested_by=actor,
            requested_at=now,
            state=Approval.State.APPROVED,
            decided_by=actor,
            decided_at=now,
        )
    else:
        _ask_approval(case=case, kind=Approval.Kind.PLAN, actor=actor, now=now, plan=plan)
    audit_record(
        actor=actor,
        action="case.plan",
        target=case,
        ip=ip,
        details={"plan": plan.pk, "version": plan.version, "tasks": [t.pk for t in tasks]},
    )
    _tell_owners(tasks, case=case, actor=actor)
    return plan


# --- Approvals ------------------------------------------------------------------------------------


@transaction.atomic
def closure_request(
    *, actor: User, case: Case, closure_reason: str, note: str = "", ip: str | None = None
) -> Approval:
    """Ask a supervisor to complete the case (selesai) for this reason."""
    _refuse_if_closed(case)
    if closure_reason not in services.COMPLETION_REASONS:
        raise ValidationError({"closure_reason": _("Choose why the case is closed.")})
    if Status.SELESAI not in services.ALLOWED_TRANSITIONS[case.status]:
        raise ValidationError(
            {
                "to": _("A case that is %(current)s cannot be completed.")
                % {"current": case.get_status_display()}
            }
        )
    now = timezone.now()
    approval = _ask_approval(
        case=case, kind=Approval.Kind.CLOSURE, actor=actor, now=now, closure_reason=closure_reason, note=note
    )
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.APPROVAL,
        at=now,
        code="closure.requested",
        params={"reason": closure_reason},
        note=note,
    )
    _touch(case, now)
    audit_record(
        actor=actor, action="case.closure_request", target=case, ip=ip, details={"approval": approval.pk}
    )
    return approval


@transaction.atomic
def approval_decide(
    *,
    actor: User,
    approval: Approval,
    approve: bool,
    note: str = "",
    override_reason: str = "",
    ip: str | None = None,
) -> Approval:
    """A supervisor approves a plan or a closure, or sends it back with a note. An approved
    closure completes the case, refused while referrals are unanswered or tasks open unless the
    supervisor gives a reason to override."""
    if not user_can(actor, Cap.SUPERVISE):
        raise ValidationError(_("Only a supervisor can approve."))
    approval = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("case", "plan", "requested_by")
        .get(pk=approval.pk)
    )
    if approval.state != Approval.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say what must change before it can be approved.")})
    case = approval.case
    now = timezone.now()
    if approve and approval.kind == Approval.Kind.CLOSURE:
        services.case_change_status(
            actor=actor,
            case=case,
            to=Status.SELESAI,
            note=note or approval.note,
            closure_reason=approval.closure_reason,
            override_reason=override_reason,
            ip=ip,
        )
    approval.state = Approval.State.APPROVED if approve else Approval.State.RETURNED
    approval.decided_by, approval.decided_at = actor, now
    approval.decision_note = note.strip()
    approval.override_reason = override_reason.strip() if approve else ""
    approval.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "override_reason"])
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.APPROVAL,
        at=now,
        code="approval.approved" if approve else "approval.returned",
        params={"what": approval.kind},
        note=note.strip(),
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.approval",
        target=case,
        ip=ip,
        details={
            "approval": approval.pk,
            "kind": approval.kind,
            "approved": approve,
            "override": bool(override_reason),
        },
    )
    if approval.requested_by_id != actor.pk:
        notify(
            users=[approval.requested_by],
            kind="approval.approved" if approve else "approval.returned",
            params={"number": case.number},
            url=case_url(case.number),
        )
    return approval


# --- Case conference ------------------------------------------------------------------------------


@transaction.atomic
def conference_record(
    *,
    actor: User,
    case: Case,
    held_on: dt.date,
    decisions: list[ActionData],
    institutions: list[str] = (),
    kpad_present: bool = False,
    cadres: list[User] = (),
    other_attendees: str = "",
    summary: str = "",
    ip: str | None = None,
) -> CaseConference:
    """A case conference and its decisions, each decision a task with its owner and due date."""
    _refuse_if_closed(case)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The date cannot be in the future.")})
    if not decisions:
        raise ValidationError({"decisions": _("Record at least one decision, with who does it and by when.")})
    unknown = set(institutions) - set(ReferralInstitution.values)
    if unknown:
        raise ValidationError({"institutions": _("Choose institutions from the list.")})
    accompanying = set(CaseCadre.objects.filter(case=case).values_list("user_id", flat=True))
    if any(c.pk not in accompanying for c in cadres):
        raise ValidationError({"cadres": _("Only cadres who accompany the case can be listed.")})
    now = timezone.now()
    conference = CaseConference.objects.create(
        case=case,
        held_on=held_on,
        institutions=list(dict.fromkeys(institutions)),
        kpad_present=kpad_present,
        other_attendees=other_attendees.strip(),
        summary=summary.strip(),
        created_by=actor,
        created_at=now,
    )
    conference.cadres.set(cadres)
    plan = casework_selectors.current_plan(case=case)
    tasks = [
        _task_create(
            case, d, actor=actor, now=now, conference=conference, plan=plan, source=CaseTask.Source.CONFERENCE
        )
        for d in decisions
    ]
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CONFERENCE,
        at=now,
        code="conference.recorded",
        params={"day": held_on.isoformat(), "n": len(tasks)},
    )
    _touch(case, now)
    audit_record(
        actor=actor, action="case.conference", target=case, ip=ip, details={"conference": conference.pk}
    )
    _tell_owners(tasks, case=case, actor=actor)
    return conference


# --- Referrals: the answer, the outcome, the reminder --------------------------------------------


def _settle_reminders(referral: Referral, *, actor: User, now: dt.datetime) -> None:
    CaseTask.objects.filter(referral=referral, state__in=CaseTask.OPEN_STATES).update(
        state=CaseTask.State.DONE,
        done_at=now,
        done_by=actor,
        done_note=_stored(_("The institution answered.")),
    )


@transaction.atomic
def referral_answer(
    *,
    actor: User,
    referral: Referral,
    accepted: bool,
    answered_on: dt.date,
    reason: str = "",
    ip: str | None = None,
) -> Referral:
    """The receiving institution's answer: accepted, or refused with its reason."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
    if referral.status != ReferralStatus.SENT:
        raise ValidationError(_("The institution's answer is already recorded."))
    if answered_on > timezone.localdate():
        raise ValidationError({"answered_on": _("The date cannot be in the future.")})
    if answered_on < referral.date:
        raise ValidationError({"answered_on": _("The answer cannot come before the referral.")})
    if not accepted and not reason.strip():
        raise ValidationError({"reason": _("Say why the institution refused.")})
    now = timezone.now()
    referral.status = ReferralStatus.ACCEPTED if accepted else ReferralStatus.REFUSED
    referral.answered_on = answered_on
    referral.status_note = reason.strip()[:255]
    referral.save(update_fields=["status", "answered_on", "status_note", "updated_at"])
    _settle_reminders(referral, actor=actor, now=now)
    case = referral.case
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.REFERRAL_UPDATE,
        at=now,
        code="referral.answered",
        params={
            "institution": referral.institution,
            "day": answered_on.isoformat(),
            "answer": referral.status,
        },
        note=referral.status_note,
    )
    _touch(case, now)
    audit_record(
        actor=actor,
        action="case.referral_answer",
        target=case,
        ip=ip,
        details={"referral": referral.pk, "to": referral.status},
    )
    return referral


@transaction.atomic
def referral_outcome(
    *, actor: User, referral: Referral, outcome: str, outcome_on: dt.date, ip: str | None = None
) -> Referral:
    """What came of an accepted referral, as the institution reports it: the loop is closed."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("An outcome is recorded once the institution has accepted the referral."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what came of the referral.")})
    if outcome_on > timezone.localdate():
        raise ValidationError({"outcome_on": _("The date cannot be in the future.")})
    now = timezone.now()
    referral.status = ReferralStatus.DONE
    referral.outcome = outcome.strip()
    referral.outcome_on = outcome_on
    referral.save(update_fields=["status", "outcome", "outcome_on", "updated_at"])
    case = referral.case
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.REFERRAL_UPDATE,
        at=now,
        code="referral.outcome",
        params={"institution": referral.institution, "day": outcome_on.isoformat()},
        note=referral.outcome,
    )
    _touch(case, now)
    audit_record(
        actor=actor, action="case.referral_outcome", target=case, ip=ip, details={"referral": referral.pk}
    )
    return referral


@dataclass
class ReminderRun:
    created: int


def referral_reminders(*, now: dt.datetime | None = None) -> ReminderRun:
    """A reminder task for each referral still without an answer SIGAP_REFERRAL_ANSWER_DAYS
    after it was sent, for the case worker (or whoever referred): once per referral, by the
    database's unique index, however many runs. Set-based."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    limit = today - dt.timedelta(days=settings.SIGAP_REFERRAL_ANSWER_DAYS)
    reminded = CaseTask.objects.filter(referral=OuterRef("pk"), source=CaseTask.Source.REFERRAL)
    rows = list(
        Referral.objects.filter(status=ReferralStatus.SENT, date__lte=limit, case__status__in=OPEN_STATUSES)
        .exclude(Exists(reminded))
        .select_related("case")
        .order_by("pk")
    )
    if not rows:
        return ReminderRun(0)
    with transaction.atomic():
        tasks = []
        for referral in rows:
            owner_id = referral.case.case_worker_id or referral.created_by_id
            tasks.append(
                CaseTask(
                    case_id=referral.case_id,
                    source=CaseTask.Source.REFERRAL,
                    referral=referral,
                    title=_stored(
                        _("Ask %(institution)s for their answer to the referral of %(day)s."),
                        institution=referral.get_institution_display(),
                        day=_day(referral.date),
                    ),
                    owner_kind=CaseTask.Owner.PETUGAS,
                    owner_user_id=owner_id,
                    due_on=today,
                    created_by_id=owner_id,
                    created_at=now,
                )
            )
        CaseTask.objects.bulk_create(tasks, ignore_conflicts=True)
        created = list(
            CaseTask.objects.filter(
                referral__in=rows, source=CaseTask.Source.REFERRAL, created_at=now
            ).select_related("case", "owner_user")
        )
        for task in created:
            _event(
                task.case, actor=task.owner_user, kind=CaseEvent.Kind.TASK, at=now, code="referral.reminder"
            )
        by_owner: dict[int, list[CaseTask]] = {}
        for task in created:
            by_owner.setdefault(task.owner_user_id, []).append(task)
        for owner_tasks in by_owner.values():
            notify(
                users=[owner_tasks[0].owner_user],
                kind="tasks.referral_reminder",
                params={
                    "numbers": list(dict.fromkeys(t.case.number for t in owner_tasks)),
                    "count": len(owner_tasks),
                },
                url=reverse("cases:my_tasks"),
            )
    return ReminderRun(len(created))


# --- The daily digest -----------------------------------------------------------------------------


@dataclass
class DigestRun:
    recipients: int


DIGEST_MAX_NUMBERS = 10


@transaction.atomic
def task_digest_send(*, now: dt.datetime | None = None) -> DigestRun:
    """Once a (Pontianak) day, each user with tasks overdue or due today gets their counts and
    the case numbers, in the inbox and by email: never a task's title (it may name a child)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    already = Notification.objects.filter(
        user=OuterRef("pk"), kind=DIGEST_KIND, created_at__gte=today_start(now)
    )
    due = CaseTask.objects.filter(
        state__in=CaseTask.OPEN_STATES, due_on__lte=today, case__status__in=OPEN_STATUSES
    )
    counts = {
        row["owner_user"]: row
        for row in due.filter(owner_user__isnull=False)
        .values("owner_user")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            today=Count("pk", filter=Q(due_on=today)),
        )
    }
    if not counts:
        return DigestRun(0)
    users = list(
        User.objects.filter(pk__in=counts, is_active=True)
        .filter(~Exists(already))
        .select_for_update(skip_locked=True)
    )
    numbers: dict[int, list[str]] = {}
    for owner_id, number in (
        due.filter(owner_user__in=users).order_by("due_on", "pk").values_list("owner_user", "case__number")
    ):
        found = numbers.setdefault(owner_id, [])
        if number not in found and len(found) < DIGEST_MAX_NUMBERS:
            found.append(number)
    sent = 0
    url = reverse("cases:my_tasks")
    for user in users:
        row = counts[user.pk]
        params = {"overdue": row["overdue"], "today": row["today"], "numbers": numbers.get(user.pk, [])}
        sent += len(notify(users=[user], kind=DIGEST_KIND, params=params, url=url))
    return DigestRun(sent)


# --- Transfer -------------------------------------------------------------------------------------


@transaction.atomic
def case_transfer(
    *,
    actor: User,
    case: Case,
    handover_note: str,
    transferred_on: dt.date,
    to_kelurahan: Kelurahan | None = None,
    to_city: str = "",
    receiving: str = "",
    ip: str | None = None,
) -> Transfer:
    """The family moved: the case follows them to another kelurahan (its area changes), or is
    handed over to another city's services (it is then referred, and a task asks the case
    worker to confirm the handover). Never a closure."""
    _refuse_if_closed(case)
    if not handover_note.strip():
        raise ValidationError({"handover_note": _("Write the handover note.")})
    if (to_kelurahan is None) == (not to_city.strip()):
        raise ValidationError({"to_kelurahan": _("Choose the new kelurahan, or write the other city.")})
    if transferred_on > timezone.localdate():
        raise ValidationError({"transferred_on": _("The date cannot be in the future.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_kelurahan is not None and to_kelurahan.pk == case.kelurahan_id:
        raise ValidationError({"to_kelurahan": _("The case is already in this kelurahan.")})
    now = timezone.now()
    transfer = Transfer.objects.create(
        case=case,
        from_kelurahan_id=case.kelurahan_id,
        to_kelurahan=to_kelurahan,
        to_city=to_city.strip(),
        receiving=receiving.strip(),
        handover_note=handover_note.strip(),
        transferred_on=transferred_on,
        created_by=actor,
        created_at=now,
    )
    if to_kelurahan is not None:
        case.kelurahan = to_kelurahan
        case.last_activity_at = now
        case.save(update_fields=["kelurahan", "last_activity_at", "updated_at"])
        where = to_kelurahan.name
    else:
        where = transfer.to_city
        if case.status == Status.DITANGANI:  # still followed, by the other city's services now
            case = services.case_change_status(
                actor=actor,
                case=case,
                to=Status.DIRUJUK,
                note=where,
            )
        owner = case.case_worker or actor
        _task_create(
            case,
            ActionData(
                title=_stored(_("Confirm that %(where)s has taken over the case."), where=where),
                owner_kind=CaseTask.Owner.PETUGAS,
                owner_user=owner,
                due_on=timezone.localdate() + dt.timedelta(days=settings.SIGAP_REFERRAL_ANSWER_DAYS),
            ),
            actor=actor,
            now=now,
            source=CaseTask.Source.TRANSFER,
        )
    _event(
        case,
        actor=actor,
        kind=CaseEvent.Kind.TRANSFER,
        at=now,
        code="case.transferred_kelurahan" if to_kelurahan is not None else "case.transferred_city",
        params={"kelurahan": to_kelurahan.common_name} if to_kelurahan is not None else {},
        note=transfer.handover_note if to_kelurahan is not None else f"{where}: {transfer.handover_note}",
    )
    audit_record(actor=actor, action="case.transfer", target=case, ip=ip, details={"transfer": transfer.pk})
    return transfer
