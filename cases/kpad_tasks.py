"""KPAD reminders and the daily digest (tasks named cases.tasks.*).

Thin and idempotent: no arguments, the work is set-based in cases.kpad and safe to run twice
(an escalation is reminded once a day, a commissioner gets one digest a day).
"""

from celery import shared_task

from .kpad import kpad_send_daily_digest, kpad_send_reminders

__all__ = ["kpad_daily_digest_task", "kpad_reminders_task"]


@shared_task(name="cases.tasks.kpad_reminders_task", acks_late=True, time_limit=300, soft_time_limit=240)
def kpad_reminders_task() -> dict:
    run = kpad_send_reminders()
    return {"escalations": run.escalations, "recipients": run.recipients}


@shared_task(name="cases.tasks.kpad_daily_digest_task", acks_late=True, time_limit=300, soft_time_limit=240)
def kpad_daily_digest_task() -> dict:
    run = kpad_send_daily_digest()
    return {"recipients": run.recipients, **run.counts}
