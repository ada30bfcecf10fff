"""KPAD's review of escalated cases: what KPAD does. What KPAD sees is in cases.selectors.

The escalation engine (cases.escalation) opens escalations; this module is KPAD's side:
acknowledge, ask the Dinas for information, recommend, resolve, and deliberately reveal a
child's identity. Each write locks its escalation, keeps the review's own rules (an
acknowledged review is not acknowledged again, a closed one takes no more steps), puts a
CaseEvent(kind=kpad) on the case's timeline, writes an AuditEvent and tells the case worker
(or, with none, every petugas of the case's area) by the case NUMBER and a link only.

The reminders and the daily digest (``kpad_send_reminders``, ``kpad_send_daily_digest``)
are set-based: a fixed number of queries whatever the number of escalations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User
from accounts.policy import Cap
from accounts.selectors import users_covering, users_with_capability
from accounts.services import audit_record, notify
from core.time import today_start

from . import consent
from .links import case_url, kpad_queue_url
from .models import (
    EVENT_MESSAGES,
    Case,
    CaseEvent,
    ConsentInstitution,
    ConsentPurpose,
    Escalation,
    KpadMessage,
)
from .selectors import overdue_q

NOTIFY_KINDS = {
    "acknowledge": "kpad.acknowledged",
    "request": "kpad.request",
    "recommendation": "kpad.recommendation",
    "resolve": "kpad.resolved",
}
REMINDER_KIND = "kpad.reminder"
DIGEST_KIND = "kpad.digest"
DIGEST_MAX_NUMBERS = 20


class KpadActionRefused(ValidationError):
    """A step the review's state does not allow (acknowledging twice, acting on a closed review)."""


# --- Writes ----------------------------------------------------------------------------------


def _lock(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("case__kelurahan__kecamatan", "case__case_worker")
        .get(pk=escalation.pk)
    )


def _refuse_if_resolved(escalation: Escalation) -> None:
    if escalation.state == Escalation.State.RESOLVED:
        raise KpadActionRefused(_("This review is already closed."), code="resolved")


def _petugas_to_tell(case: Case) -> list[User]:
    """The case worker; with none (or an inactive one), every active petugas who sees the case."""
    worker = case.case_worker
    if worker is not None and worker.is_active:
        return [worker]
    return list(users_covering(Cap.HANDLE_CASES, kecamatan_ids=[case.kelurahan.kecamatan_id]))


def _tell_petugas(case: Case, *, step: str) -> None:
    notify(
        users=_petugas_to_tell(case),
        kind=NOTIFY_KINDS[step],
        params={"number": case.number},
        url=case_url(case.number),
    )


def _timeline(
    case: Case, *, actor: User, at: dt.datetime, code: str, params: dict | None = None, note: str = ""
) -> CaseEvent:
    # KPAD's steps are on the timeline but are not the Dinas' handling: last_activity_at stays.
    EVENT_MESSAGES.check(code)
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEvent.Kind.KPAD, at=at, code=code, params=params or {}, note=note
    )


def _acknowledge_fields(escalation: Escalation, *, actor: User, now: dt.datetime) -> None:
    escalation.state = Escalation.State.ACKNOWLEDGED
    escalation.acknowledged_at = now
    escalation.acknowledged_by = actor
    escalation.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])


@transaction.atomic
def kpad_acknowledge(*, actor: User, escalation: Escalation, ip: str | None = None) -> Escalation:
    escalation = _lock(escalation)
    _refuse_if_resolved(escalation)
    if escalation.state != Escalation.State.OPEN:
        raise KpadActionRefused(_("This escalation has already been acknowledged."), code="acknowledged")
    now = timezone.now()
    _acknowledge_fields(escalation, actor=actor, now=now)
    case = escalation.case
    _timeline(case, actor=actor, at=now, code="kpad.acknowledged", params={"rule": escalation.rule})
    audit_record(
        actor=actor, action="kpad.acknowledge", target=case, ip=ip, details={"escalation": escalation.pk}
    )
    _tell_petugas(case, step="acknowledge")
    return escalation


