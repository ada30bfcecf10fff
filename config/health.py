import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def broker_state() -> str:
    """"eager" when no broker is configured, else "ok" or "error" after one quick connection try."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from config.celery_app import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("broker health check failed: %s", type(exc).__name__)
        return "error"
