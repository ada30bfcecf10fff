"""The petugas' start page shows the clocks that are running out (accounts.start_panels)."""

from __future__ import annotations

from django.utils import timezone

from accounts.policy import Cap, user_can
from accounts.start_panels import register_start_panel

from .clock import SOON, breach_clock, request_clock
from .selectors import breaches_with_open_notices, open_subject_requests

SHOWN = 5


def _context(user) -> dict:
    now = timezone.now()
    requests = list(open_subject_requests().filter(due_at__lte=now + SOON)[:SHOWN])
    breaches = (
        list(breaches_with_open_notices().filter(due_at__lte=now + SOON).order_by("due_at")[:SHOWN])
        if user_can(user, Cap.RECORD_BREACHES)
        else []
    )
    for row in requests:
        row.clock = request_clock(row, now)
    for breach in breaches:
        breach.clock = breach_clock(breach, now)
    return {"pdp_requests": requests, "pdp_breaches": breaches}


register_start_panel(
    key="privacy.clocks",
    page="start:petugas",
    capability=Cap.HANDLE_SUBJECT_REQUESTS,
    template="privacy/_start_panel.html",
    context=_context,
)
