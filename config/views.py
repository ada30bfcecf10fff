"""Project-wide views. Error pages are Django's defaults with our templates (templates/40x.html, 500.html)."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_state


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
