"""The recap's counts stored per month and kelurahan, so that a year costs what its months cost.

Every recap figure adds up over the month and the kelurahan of the case it counts
(reports.recap's measures), so the counts of each measure are stored per (month, kelurahan) in
RecapCount, and a recap of a period sums them: one small query, whatever the number of cases.

When the stored counts are used, and when not:

* A month is stored once ``recap_facts_refresh`` (a beat task, every
  SIGAP_RECAP_FACTS_REFRESH_SECONDS) has counted it, with the last case event id then
  (``RecapMonth.through_event``). Every change of a case writes a CaseEvent on its timeline (an
  edit, a service, a person's record changed: the timeline of each of their cases), so a later
  event on a case reported in that month makes the month stale. Deleting a case (destruction)
  forgets its month's counts (a post_delete receiver below).
* A recap takes the stored counts of its months that are stored and not stale, and counts the
  others live (the current month, usually, and the months changed since the last refresh): the
  figures are always those of the data now, never of the last refresh.
* The refresh counts again the stale and missing months, then the months counted longest ago
  (a few each run), so every month is counted afresh at least daily: an event whose transaction
  committed while its month was being counted (its id below the mark, its rows not yet visible)
  is caught by that recount.

Scope: the stored counts are city-wide, narrowed by kelurahan at reading time: that is a petugas'
scope (``cases.selectors.case_scope_q``: everything, or an area). Anyone whose scope is not an
area (no such role may open the recap today) gets the recap counted live.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from accounts.policy import Cap, area_filter, user_can
from cases.models import Case, CaseEvent, CaseViolence, Child
from core.time import city_zone, day_start

from .models import RecapCount, RecapMonth
from .periods import Period, add_months
from .recap import MEASURES, Counts, Measure, add_counts, live_counts, measure_rows, recap_cases

logger = logging.getLogger(__name__)

# The dashboard's figures that add up per month and kelurahan (the totals, the months, the kinds
# of violence, the protection categories, the kelurahan map); its medians are counted live.
DASHBOARD_MEASURES: tuple[Measure, ...] = (
    Measure(
        "dash_cases",
        lambda cases, children: cases.annotate(
            escalated=ExpressionWrapper(Q(escalated_at__isnull=False), output_field=BooleanField())
        ),
        ("status", "escalated", "protection_category"),
        {"n": lambda: Count("id")},
        "",
    ),
    Measure(
        "dash_violence",
        lambda cases, children: CaseViolence.objects.filter(case__in=cases),
        ("kind",),
        {"n": lambda: Count("id")},
        "case",
    ),
)
STORED = (*MEASURES, *DASHBOARD_MEASURES)
# Stored months counted with another set of measures are counted again: raise it whenever a
# measure is added, removed or counts differently.
MEASURES_VERSION = 1

# pg_try_advisory_xact_lock key of the refresh ("SIGAPREC"): one refresher at a time.
LOCK_KEY = 0x5349_4741_5052_4543 & 0x7FFF_FFFF_FFFF_FFFF
# Months counted again per refresh run because they were counted longest ago.
RECOUNT_OLDEST = 3
RECOUNT_AFTER = dt.timedelta(hours=20)


def month_bounds(months, *, path: str = "") -> Q:
    """Cases reported in any of these months (city time), as ranges of reported_at; ``path``
    leads from the rows filtered to their case."""
    field = f"{path}__reported_at" if path else "reported_at"
    ranges = [
        Q(**{f"{field}__gte": day_start(m), f"{field}__lt": day_start(add_months(m, 1))})
        for m in sorted(months)
    ]
    return Q(*ranges, _connector=Q.OR) if ranges else Q(pk__in=[])


def _as_month(value) -> dt.date:
    return timezone.localtime(value, city_zone()).date() if isinstance(value, dt.datetime) else value


def stored_months(months: list[dt.date]) -> set[dt.date]:
    """The months among ``months`` whose stored counts hold now: two queries (the marks, and
    the events since the lowest mark on cases of those months)."""
    marks = dict(
        RecapMonth.objects.filter(month__in=months, version=MEASURES_VERSION).values_list(
            "month", "through_event"
        )
    )
    if not marks:
        return set()
    touched = (
        CaseEvent.objects.filter(pk__gt=min(marks.values()))
        .filter(month_bounds(marks, path="case"))
        .annotate(month=TruncMonth("case__reported_at", tzinfo=city_zone()))
        .values("month")
        .annotate(last=Max("pk"))
        .order_by()
    )
    for row in touched:
        month = _as_month(row["month"])
        if month in marks and row["last"] > marks[month]:
            del marks[month]
    return set(marks)


def _in_scope(rows, *, user, kecamatan):
    area = area_filter(user, kelurahan_path="kelurahan")
    if area is not None:
        rows = rows.filter(area)
    if kecamatan is not None:
        rows = rows.filter(kelurahan__kecamatan=kecamatan)
    return rows


def _uses_stored_counts(user) -> bool:
    """The stored counts are city-wide per kelurahan: they serve a scope that is an area."""
    return settings.SIGAP_RECAP_FACTS and user_can(user, Cap.HANDLE_CASES)


def _stored_counts(months: set[dt.date], *, user, kecamatan) -> Counts:
    rows = _in_scope(RecapCount.objects.filter(month__in=months), user=user, kecamatan=kecamatan)
    rows = rows.filter(measure__in=[f"{m.name}.{n}" for m in MEASURES for n in m.counts])
    counts: Counts = {}
    for measure, key, n in (
        rows.values("measure", "key").annotate(total=Sum("n")).values_list("measure", "key", "total")
    ):
        name, count = measure.rsplit(".", 1)
        counts.setdefault((name, count), {})[tuple(json.loads(key))] = n
    return counts


def dashboard_counts(*, user, cases, period: Period, kecamatan=None) -> Counts:
    """The dashboard's additive figures for the period: {(measure, count): {(month, kelurahan id,
    *key): n}}, the stored months' counts as they are and the others counted live. ``cases`` are
    the dashboard's cases (scope, area and period). A fixed number of queries."""
    counts: Counts = {}
    stored = stored_months(period.months) if _uses_stored_counts(user) else set()
    if stored:
        names = [f"{m.name}.{n}" for m in DASHBOARD_MEASURES for n in m.counts]
        rows = _in_scope(
            RecapCount.objects.filter(month__in=stored, measure__in=names), user=user, kecamatan=kecamatan
        )
        for month, kelurahan, measure, key, n in rows.values_list(
            "month", "kelurahan_id", "measure", "key", "n"
        ):
            name, count = measure.rsplit(".", 1)
            counts.setdefault((name, count), {})[(month, kelurahan, *json.loads(key))] = n
    rest = [m for m in period.months if m not in stored]
    if rest:
        live = cases.filter(month_bounds(rest)) if stored else cases
        for measure in DASHBOARD_MEASURES:
            for (month, kelurahan), key, numbers in measure_rows(
                measure, live, Child.objects.none(), by_kelurahan=True, by_month=True
            ):
                for name, n in numbers.items():
                    if n:
                        counts.setdefault((measure.name, name), {})[(month, kelurahan, *key)] = n
    return counts


