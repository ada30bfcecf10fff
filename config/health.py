import logging

logger = logging.getLogger(__name__)

# A load balancer or compose health check must get an answer quickly, even
# when the broker host is unreachable (no answer at all, not just refused).
BROKER_TIMEOUT_SECONDS = 2


def broker_state() -> str:
    """The broker's state: "eager" when none is configured, else "ok" or "error" after one quick try.

    Reads the Celery app's own configuration (a live view of the CELERY_* settings),
    so the answer is about the broker tasks are really sent to.
    """
    from config.celery_app import app

    if app.conf.task_always_eager:
        return "eager"
    try:
        with app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT_SECONDS,  # AMQP
            transport_options={  # Redis: connecting, and waiting for the answer to PING
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
            },
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "error"; never echo the URL
        logger.warning("broker health check failed: %s", type(exc).__name__)
        return "error"
