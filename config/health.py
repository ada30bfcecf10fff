"""What /healthz checks: that this process can render a page, in seconds, without secrets.

Each check answers a short word and logs only the kind of a failure, never an address
or a password from the settings.
"""

import json
import logging

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import connection

logger = logging.getLogger(__name__)

# A load balancer or compose health check must get an answer quickly, even
# when the broker host is unreachable (no answer at all, not just refused).
BROKER_TIMEOUT_SECONDS = 2

# The stylesheet every page links (templates/base.html): if it cannot be named, no page renders.
PAGE_ASSET = "css/sigap.css"


def database_state() -> str:
    """The database's state: "ok" once it answers a query, else "error".

    A new connection gives up after DATABASE_CONNECT_TIMEOUT seconds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "error"; the URL is never echoed
        logger.warning("database health check failed: %s", type(exc).__name__)
        return "error"
    return "ok"


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


def static_state() -> str:
    """Whether pages can name their static files.

    "plain" for storage without a manifest (DEBUG, tests): nothing there can fail a page.
    With the manifest storage of production, "ok" needs both halves of the truth:

    * this process knows the hashed name of the page's stylesheet (the manifest it loaded
      when it started; without one, every page is a 500 "Missing staticfiles manifest entry");
    * the manifest on disk is readable and names that file, and the hashed file is there, so
      a worker started now (gunicorn restarts them) can render pages too.
    """
    storage = staticfiles_storage
    try:
        # The first use of the storage loads the manifest: a corrupt one raises here.
        if not isinstance(storage, ManifestFilesMixin):
            return "plain"
        hashed = storage.stored_name(PAGE_ASSET)
        content = storage.read_manifest()
        if content is None:
            raise FileNotFoundError(storage.manifest_name)
        on_disk = json.loads(content).get("paths", {}).get(PAGE_ASSET)
        if on_disk is None:
            raise KeyError(PAGE_ASSET)
        if not storage.exists(hashed) or not storage.exists(on_disk):
            raise FileNotFoundError(PAGE_ASSET)
    except Exception as exc:  # noqa: BLE001 - any failure means "error"
        logger.warning("static files health check failed: %s", type(exc).__name__)
        return "error"
    return "ok"
