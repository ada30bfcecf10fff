"""Cadre background jobs. Thin: each calls a service in cadres.services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(
    name="cadres.tasks.flag_inactive_cadres_task", acks_late=True, time_limit=15 * 60, soft_time_limit=14 * 60
)
def flag_inactive_cadres_task() -> dict:
    """Daily (beat): flag cadres with no activity for CADRE_INACTIVE_DAYS, un-flag those active again,
    and send the petugas one digest. Set-based and idempotent, so a retry or a second worker is harmless."""
    result = services.flag_inactive_cadres(now=timezone.now())
    return {"flagged": result.flagged, "unflagged": result.unflagged, "notified": result.notified}