def recap_counts(*, user, period: Period, kecamatan=None) -> Counts:
    """The counts of the recap of this period for this user and area: stored months summed, the
    others counted live. A fixed number of queries (three, plus one per measure when any month
    is counted live)."""
    cases = recap_cases(user=user, period=period, kecamatan=kecamatan)
    if not _uses_stored_counts(user):
        return live_counts(cases=cases, children=Child.objects.filter(case__in=cases))
    stored = stored_months(period.months)
    counts = _stored_counts(stored, user=user, kecamatan=kecamatan) if stored else {}
    rest = [m for m in period.months if m not in stored]
    if rest:
        live = cases.filter(month_bounds(rest))
        add_counts(counts, live_counts(cases=live, children=Child.objects.filter(case__in=live)))
    return counts


# --- Counting and storing ---------------------------------------------------------------------


def count_month(month: dt.date) -> int:
    """Count one month city-wide, per kelurahan, and store it (replacing what was stored): one
    query per measure. Returns the number of rows stored."""
    through = CaseEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    cases = Case.objects.filter(month_bounds([month]))
    children = Child.objects.filter(case__in=cases)
    rows = []
    for measure in STORED:
        for (_month, kelurahan), key, numbers in measure_rows(measure, cases, children, by_kelurahan=True):
            for name, n in numbers.items():
                if n:
                    rows.append(
                        RecapCount(
                            month=month,
                            kelurahan_id=kelurahan,
                            measure=f"{measure.name}.{name}",
                            key=json.dumps(list(key)),
                            n=n,
                        )
                    )
    with transaction.atomic():
        RecapCount.objects.filter(month=month).delete()
        RecapCount.objects.bulk_create(rows, batch_size=2000)
        RecapMonth.objects.update_or_create(
            month=month,
            defaults={"through_event": through, "computed_at": timezone.now(), "version": MEASURES_VERSION},
        )
    return len(rows)


@dataclass
class Refresh:
    counted: list[dt.date]
    left: int  # months still to count when the budget ran out
    skipped: bool = False  # another refresh holds the lock


def months_with_cases() -> list[dt.date]:
    first = Case.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    if first is None:
        return []
    month = timezone.localtime(first, city_zone()).date().replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    months = []
    while month <= this_month:
        months.append(month)
        month = add_months(month, 1)
    return months


def recap_facts_refresh(*, budget: float = 240.0, now: dt.datetime | None = None) -> Refresh:
    """Count the months that are missing or stale, then the few counted longest ago; stop
    starting months after ``budget`` seconds (the next run goes on). One refresher at a time
    (PostgreSQL advisory lock; SQLite serialises writers by itself)."""
    now = now or timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return Refresh(counted=[], left=0, skipped=True)
        months = months_with_cases()
        fresh = stored_months(months)
        todo = [m for m in reversed(months) if m not in fresh]  # the newest first
        oldest = (
            RecapMonth.objects.filter(month__in=fresh, computed_at__lt=now - RECOUNT_AFTER)
            .order_by("computed_at")
            .values_list("month", flat=True)[:RECOUNT_OLDEST]
        )
        todo += [m for m in oldest if m not in todo]
        counted = []
        for month in todo:
            if time.monotonic() - started > budget:
                break
            count_month(month)
            counted.append(month)
    left = len(todo) - len(counted)
    if left:
        logger.info("Recap counts: %s months counted, %s left for the next run.", len(counted), left)
    return Refresh(counted=counted, left=left)


@receiver(post_delete, sender=Case, dispatch_uid="reports.facts.forget_month")
def _forget_month_of_deleted_case(sender, instance: Case, **kwargs) -> None:
    """A destroyed case leaves no event behind: forget its month's stored counts."""
    if instance.reported_at is not None:
        month = timezone.localtime(instance.reported_at, city_zone()).date().replace(day=1)
        RecapMonth.objects.filter(month=month).delete()
