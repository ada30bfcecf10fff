"""The start page of each role after login: what needs their attention among the cases.

``/`` (accounts.views.home) sends each role to its page (accounts.policy.START_PAGES).
"""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.offline import offline_page
from accounts.policy import Cap, requires, user_can
from accounts.selectors import with_capability_q
from accounts.start_panels import start_panels_for
from cases import casework_selectors
from cases.links import report_url
from cases.models import OPEN_STATUSES
from cases.selectors import cases_visible_to, queue_counts, status_counts
from cases.views.lists import case_rows, with_row_data
from kelurahan.selectors import kelurahan_visible_to


def task_section(user) -> dict:
    """The start page's "My tasks": counts per group and the first few, two queries (three
    for a supervisor, who also sees what waits for their approval)."""
    tasks = list(casework_selectors.my_tasks(user=user)[:200])
    groups = casework_selectors.group_tasks(tasks)
    approvals = (
        casework_selectors.approvals_waiting_for(user=user).count() if user_can(user, Cap.SUPERVISE) else None
    )
    return {
        "task_groups": groups,
        "start_tasks": (groups.overdue + groups.today + groups.this_week)[:5],
        "approvals_waiting": approvals,
        "today": timezone.localdate(),
    }


@require_GET
@requires(Cap.HANDLE_CASES)
def start_petugas(request):
    """Cases per status in the petugas' area, and the kelurahan where no cadre has a login."""
    kelurahan = list(
        kelurahan_visible_to(user=request.user)
        .annotate(
            kader_accounts=Count("users", filter=with_capability_q(Cap.ACCOMPANY_CASES, path="users__"))
        )
        .order_by("kecamatan__code", "code")
    )
    return render(
        request,
        "cases/start/petugas.html",
        {
            "kelurahan_list": kelurahan,
            "without_kader": [k for k in kelurahan if not k.kader_accounts],
            "status_counts": status_counts(user=request.user),
            **task_section(request.user),
            # What higher apps add (the privacy app's clocks); see accounts.start_panels.
            "start_panels": start_panels_for(request.user, page="start:petugas"),
        },
    )


@require_GET
@requires(Cap.OWN_CASES)
@offline_page
def start_kader(request):
    """A kader's own kelurahan and their latest open cases, phone first."""
    open_cases = cases_visible_to(user=request.user).filter(status__in=OPEN_STATUSES)
    latest = with_row_data(open_cases.order_by("-reported_at", "-id"))[:3]
    return render(
        request,
        "cases/start/kader.html",
        {
            "kelurahan": request.user.kelurahan,
            "open_count": open_cases.count(),
            "latest_cases": case_rows(latest),
            "report_url": report_url(),
            **task_section(request.user),
        },
    )


@require_GET
@requires(Cap.REVIEW_ESCALATIONS)
def start_kpad(request):
    """KPAD's queue at a glance: open, acknowledged and overdue escalations."""
    escalated = cases_visible_to(user=request.user).filter(escalated_at__isnull=False).count()
    return render(
        request,
        "cases/start/kpad.html",
        {"escalated_count": escalated, "queue": queue_counts(user=request.user)},
    )


app_name = "start"

urlpatterns = [
    path("petugas/", start_petugas, name="petugas"),
    path("kader/", start_kader, name="kader"),
    path("kpad/", start_kpad, name="kpad"),
]
