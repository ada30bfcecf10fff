"""Project-wide views. Error pages are Django's defaults with our templates (templates/40x.html, 500.html)."""

import json
import logging
from urllib.parse import urlsplit

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import health

logger = logging.getLogger("sigap.csp")


@never_cache
@require_GET
def healthz(request):
    """For load balancers and compose: 200 only when this process can render a page (database,
    broker, static files), else 503. Short words only: no addresses, no secrets."""
    states = {
        "database": health.database_state(),
        "broker": health.broker_state(),
        "static": health.static_state(),
    }
    healthy = (
        states["database"] == "ok" and states["broker"] in ("ok", "eager") and states["static"] != "error"
    )
    return JsonResponse({"status": "ok" if healthy else "error", **states}, status=200 if healthy else 503)


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
