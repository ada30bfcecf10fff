"""Server time and database queries per request, as a ``Server-Timing`` header (``make bench``).

Only when ``settings.SIGAP_SERVER_TIMING`` is on (off by default): the benchmark measures the
time the server spent, not the client's network and parsing, and counts the queries of every
page so that a page whose query count grows with the data shows up. First in MIDDLEWARE, so
the time covers every other middleware (sessions, authentication, the idempotency claim).

    Server-Timing: app;dur=123.4, db;dur=45.6;desc="12 queries"

``app`` is the whole request in milliseconds, ``db`` the time inside the database driver.
Off, the middleware is a plain pass-through (Django drops it at start-up), so production pays
nothing for it.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection

HEADER = "Server-Timing"
_PARSE = re.compile(
    r'app;dur=(?P<app>[0-9.]+),\s*db;dur=(?P<db>[0-9.]+);desc="(?P<queries>\d+) quer(?:y|ies)"'
)


class QueryCounter:
    """``connection.execute_wrapper``: counts the queries and the time spent running them."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def header_value(app_ms: float, db_ms: float, queries: int) -> str:
    noun = "query" if queries == 1 else "queries"
    return f'app;dur={app_ms:.1f}, db;dur={db_ms:.1f};desc="{queries} {noun}"'


def parse_header(value: str | None) -> tuple[float, float, int] | None:
    """(app ms, db ms, queries) from a header this middleware wrote; None if there is none."""
    match = _PARSE.search(value or "")
    if match is None:
        return None
    return float(match["app"]), float(match["db"]), int(match["queries"])


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "SIGAP_SERVER_TIMING", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        # A streamed response's body is produced after this; SIGAP streams none of the pages
        # measured, and the header has to be set before the body is sent in any case.
        elapsed = time.perf_counter() - started
        response[HEADER] = header_value(elapsed * 1000, counter.seconds * 1000, counter.queries)
        return response