def _message(
    *, actor: User, escalation: Escalation, kind: str, text: str, ip: str | None
) -> tuple[Escalation, KpadMessage]:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the text.")})
    escalation = _lock(escalation)
    _refuse_if_resolved(escalation)
    now = timezone.now()
    if escalation.state == Escalation.State.OPEN:
        # Any answer from KPAD acknowledges the escalation: no reminder for a case in review.
        _acknowledge_fields(escalation, actor=actor, now=now)
    message = KpadMessage.objects.create(
        escalation=escalation, kind=kind, text=text, author=actor, created_at=now
    )
    case = escalation.case
    step = "request" if kind == KpadMessage.Kind.REQUEST else "recommendation"
    _timeline(case, actor=actor, at=now, code=f"kpad.{step}", note=text)
    audit_record(
        actor=actor,
        action=f"kpad.{step}",
        target=case,
        ip=ip,
        details={"escalation": escalation.pk, "message": message.pk},
    )
    _tell_petugas(case, step=step)
    return escalation, message


def kpad_request_information(
    *, actor: User, escalation: Escalation, text: str, ip: str | None = None
) -> KpadMessage:
    with transaction.atomic():
        return _message(actor=actor, escalation=escalation, kind=KpadMessage.Kind.REQUEST, text=text, ip=ip)[
            1
        ]


def kpad_recommend(*, actor: User, escalation: Escalation, text: str, ip: str | None = None) -> KpadMessage:
    with transaction.atomic():
        return _message(
            actor=actor, escalation=escalation, kind=KpadMessage.Kind.RECOMMENDATION, text=text, ip=ip
        )[1]


