"""Addresses of case pages, built in one place. A case is named by its number, never by a child."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse


def case_url(number: str) -> str:
    """The case page of the case with this number."""
    return reverse("cases:detail", kwargs={"number": number})


def case_urls():
    """case_url for the many rows of a list: one reverse(), then each number in its place.
    Case numbers (SGP-2026-00001) are letters, digits and hyphens, so none needs quoting."""
    marker = "SGP-0000-00000"
    head, tail = case_url(marker).split(marker)
    return lambda number: f"{head}{number}{tail}"


def report_url() -> str:
    """The intake form."""
    return reverse("cases:report")


def kpad_queue_url(**query) -> str:
    """KPAD's review queue, optionally filtered (e.g. ``overdue=1``)."""
    url = reverse("cases:kpad_queue")
    if query:
        params = QueryDict(mutable=True)
        params.update(query)
        url += "?" + params.urlencode()
    return url
