"""Celery tasks of the cases app: thin, idempotent, ids only in their arguments."""

from celery import shared_task
from django.utils import timezone

from . import escalation
from .kpad_tasks import *  # noqa: F403 - KPAD reminders and digest live beside the review queue


@shared_task(
    name="cases.tasks.escalate_case_on_intake_task",
    acks_late=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def escalate_case_on_intake_task(case_id: int) -> int | None:
    """The immediate rule for a case just reported (queued after the intake commits)."""
    found = escalation.escalate_on_intake(case_id=case_id)
    return found.pk if found is not None else None


@shared_task(name="cases.tasks.escalation_sweep_task", acks_late=True, time_limit=600, soft_time_limit=540)
def escalation_sweep_task() -> dict[str, int]:
    """Every 15 minutes (beat): every rule over every open case. Set-based and idempotent."""
    return escalation.escalation_sweep(now=timezone.now())
