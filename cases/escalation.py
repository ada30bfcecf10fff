"""Escalation to KPAD: the rules of DESIGN.md, escalation by hand, and answers to KPAD.

The rules (thresholds in settings, see the README):

* ``immediate`` - at once: the case has Seksual, Trafficking or Eksploitasi among its
  jenis kekerasan, is marked online prostitution (a kind of Eksploitasi), or its risk is
  kritis. Fired after the intake transaction commits (``cases.tasks.escalate_after_intake``),
  and caught up by the sweep when the broker was down.
* ``untriaged`` - still dilaporkan more than SIGAP_ESCALATION_UNTRIAGED_HOURS after it
  was reported.
* ``stalled`` - open (not selesai/ditutup) with no activity for SIGAP_ESCALATION_STALLED_DAYS,
  or with a task (a plan's action, a conference's decision) overdue by
  SIGAP_TASK_OVERDUE_STALLED_DAYS: activity that does not do what was planned is no progress.
* ``repeat`` - a child of the case (the same Person record) is in another case reported
  within SIGAP_ESCALATION_REPEAT_MONTHS before it (a month counted as 365/12 days). Two
  records of one child count once a petugas has merged them (cases.person_services); the
  index on Child(person, case) serves the lookup.

Only open cases are escalated by a rule. A rule escalates a case once (``immediate``,
``untriaged``, ``repeat``); ``stalled`` again only after new activity on the case since
the last stalled escalation. One open (not resolved) escalation per case and rule is
enforced by the database (a partial unique constraint); writers also take one
transaction-scoped advisory lock on PostgreSQL, so two sweeps (or a sweep and the intake
task) never both write the events and notifications of the same escalation.

Automatic escalations are recorded on the timeline and in the audit log with the system
user ``sigap-sistem`` as actor (CaseEvent.actor is required): an inactive account with an
unusable password, created on first use by ``system_user()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Role, User
from accounts.policy import Cap
from accounts.selectors import users_with_capability
from accounts.services import Notice, audit_record, notify, notify_many

from .casework_models import CaseTask
from .links import case_url
from .messages import CRITICAL_RISK, ONLINE_PROSTITUTION
from .models import (
    EVENT_MESSAGES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Child,
    ChildViolence,
    Escalation,
    KpadMessage,
    Risk,
    Status,
    ViolenceType,
)

logger = logging.getLogger(__name__)

Rule = Escalation.Rule
State = Escalation.State
IMMEDIATE_VIOLENCE = (ViolenceType.SEKSUAL, ViolenceType.TRAFFICKING, ViolenceType.EKSPLOITASI)
AUTOMATIC_RULES = (Rule.IMMEDIATE, Rule.UNTRIAGED, Rule.STALLED, Rule.REPEAT)
NOT_RESOLVED = (State.OPEN, State.ACKNOWLEDGED)
SYSTEM_USERNAME = "sigap-sistem"
# pg_advisory_xact_lock key shared by every writer of escalations ("SIGAPESC").
LOCK_KEY = 0x5349_4741_5045_5343 & 0x7FFF_FFFF_FFFF_FFFF


class EscalationError(ValidationError):
    pass


# --- The system user -------------------------------------------------------------------------


def system_user() -> User:
    """The actor of automatic escalations. Call it outside a long transaction: the row is
    created once, and a concurrent creator makes the second one read the first's row."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    user = User(username=SYSTEM_USERNAME, first_name="SIGAP", role=Role.ADMIN, is_active=False)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return User.objects.get(username=SYSTEM_USERNAME)
    return user


# --- The rules, as queries -------------------------------------------------------------------


def _escalated(rule: str, *, since_last_activity: bool = False) -> Exists:
    """The case already has an escalation by this rule (open, or for ``since_last_activity``
    opened after the case's last activity)."""
    qs = Escalation.objects.filter(case=OuterRef("pk"), rule=rule)
    if since_last_activity:
        qs = qs.filter(Q(state__in=NOT_RESOLVED) | Q(opened_at__gte=OuterRef("last_activity_at")))
    return Exists(qs)


def repeat_window() -> dt.timedelta:
    return dt.timedelta(days=round(settings.SIGAP_ESCALATION_REPEAT_MONTHS * 365 / 12))


