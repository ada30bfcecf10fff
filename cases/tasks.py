"""Celery tasks of the cases app: thin, idempotent, ids only in their arguments."""

from celery import shared_task
from django.utils import timezone

from accounts.outbox import outbox_add

from . import escalation
from .kpad_services import kpad_send_daily_digest, kpad_send_reminders


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


@shared_task(name="cases.tasks.kpad_reminders_task", acks_late=True, time_limit=300, soft_time_limit=240)
def kpad_reminders_task() -> dict:
    """Daily (beat): remind KPAD of escalations waiting past the target; once a day per escalation."""
    run = kpad_send_reminders()
    return {"escalations": run.escalations, "recipients": run.recipients}


@shared_task(name="cases.tasks.kpad_daily_digest_task", acks_late=True, time_limit=300, soft_time_limit=240)
def kpad_daily_digest_task() -> dict:
    """Daily (beat): each commissioner's digest; one a day per commissioner."""
    run = kpad_send_daily_digest()
    return {"recipients": run.recipients, **run.counts}


@shared_task(name="cases.tasks.task_digest_task", acks_late=True, time_limit=300, soft_time_limit=240)
def task_digest_task() -> dict:
    """Daily (beat): each user's overdue and due-today tasks; one digest a day per user."""
    from . import casework_services  # imports cases.services, which imports this module

    return {"recipients": casework_services.task_digest_send().recipients}


@shared_task(name="cases.tasks.referral_reminders_task", acks_late=True, time_limit=300, soft_time_limit=240)
def referral_reminders_task() -> dict:
    """Daily (beat): a reminder task for each referral still without an answer; once per referral."""
    from . import casework_services  # imports cases.services, which imports this module

    return {"created": casework_services.referral_reminders().created}


def escalate_after_intake(case_id: int) -> None:
    """Record the immediate escalation in the outbox, inside the intake's transaction: it runs
    once the intake has committed, whether the broker is up or not (the sweep would also catch
    the case up)."""
    outbox_add(task=escalate_case_on_intake_task.name, args=[case_id])
