"""Project-wide views. Error pages are Django's defaults with our templates (templates/40x.html, 500.html)."""

import json
import logging
from urllib.parse import urlsplit

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .health import broker_state

logger = logging.getLogger("sigap.csp")


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: the database's and the broker's state, no secrets."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not ok"; the reason stays in the logs
        database = "error"
    broker = broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def _path_only(value) -> str:
    """An address reduced to its path ("inline" and "eval" stay as they are), cut short."""
    return urlsplit(str(value or "")[:500]).path[:200]


@csrf_exempt  # the browser sends these reports itself, without a token
@require_POST
def csp_report(request):
    """What the Content-Security-Policy blocked, as the browser reports it: one log line, nothing stored.

    Only the page's path is logged (never its query string), and every value is cut short,
    since anyone can post here."""
    try:
        report = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    body = report.get("csp-report") if isinstance(report, dict) else None
    if isinstance(body, dict):
        logger.warning(
            "CSP blocked %s on %s (%s)",
            _path_only(body.get("blocked-uri")),
            _path_only(body.get("document-uri")),
            str(body.get("effective-directive") or body.get("violated-directive") or "")[:60],
        )
    return HttpResponse(status=204)
