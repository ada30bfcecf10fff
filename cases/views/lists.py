"""Case lists: the petugas' filtered list, the kader's "kasus saya", KPAD's escalated cases.

Every list starts from ``cases_visible_to`` and shows a child only as initials and age.
Lists never count: with hundreds of thousands of cases an exact COUNT per page view costs
more than the page, so they page by "newer/older" (fetching one row more than shown).

No child data in URLs: the filters (status, kelurahan, dates...) stay in the query string,
but the search text (which may be a child's name or NIK) is POSTed, kept in the session under
a short random token, and the list is shown at ``?s=<token>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value, When
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.offline import offline_page
from accounts.policy import Cap, requires
from accounts.private_search import keep_search, recall_search
from cases import badges
from cases.casework_selectors import filter_next_due, with_next_due
from cases.links import case_urls, report_url
from cases.list_forms import CaseFilterForm, CaseSearchForm, search_kind
from cases.models import CLOSED_STATUSES, Case, CaseViolence, Child
from cases.selectors import cases_visible_to, initials
from core.choices import choice_labels
from core.paging import page_without_count
from core.time import day_start

PAGE_SIZE = 50
MINE_PAGE_SIZE = 20
SEARCH_SESSION_KEY = "case_searches"
FULL_NUMBER_LENGTH = len("SGP-2026-00001")


# --- Rows: what a list may show of a case --------------------------------------------------------


@dataclass
class ChildRow:
    initials: str
    age: int | None

    @property
    def label(self) -> str:
        """'S.N.A. (7 thn)': the child's text in a row, made here rather than by a template each."""
        if self.age is None:
            return self.initials
        years = ngettext("%(years)s yr", "%(years)s yrs", self.age) % {"years": self.age}
        return f"{self.initials} ({years})"


@dataclass
class CaseRow:
    number: str
    url: str
    reported_at: dt.datetime
    status: str
    status_label: str
    risk: str
    risk_label: str
    risk_badge: str
    kelurahan: str
    kecamatan: str
    case_worker: str
    escalated: bool
    online_prostitution: bool
    next_due: dt.date | None = None
    next_due_overdue: bool = False
    violences: list[str] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


def with_row_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Everything a row needs, in a fixed number of queries whatever the number of rows."""
    return (
        with_next_due(cases)
        .select_related("kelurahan__kecamatan", "case_worker")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=Child.objects.select_related("person").only(
                    "id", "case_id", "person__name", "person__birth_date", "person__birth_year"
                ),
            ),
            Prefetch("violences", queryset=CaseViolence.objects.order_by("kind")),
        )
    )


def case_rows(cases) -> list[CaseRow]:
    """Masked rows: children as initials and age, never a name or a NIK."""
    rows = []
    today = timezone.localdate()
    url_of = case_urls()
    statuses, risks = choice_labels(Case, "status"), choice_labels(Case, "risk")
    kinds = choice_labels(CaseViolence, "kind")
    for case in cases:
        worker = case.case_worker
        next_due = getattr(case, "next_due", None)
        rows.append(
            CaseRow(
                number=case.number,
                url=url_of(case.number),
                reported_at=case.reported_at,
                status=case.status,
                status_label=statuses.get(case.status, case.status),
                risk=case.risk,
                risk_label=risks.get(case.risk, case.risk),
                risk_badge=badges.risk_badge(case.risk),
                kelurahan=case.kelurahan.common_name,
                kecamatan=case.kelurahan.kecamatan.common_name,
                case_worker=(worker.get_full_name() or worker.username) if worker else "",
                escalated=case.escalated_at is not None,
                online_prostitution=case.online_prostitution,
                next_due=next_due,
                next_due_overdue=next_due is not None and next_due < today,
                violences=[kinds.get(v.kind, v.kind) for v in case.violences.all()],
                children=[
                    ChildRow(initials(c.person.name), c.age_on(case.incident_date))
                    for c in case.children.all()
                ],
            )
        )
    return rows


def _page(request, cases: QuerySet[Case], size: int) -> dict:
    """One page of masked rows, newer/older only (core.paging: no COUNT)."""
    page = page_without_count(request, with_row_data(cases), size)
    return {"rows": case_rows(page.rows), **page.context()}


# --- Filters and search -------------------------------------------------------------------------


def apply_filters(cases: QuerySet[Case], data: dict) -> QuerySet[Case]:
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("jenis"):
        cases = cases.filter(Exists(CaseViolence.objects.filter(case=OuterRef("pk"), kind=data["jenis"])))
    if data.get("kelurahan"):
        cases = cases.filter(kelurahan=data["kelurahan"])
    elif data.get("kecamatan"):
        cases = cases.filter(kelurahan__kecamatan=data["kecamatan"])
    if data.get("risk"):
        cases = cases.filter(risk=data["risk"])
    # A period is whole days in Asia/Pontianak; bounds as datetimes keep the index on reported_at usable.
    if data.get("date_from"):
        cases = cases.filter(reported_at__gte=day_start(data["date_from"]))
    if data.get("date_to"):
        cases = cases.filter(reported_at__lt=day_start(data["date_to"] + dt.timedelta(days=1)))
    if data.get("worker"):
        cases = cases.filter(case_worker=data["worker"])
    if data.get("escalated") == "1":
        cases = cases.filter(escalated_at__isnull=False)
    elif data.get("escalated") == "0":
        cases = cases.filter(escalated_at__isnull=True)
    if data.get("online_prostitution"):
        cases = cases.filter(online_prostitution=True)
    if data.get("next_due"):
        cases = filter_next_due(cases, data["next_due"])
    return cases


def apply_search(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    """A case number (exact or its beginning), a child's NIK (exact) or part of a child's name."""
    kind = search_kind(q)
    if kind == "number":
        number = q.upper()
        if len(number) == FULL_NUMBER_LENGTH:
            return cases.filter(number=number)
        return cases.filter(number__startswith=number)
    if kind == "nik":
        return cases.filter(Exists(Child.objects.filter(case=OuterRef("pk"), person__nik=q)))
    # On PostgreSQL a pg_trgm GIN index on UPPER(person name) serves this (migration 0007).
    return cases.filter(Exists(Child.objects.filter(case=OuterRef("pk"), person__name__icontains=q)))


def _filters_only(query: QueryDict) -> str:
    """The query string's filters (no search token, no page, no empty fields)."""
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        if name not in ("s", "page"):
            kept.setlist(name, [v for v in values if v])
    return kept.urlencode()