@transaction.atomic
def kpad_resolve(
    *, actor: User, escalation: Escalation, note: str, unanswered_reason: str = "", ip: str | None = None
) -> Escalation:
    """KPAD closes its review. While a request of the review has no answer from the Dinas,
    only with the commissioner's reason (kept in the closing note and the audit row)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write a closing note.")})
    escalation = _lock(escalation)
    _refuse_if_resolved(escalation)
    unanswered = escalation.messages.filter(kind=KpadMessage.Kind.REQUEST, answered_at__isnull=True).count()
    unanswered_reason = (unanswered_reason or "").strip()
    if unanswered and not unanswered_reason:
        raise ValidationError(
            {
                "unanswered_reason": _(
                    "Your request to the Dinas has no answer yet: wait for it, or say why the review "
                    "closes without it."
                )
            }
        )
    if unanswered:
        note = f"{note}\n{unanswered_reason}"
    now = timezone.now()
    escalation.state = Escalation.State.RESOLVED
    escalation.resolved_at = now
    escalation.resolved_by = actor
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, actor
    escalation.save(
        update_fields=["state", "resolved_at", "resolved_by", "acknowledged_at", "acknowledged_by"]
    )
    case = escalation.case
    _timeline(
        case,
        actor=actor,
        at=now,
        code="kpad.resolved_unanswered" if unanswered else "kpad.resolved",
        note=note,
    )
    audit_record(
        actor=actor,
        action="kpad.resolve",
        target=case,
        ip=ip,
        details={"escalation": escalation.pk, "unanswered_requests": unanswered},
    )
    _tell_petugas(case, step="resolve")
    return escalation


@transaction.atomic
def kpad_reveal_identity(*, actor: User, escalation: Escalation, reason: str, ip: str | None = None) -> Case:
    """Record that a commissioner deliberately looked at the children's identity, and why.

    Nothing is stored on the case: the identity is shown in that one response only, for the
    children whose consent allows sharing with KPAD (cases.consent); refused when it allows
    it for none. The audit row holds the reason (the commissioner's words) and which children
    were shown, never a child's data."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need to see the identity.")})
    case = escalation.case
    checks = consent.consent_checks(
        case=case, purpose=ConsentPurpose.SHARING, institution=ConsentInstitution.KPAD
    )
    shown = [pk for pk, check in checks.items() if check.allowed]
    if not shown:
        raise KpadActionRefused(
            {"reason": " ".join(check.message for check in checks.values())}, code="consent"
        )
    now = timezone.now()
    _timeline(case, actor=actor, at=now, code="kpad.identity_viewed")
    audit_record(
        actor=actor,
        action="case.reveal_identity",
        target=case,
        ip=ip,
        details={
            "escalation": escalation.pk,
            "reason": reason,
            "children": shown,
            "withheld_by_consent": [pk for pk in checks if pk not in shown],
        },
    )
    return case


# --- Reminders and the daily digest ----------------------------------------------------------


def _kpad_users() -> QuerySet[User]:
    return users_with_capability(Cap.REVIEW_ESCALATIONS).order_by("pk")


@dataclass
class ReminderRun:
    escalations: int
    recipients: int


@transaction.atomic
def kpad_send_reminders(*, now: dt.datetime | None = None) -> ReminderRun:
    """Remind every active commissioner of the escalations still waiting past the target.

    One message per commissioner per run, listing the case numbers; an escalation is reminded
    at most once a (Pontianak) day. The rows are claimed under a lock that a second worker
    skips, so two runs at once do not remind twice."""
    now = now or timezone.now()
    today = today_start(now)
    due = (
        Escalation.objects.filter(overdue_q(now))
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=today))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("opened_at", "pk")
        .values_list("pk", "case__number")
    )
    claimed = list(due)
    if not claimed:
        return ReminderRun(0, 0)
    Escalation.objects.filter(pk__in=[pk for pk, _number in claimed]).update(last_reminded_at=now)
    numbers = list(dict.fromkeys(number for _pk, number in claimed))
    sent = notify(
        users=list(_kpad_users()),
        kind=REMINDER_KIND,
        params={"count": len(numbers), "days": settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS, "numbers": numbers},
        url=kpad_queue_url(overdue=1),
    )
    return ReminderRun(len(claimed), len(sent))


@dataclass
class DigestRun:
    counts: dict
    recipients: int


@transaction.atomic
def kpad_send_daily_digest(*, now: dt.datetime | None = None) -> DigestRun:
    """Each active commissioner gets, once a (Pontianak) day, the counts of open, acknowledged
    and overdue escalations and the numbers of those new since yesterday, when there is any."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=1)
    counts = Escalation.objects.aggregate(
        open=Count("pk", filter=Q(state=Escalation.State.OPEN)),
        acknowledged=Count("pk", filter=Q(state=Escalation.State.ACKNOWLEDGED)),
        overdue=Count("pk", filter=overdue_q(now)),
        new=Count("pk", filter=Q(opened_at__gte=since, opened_at__lte=now)),
    )
    if not (counts["open"] or counts["acknowledged"] or counts["new"]):
        return DigestRun(counts, 0)
    already = Notification.objects.filter(
        user=OuterRef("pk"), kind=DIGEST_KIND, created_at__gte=today_start(now)
    )
    # Locked and skipped by a second run at the same moment, so nobody gets two digests.
    users = list(_kpad_users().filter(~Exists(already)).select_for_update(skip_locked=True))
    if not users:
        return DigestRun(counts, 0)
    new_numbers = list(
        Escalation.objects.filter(opened_at__gte=since, opened_at__lte=now)
        .order_by("-opened_at", "-pk")
        .values_list("case__number", flat=True)[:DIGEST_MAX_NUMBERS]
    )
    new_numbers = list(dict.fromkeys(new_numbers))
    sent = notify(
        users=users, kind=DIGEST_KIND, params={**counts, "numbers": new_numbers}, url=kpad_queue_url()
    )
    return DigestRun(counts, len(sent))