def rule_cases(rule: str, *, now: dt.datetime) -> QuerySet[Case]:
    """The open cases this rule escalates now and that it has not escalated yet: one query."""
    qs = Case.objects.filter(status__in=OPEN_STATUSES)
    if rule == Rule.IMMEDIATE:
        # Per victim, as SIMFONI codes: any child of the case with such a type or mark.
        violence = ChildViolence.objects.filter(child__case=OuterRef("pk"), kind__in=IMMEDIATE_VIOLENCE)
        prostitution = Child.objects.filter(case=OuterRef("pk"), online_prostitution=True)
        return qs.filter(Q(Exists(violence)) | Q(Exists(prostitution)) | Q(risk=Risk.KRITIS)).exclude(
            _escalated(rule)
        )
    if rule == Rule.UNTRIAGED:
        limit = now - dt.timedelta(hours=settings.SIGAP_ESCALATION_UNTRIAGED_HOURS)
        return qs.filter(status=Status.DILAPORKAN, reported_at__lt=limit).exclude(_escalated(rule))
    if rule == Rule.STALLED:
        limit = now - dt.timedelta(days=settings.SIGAP_ESCALATION_STALLED_DAYS)
        return qs.filter(Q(last_activity_at__lt=limit) | Q(Exists(_overdue_tasks(now)))).exclude(
            _escalated(rule, since_last_activity=True)
        )
    if rule == Rule.REPEAT:
        window_start = ExpressionWrapper(
            OuterRef("case__reported_at") - Value(repeat_window()), output_field=DateTimeField()
        )
        same_child = (
            Child.objects.filter(person_id=OuterRef("person_id"))
            .exclude(case_id=OuterRef("case_id"))
            .filter(case__reported_at__lt=OuterRef("case__reported_at"), case__reported_at__gte=window_start)
        )
        repeated = Child.objects.filter(case=OuterRef("pk")).filter(Exists(same_child))
        return qs.filter(Exists(repeated)).exclude(_escalated(rule))
    raise ValueError(f"unknown escalation rule {rule!r}")


def _overdue_tasks(now: dt.datetime) -> QuerySet[CaseTask]:
    """The case's open tasks overdue by SIGAP_TASK_OVERDUE_STALLED_DAYS or more."""
    limit = timezone.localdate(now) - dt.timedelta(days=settings.SIGAP_TASK_OVERDUE_STALLED_DAYS)
    return CaseTask.objects.filter(case=OuterRef("pk"), state__in=CaseTask.OPEN_STATES, due_on__lte=limit)


def _stalled_reasons(case_ids: list[int], *, now: dt.datetime) -> dict[int, dict]:
    """Why each case is stalled, as the reason's parameters: no activity (``days``), overdue
    tasks (``overdue`` and ``task_days``), or both (``inactive`` false when only the tasks).
    One query."""
    limit = now - dt.timedelta(days=settings.SIGAP_ESCALATION_STALLED_DAYS)
    task_days = settings.SIGAP_TASK_OVERDUE_STALLED_DAYS
    task_limit = timezone.localdate(now) - dt.timedelta(days=task_days)
    rows = Case.objects.filter(pk__in=case_ids).annotate(
        overdue=Count("tasks", filter=Q(tasks__state__in=CaseTask.OPEN_STATES, tasks__due_on__lte=task_limit))
    )
    found = {}
    for pk, last_activity, overdue in rows.values_list("pk", "last_activity_at", "overdue"):
        params = rule_reason(Rule.STALLED)
        if last_activity >= limit:
            params["inactive"] = False
        if overdue:
            params.update(overdue=overdue, task_days=task_days)
        found[pk] = params
    return found


def rule_reason(rule: str) -> dict:
    """Why a rule escalated a case: the parameters of its message in cases/messages.py (the
    thresholds in force then), rendered in the reader's language."""
    if rule == Rule.UNTRIAGED:
        return {"hours": settings.SIGAP_ESCALATION_UNTRIAGED_HOURS}
    if rule == Rule.STALLED:
        return {"days": settings.SIGAP_ESCALATION_STALLED_DAYS}
    if rule == Rule.REPEAT:
        return {"months": settings.SIGAP_ESCALATION_REPEAT_MONTHS}
    return {}


def _immediate_reasons(case_ids: list[int]) -> dict[int, dict]:
    """What made each case urgent (its children's violence types and online prostitution,
    critical risk), as the reason's parameters: three queries."""
    found: dict[int, list[str]] = {pk: [] for pk in case_ids}
    prostituted = set(
        Child.objects.filter(case_id__in=case_ids, online_prostitution=True).values_list("case_id", flat=True)
    )
    for case_id, kind in (
        ChildViolence.objects.filter(child__case_id__in=case_ids, kind__in=IMMEDIATE_VIOLENCE)
        .values_list("child__case_id", "kind")
        .distinct()
        .order_by("child__case_id", "kind")
    ):
        found[case_id].append(kind)
    for pk, risk in Case.objects.filter(pk__in=case_ids).values_list("pk", "risk"):
        if pk in prostituted:
            found[pk].append(ONLINE_PROSTITUTION)
        if risk == Risk.KRITIS:
            found[pk].append(CRITICAL_RISK)
    return {pk: {"grounds": grounds} for pk, grounds in found.items()}