# --- Views --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.HANDLE_CASES)
def case_list(request):
    """Petugas: every case in their area, filtered by GET parameters and searched by POST."""
    if request.method == "POST":
        search_form = CaseSearchForm(request.POST)
        if search_form.is_valid():
            filters = _filters_only(request.GET)
            q = search_form.cleaned_data["q"]
            if q:
                token = keep_search(request, key=SEARCH_SESSION_KEY, text=q)
                filters = "&".join(p for p in (filters, f"s={token}") if p)
            return redirect(f"{reverse('cases:list')}?{filters}" if filters else reverse("cases:list"))
        q = ""
    else:
        q = recall_search(request, key=SEARCH_SESSION_KEY)
        if request.GET.get("s") and not q:
            messages.info(request, _("That search has expired. Please search again."))
        search_form = CaseSearchForm(initial={"q": q})

    filter_form = CaseFilterForm(request.GET or None, user=request.user)
    cases = cases_visible_to(user=request.user)
    if filter_form.is_valid():
        cases = apply_filters(cases, filter_form.cleaned_data)
    else:
        cases = cases.none() if filter_form.is_bound else cases
    if q:
        cases = apply_search(cases, q)
    context = {
        "filter_form": filter_form,
        "search_form": search_form,
        "search": q,
        "filters_query": _filters_only(request.GET),
        **_page(request, cases.order_by("-reported_at", "-id"), PAGE_SIZE),
    }
    return render(request, "cases/list/list.html", context)


@require_GET
@requires(Cap.OWN_CASES)
@offline_page
def my_cases(request):
    """Kader: the cases they reported or accompany, open ones first, as cards for a phone."""
    closed_last = models.Case(
        When(status__in=CLOSED_STATUSES, then=Value(1)), default=Value(0), output_field=models.IntegerField()
    )
    cases = (
        cases_visible_to(user=request.user)
        .annotate(closed_last=closed_last)
        .order_by("closed_last", "-reported_at", "-id")
    )
    return render(
        request,
        "cases/list/mine.html",
        {"report_url": report_url(), **_page(request, cases, MINE_PAGE_SIZE)},
    )


@require_GET
@requires(Cap.VIEW_ESCALATED_CASES)
def escalated_cases(request):
    """KPAD: the cases escalated to KPAD (read-only here), most recently escalated first."""
    cases = cases_visible_to(user=request.user).filter(escalated_at__isnull=False)
    return render(
        request,
        "cases/list/escalated.html",
        _page(request, cases.order_by("-escalated_at", "-id"), PAGE_SIZE),
    )


urlpatterns: list = [
    path("", case_list, name="list"),
    path("saya/", my_cases, name="mine"),
    path("eskalasi/", escalated_cases, name="escalated"),
]
