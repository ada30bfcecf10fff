"""The dashboard's figures: every one an aggregate computed in the database.

Nothing here loops over cases in Python: each figure is one GROUP BY or one aggregate, so the
page costs a fixed number of queries whatever the number of cases (the dashboard view's test
asserts it). Python only loops over the fixed, small lists the figures are grouped by
(12 months, 7 kinds of violence, 29 kelurahan, the cohorts).

Scope: the cases come from ``cases.selectors.cases_visible_to`` (a kecamatan-limited petugas
sees only their kecamatan), the cadres from ``cadres.selectors.cadres_visible_to`` and the
kelurahan from ``kelurahan.selectors.kelurahan_visible_to``; the filter's kecamatan narrows all
three. Counts only: no figure names or identifies a child.

Words used here:

* a case is "in the period" when it was reported (``reported_at``) in the period;
* open / closed: the case's status now (cases reported in the period);
* time to triage: reported_at -> triaged_at; time to closure: reported_at -> closed_at;
* escalations pending: open or acknowledged by KPAD, now (not bound to the period);
  overdue: still open (not acknowledged) for more than SIGAP_KPAD_ACKNOWLEDGE_DAYS;
* cadres: active / inactive / stopped as in ``cadres.selectors`` (now); their activity is
  counted in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import formats, timezone

from cadres.models import CadreActivity, CadreStatus
from cadres.selectors import ACTIVE_Q, INACTIVE_Q, KNOWN_COHORTS, STOPPED_Q, cadres_visible_to
from cases.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    Escalation,
    ProtectionCategory,
    ViolenceType,
)
from cases.selectors import cases_in_scope, cases_visible_to
from kelurahan.models import Kecamatan
from kelurahan.selectors import kelurahan_visible_to

from .facts import dashboard_counts
from .periods import Period

PENDING = (Escalation.State.OPEN, Escalation.State.ACKNOWLEDGED)

# --- The median, in the database, on either backend ----------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated between the two middle
    values when their number is even. NULLs (e.g. a case not yet triaged) are left out."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def median_durations(queryset: QuerySet, spans: dict[str, tuple[str, str]]) -> dict[str, dt.timedelta | None]:
    """The median of ``end - start`` over the rows of ``queryset`` for each named span
    ``{"name": ("start_field", "end_field")}``, leaving out rows whose end is empty.
    None when no row has both.

    PostgreSQL: percentile_cont(0.5) WITHIN GROUP, all spans in one query. SQLite has no
    percentile function: per span, one query counts the rows and one fetches the middle one
    or two durations with ORDER BY ... LIMIT/OFFSET; still computed in the database, never
    by loading the rows.
    """
    queryset = queryset.order_by()
    if connection.vendor == "postgresql":
        return queryset.aggregate(
            **{
                name: Median(_duration(start, end), output_field=DurationField())
                for name, (start, end) in spans.items()
            }
        )
    result: dict[str, dt.timedelta | None] = {}
    for name, (start, end) in spans.items():
        rows = queryset.filter(**{f"{end}__isnull": False, f"{start}__isnull": False})
        count = rows.count()
        if not count:
            result[name] = None
            continue
        ordered = rows.annotate(_span=_duration(start, end)).order_by("_span").values_list("_span", flat=True)
        offset = (count - 1) // 2
        middle = list(ordered[offset : offset + (2 - count % 2)])
        result[name] = sum(middle, dt.timedelta()) / len(middle)
    return result


# --- The figures ----------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    count: int


@dataclass
class KelurahanRow:
    code: str
    name: str
    official_name: str
    kecamatan: str
    count: int
    colour_class: int = 0

    @property
    def colour(self) -> str:
        return MAP_COLOURS[self.colour_class % len(MAP_COLOURS)]


@dataclass
class KecamatanRow:
    code: str
    name: str
    count: int = 0
    kelurahan: list[KelurahanRow] = field(default_factory=list)


@dataclass
class CohortRow:
    cohort: int
    total: int
    active: int
    inactive: int
    stopped: int
    activities: int


@dataclass
class Dashboard:
    period: Period
    kecamatan: Kecamatan | None
    total: int
    open: int
    closed: int
    escalated: int
    months: list[Row]
    violence: list[Row]
    protection: list[Row]
    kecamatan_rows: list[KecamatanRow]
    kelurahan_rows: list[KelurahanRow]
    median_triage: dt.timedelta | None
    median_closure: dt.timedelta | None
    escalations_pending: int
    escalations_overdue: int
    acknowledge_days: int
    cohorts: list[CohortRow]
    cadres_active: int
    cadres_total: int
    kelurahan_covered: int
    kelurahan_total: int
    colour_breaks: list[tuple[int, int]]

    @property
    def median_triage_hours(self) -> float | None:
        return None if self.median_triage is None else self.median_triage.total_seconds() / 3600

    @property
    def median_triage_days(self) -> float | None:
        return None if self.median_triage is None else self.median_triage.total_seconds() / 86400

    @property
    def median_closure_days(self) -> float | None:
        return None if self.median_closure is None else self.median_closure.total_seconds() / 86400

    @property
    def kelurahan_uncovered(self) -> int:
        return self.kelurahan_total - self.kelurahan_covered


COLOUR_CLASSES = 5  # 0 cases, then four classes of equal width up to the highest count
# The map's colours, light to dark (ColorBrewer "Oranges"), one per class; the same as the
# .swatch-N classes of reports/dashboard.html.
MAP_COLOURS = ("#f7f7f7", "#fdd0a2", "#fdae6b", "#f16913", "#a63603")


def colour_breaks(highest: int, classes: int = COLOUR_CLASSES) -> list[tuple[int, int]]:
    """The map's colour classes as (lowest, highest) counts: the first is always (0, 0)."""
    if highest <= 0:
        return [(0, 0)]
    steps = classes - 1
    width = -(-highest // steps)  # ceiling division
    breaks = [(0, 0)]
    low = 1
    while low <= highest:
        breaks.append((low, min(low + width - 1, highest)))
        low += width
    return breaks


def colour_class(count: int, breaks: list[tuple[int, int]]) -> int:
    for index, (low, high) in enumerate(breaks):
        if low <= count <= high:
            return index
    return len(breaks) - 1


def _scoped_cases(*, user, kecamatan: Kecamatan | None) -> QuerySet[Case]:
    cases = cases_visible_to(user=user)
    if kecamatan is not None:
        cases = cases.filter(kelurahan__kecamatan=kecamatan)
    return cases.order_by()


def dashboard_figures(*, user, period: Period, kecamatan: Kecamatan | None = None, now=None) -> Dashboard:
    """Every figure of the dashboard for this user, period and (optional) kecamatan."""
    now = now or timezone.now()
    scoped = _scoped_cases(user=user, kecamatan=kecamatan)
    cases = scoped.filter(reported_at__gte=period.start, reported_at__lt=period.end)

    # 1–5 add up per month and kelurahan: the stored monthly counts, the months changed since
    # counted live (reports.facts), in a fixed number of queries whatever the period.
    additive = dashboard_counts(user=user, cases=cases, period=period, kecamatan=kecamatan)
    by_case = additive.get(("dash_cases", "n"), {})  # (month, kelurahan, status, escalated, category)
    totals = {"total": 0, "open": 0, "closed": 0, "escalated": 0}
    by_month: dict[dt.date, int] = {}
    protection_counts: dict[str, int] = {}
    per_kelurahan: dict[int, int] = {}
    for (month, kelurahan_id, status, escalated, category), n in by_case.items():
        totals["total"] += n
        totals["open"] += n if status in OPEN_STATUSES else 0
        totals["closed"] += n if status in CLOSED_STATUSES else 0
        totals["escalated"] += n if escalated else 0
        by_month[month] = by_month.get(month, 0) + n
        protection_counts[category] = protection_counts.get(category, 0) + n
        per_kelurahan[kelurahan_id] = per_kelurahan.get(kelurahan_id, 0) + n

    # 2. Per month (months without a case show 0).
    months = [
        Row(key=f"{month:%Y-%m}", label=formats.date_format(month, "M Y"), count=by_month.get(month, 0))
        for month in period.months
    ]

    # 3. Per jenis kekerasan (a case may have several kinds: it counts once under each).
    violence_counts: dict[str, int] = {}
    for (_month, _kelurahan, kind), n in additive.get(("dash_violence", "n"), {}).items():
        violence_counts[kind] = violence_counts.get(kind, 0) + n
    violence = [
        Row(key=k.value, label=str(k.label), count=violence_counts.get(k.value, 0)) for k in ViolenceType
    ]

    # 4. Per perlindungan khusus category (cases without one under "none / not yet known").
    protection = [
        Row(key=c.value or "none", label=str(c.label), count=protection_counts.get(c.value, 0))
        for c in ProtectionCategory
    ]
    # Move "none / not yet known" to the end: the categories matter first.
    protection = protection[1:] + protection[:1]

    # 5. Per kelurahan (every kelurahan in scope, also those without a case) and kecamatan.
    kelurahan = kelurahan_visible_to(user=user)
    if kecamatan is not None:
        kelurahan = kelurahan.filter(kecamatan=kecamatan)
    kelurahan = list(kelurahan.order_by("kecamatan__code", "code"))
    kelurahan_rows = []
    kecamatan_rows: dict[int, KecamatanRow] = {}
    for k in kelurahan:
        row = KelurahanRow(
            code=k.code,
            name=k.common_name,
            official_name=k.name,
            kecamatan=k.kecamatan.common_name,
            count=per_kelurahan.get(k.pk, 0),
        )
        kelurahan_rows.append(row)
        group = kecamatan_rows.setdefault(
            k.kecamatan_id, KecamatanRow(code=k.kecamatan.code, name=k.kecamatan.common_name)
        )
        group.count += row.count
        group.kelurahan.append(row)
    breaks = colour_breaks(max((r.count for r in kelurahan_rows), default=0))
    for row in kelurahan_rows:
        row.colour_class = colour_class(row.count, breaks)

    # 6. Medians: time to triage and to closure.
    medians = median_durations(
        cases, {"triage": ("reported_at", "triaged_at"), "closure": ("reported_at", "closed_at")}
    )

    # 7. Escalations waiting on KPAD now (whatever the period), in scope.
    acknowledge_days = settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS
    waiting = cases_in_scope(Escalation.objects.filter(state__in=PENDING), user=user)
    if kecamatan is not None:
        waiting = waiting.filter(case__kelurahan__kecamatan=kecamatan)
    escalations = waiting.aggregate(
        pending=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(state=Escalation.State.OPEN, opened_at__lt=now - dt.timedelta(days=acknowledge_days)),
        ),
    )

    # 8. Cadres per cohort: active / inactive / stopped now, activity logged in the period.
    cadres = cadres_visible_to(user=user)
    if kecamatan is not None:
        cadres = cadres.filter(kelurahan__kecamatan=kecamatan)
    cohort_rows = (
        cadres.order_by()
        .values("cohort")
        .annotate(
            total=Count("pk", distinct=True),
            active=Count("pk", distinct=True, filter=ACTIVE_Q),
            inactive=Count("pk", distinct=True, filter=INACTIVE_Q),
            stopped=Count("pk", distinct=True, filter=STOPPED_Q),
        )
        .order_by("cohort")
    )
    # The period's activity per cohort on its own: joined to the cadres above it made every
    # count DISTINCT over every activity ever logged (issue 12: 150 ms of the dashboard).
    activities = dict(
        CadreActivity.objects.filter(cadre__in=cadres.values("pk"), at__gte=period.start, at__lt=period.end)
        .values("cadre__cohort")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cadre__cohort", "n")
    )
    by_cohort = {
        row["cohort"]: CohortRow(**row, activities=activities.get(row["cohort"], 0)) for row in cohort_rows
    }
    for year in KNOWN_COHORTS:  # the cohorts the Dinas asks about by name, even when empty
        by_cohort.setdefault(
            year, CohortRow(cohort=year, total=0, active=0, inactive=0, stopped=0, activities=0)
        )
    cohorts = [by_cohort[year] for year in sorted(by_cohort)]

    # 9. Kelurahan coverage: kelurahan in scope with at least one active cadre (in one query).
    covered_q = Q(cadres__status=CadreStatus.AKTIF, cadres__inactive_since__isnull=True)
    coverage = (
        kelurahan_visible_to(user=user)
        .filter(**({"kecamatan": kecamatan} if kecamatan is not None else {}))
        .order_by()
        .aggregate(total=Count("pk", distinct=True), covered=Count("pk", distinct=True, filter=covered_q))
    )

    return Dashboard(
        period=period,
        kecamatan=kecamatan,
        total=totals["total"],
        open=totals["open"],
        closed=totals["closed"],
        escalated=totals["escalated"],
        months=months,
        violence=violence,
        protection=protection,
        kecamatan_rows=list(kecamatan_rows.values()),
        kelurahan_rows=kelurahan_rows,
        median_triage=medians["triage"],
        median_closure=medians["closure"],
        escalations_pending=escalations["pending"],
        escalations_overdue=escalations["overdue"],
        acknowledge_days=acknowledge_days,
        cohorts=cohorts,
        cadres_active=sum(c.active for c in cohorts),
        cadres_total=sum(c.total for c in cohorts),
        kelurahan_covered=coverage["covered"],
        kelurahan_total=coverage["total"],
        colour_breaks=breaks,
    )