# --- Writing escalations ---------------------------------------------------------------------


def _lock() -> None:
    """Serialise escalation writers for the rest of the transaction (PostgreSQL; SQLite
    serialises writers by itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _announce(escalations: list[Escalation], *, actor: User, now: dt.datetime, ip: str | None = None) -> None:
    """Timeline event, audit row, escalated_at and notifications for NEW escalations only."""
    if not escalations:
        return
    case_ids = [e.case_id for e in escalations]
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=case_ids)
        .select_related("case_worker")
        .only("pk", "number", "case_worker")
    }
    Case.objects.filter(pk__in=case_ids, escalated_at__isnull=True).update(escalated_at=now)
    events = []
    audits = []
    for e in escalations:
        if e.reason_params:
            code, params, note = (
                "escalation.opened_by_rule",
                {"rule": e.rule, "reason": {"rule": e.rule, "params": e.reason_params}},
                "",
            )
        else:
            code, params, note = "escalation.opened", {"rule": e.rule}, e.reason
        events.append(
            CaseEvent(
                case_id=e.case_id,
                kind=CaseEvent.Kind.ESCALATION,
                at=now,
                actor=actor,
                code=code,
                params=params,
                note=note,
            )
        )
        audits.append(
            AuditEvent(
                actor=actor,
                action="case.escalate",
                target_type=Case._meta.label_lower,
                target_id=str(e.case_id),
                ip_address=ip,
                details={"number": cases[e.case_id].number, "rule": e.rule, "escalation": e.pk},
            )
        )
    CaseEvent.objects.bulk_create(events)
    AuditEvent.objects.bulk_create(audits)
    kpad = list(users_with_capability(Cap.REVIEW_ESCALATIONS))
    notices = []
    for e in escalations:
        case = cases[e.case_id]
        users = [*kpad, *([case.case_worker] if case.case_worker_id else [])]
        notices.append(
            Notice(
                users=[u for u in users if u.pk != actor.pk],
                kind="case.escalated",
                params={"number": case.number, "rule": e.rule},
                url=case_url(case.number),
            )
        )
    # One INSERT and one email job for the whole batch: each recipient gets one email for it.
    notify_many(notices)


def escalate_case(
    case_id: int,
    rule: str,
    reason: str = "",
    *,
    reason_params: dict | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> tuple[Escalation, bool]:
    """Escalate one case by one rule (or by hand: rule ``manual``, an actor and a reason).

    A rule's reason is ``reason_params`` (see ``rule_reason``), shown in the reader's language;
    ``reason`` is what staff typed. Returns (escalation, created). When an open escalation by
    this rule exists already, it is returned and nothing else happens (no event, no notification).
    """
    if rule == Rule.MANUAL and (actor is None or not reason.strip()):
        raise EscalationError({"reason": _("Say why the case goes to KPAD.")})
    now = now or timezone.now()
    actor = actor or system_user()
    with transaction.atomic():
        _lock()
        existing = Escalation.objects.filter(case_id=case_id, rule=rule, state__in=NOT_RESOLVED).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    case_id=case_id,
                    rule=rule,
                    reason=reason.strip(),
                    reason_params=reason_params or {},
                    opened_at=now,
                    opened_by=actor if rule == Rule.MANUAL else None,
                )
        except IntegrityError:
            # A writer without the lock (another database?) got there first: the constraint holds.
            return Escalation.objects.get(case_id=case_id, rule=rule, state__in=NOT_RESOLVED), False
        _announce([escalation], actor=actor, now=now, ip=ip)
    return escalation, True


def escalate_on_intake(*, case_id: int, now: dt.datetime | None = None) -> Escalation | None:
    """The immediate rule for one newly reported case (the on-commit task). Idempotent."""
    now = now or timezone.now()
    if not rule_cases(Rule.IMMEDIATE, now=now).filter(pk=case_id).exists():
        return None
    escalation, _created = escalate_case(
        case_id, Rule.IMMEDIATE, reason_params=_immediate_reasons([case_id])[case_id], now=now
    )
    return escalation


# Cases escalated per transaction by the sweep. The advisory lock is held for one batch only
# (its events, audit rows, notifications and outbox jobs), then committed and released, so a
# manual escalation or the intake's waits seconds at most, and a sweep stopped half-way (a time
# limit, kill -9) keeps every batch it committed; the next sweep does the rest.
SWEEP_BATCH = 200


# The sweep starts no new batch after this many seconds: the task's soft limit is 540 s, and a
# first sweep over a database that was never swept (an import, 1,000,000 cases) may need more
# than one run. What it did is committed; the next run (15 minutes later) goes on from there.
SWEEP_BUDGET_SECONDS = 420


def escalation_sweep(
    now: dt.datetime | None = None, *, batch: int = SWEEP_BATCH, budget: float = SWEEP_BUDGET_SECONDS
) -> dict[str, int]:
    """Every rule over every open case, set-based: one query per rule for the candidates (read
    without the lock), then in batches of ``batch`` cases, each in its own transaction under the
    advisory lock: the candidates checked again (another writer may have escalated them since),
    one bulk insert (conflicts ignored: the database keeps one open escalation per case and
    rule), then events and notifications for the rows this batch created. Idempotent, and safe
    when two workers run it at once. Stops starting batches after ``budget`` seconds (the rest
    waits for the next run). Returns the number of new escalations per rule."""
    now = now or timezone.now()
    started = time.monotonic()
    actor = system_user()
    counts: dict[str, int] = {}
    unfinished = False
    for rule in AUTOMATIC_RULES:
        counts[rule] = 0
        if unfinished:
            continue
        candidates = list(rule_cases(rule, now=now).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(candidates), batch):
            if time.monotonic() - started > budget:
                unfinished = True
                break
            counts[rule] += _sweep_batch(rule, candidates[start : start + batch], actor=actor, now=now)
    if unfinished:
        logger.warning(
            "Escalation sweep stopped after %.0f s with work left; the next run goes on: %s",
            time.monotonic() - started,
            ", ".join(f"{k}={v}" for k, v in counts.items()),
        )
    elif any(counts.values()):
        logger.info("Escalation sweep: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _sweep_batch(rule: str, candidates: list[int], *, actor: User, now: dt.datetime) -> int:
    with transaction.atomic():
        _lock()
        case_ids = list(rule_cases(rule, now=now).filter(pk__in=candidates).values_list("pk", flat=True))
        if not case_ids:
            return 0
        if rule == Rule.IMMEDIATE:
            reasons = _immediate_reasons(case_ids)
        elif rule == Rule.STALLED:
            reasons = _stalled_reasons(case_ids, now=now)
        else:
            reasons = dict.fromkeys(case_ids, rule_reason(rule))
        Escalation.objects.bulk_create(
            [Escalation(case_id=pk, rule=rule, reason_params=reasons[pk], opened_at=now) for pk in case_ids],
            ignore_conflicts=True,
        )
        created = list(
            Escalation.objects.filter(
                case_id__in=case_ids, rule=rule, state=State.OPEN, opened_at=now, opened_by__isnull=True
            )
        )
        _announce(created, actor=actor, now=now)
        return len(created)


# --- Answers to KPAD's requests --------------------------------------------------------------


def kpad_request_answer(
    *, actor: User, message: KpadMessage, answer: str, ip: str | None = None
) -> KpadMessage:
    """The Dinas answers KPAD's request for information, on the case."""
    answer = answer.strip()
    if not answer:
        raise EscalationError({"answer": _("Write the answer.")})
    if message.kind != KpadMessage.Kind.REQUEST:
        raise EscalationError(_("Only a request for information can be answered."))
    now = timezone.now()
    with transaction.atomic():
        claimed = KpadMessage.objects.filter(pk=message.pk, answered_at__isnull=True).update(
            answer=answer, answered_by=actor, answered_at=now
        )
        if not claimed:
            raise EscalationError(_("This request has already been answered."))
        message.refresh_from_db()
        case = Case.objects.only("pk", "number").get(pk=message.escalation.case_id)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.KPAD,
            at=now,
            actor=actor,
            code=EVENT_MESSAGES.check("kpad.answered"),
            note=answer,
        )
        Case.objects.filter(pk=case.pk).update(last_activity_at=now, updated_at=now)
        audit_record(
            actor=actor,
            action="case.kpad_answer",
            target=case,
            ip=ip,
            details={"number": case.number, "message": message.pk},
        )
        notify(
            users=[message.author],
            kind="kpad.answered",
            params={"number": case.number},
            url=case_url(case.number),
        )
    return message
