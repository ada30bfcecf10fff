"""core.timing: the Server-Timing header `make bench` reads, only when SIGAP_SERVER_TIMING is on."""

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from core.timing import HEADER, ServerTimingMiddleware, parse_header

pytestmark = pytest.mark.django_db


def three_queries(request):
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT 1")
    return HttpResponse("ok")


def test_it_is_off_by_default(client, settings):
    assert settings.SIGAP_SERVER_TIMING is False
    with pytest.raises(MiddlewareNotUsed):
        ServerTimingMiddleware(three_queries)
    assert HEADER not in client.get("/healthz").headers


def test_on_it_counts_the_queries_of_the_request(settings):
    settings.SIGAP_SERVER_TIMING = True
    response = ServerTimingMiddleware(three_queries)(RequestFactory().get("/"))
    app_ms, db_ms, queries = parse_header(response[HEADER])
    assert queries == 3
    assert 0 <= db_ms <= app_ms


def test_on_it_covers_the_whole_stack(client_for, bob, settings):
    """First in MIDDLEWARE: a signed-in page's session and user lookups are counted too."""
    settings.SIGAP_SERVER_TIMING = True
    assert settings.MIDDLEWARE[0] == "core.timing.ServerTimingMiddleware"
    response = client_for(bob).get("/kasus/")
    parsed = parse_header(response.headers.get(HEADER))
    assert parsed is not None
    assert parsed[2] >= 2  # at least the session and the user
