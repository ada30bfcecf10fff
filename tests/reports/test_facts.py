"""The recap's stored monthly counts (reports.facts): the same figures as counting live, for any
period and area; never stale (a changed or destroyed case's month is counted live until counted
again); a fixed, small number of queries whatever the number of cases."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.destruction import cases_destroy
from reports import facts
from reports.models import RecapCount, RecapMonth
from reports.periods import Period
from reports.recap import build_recap
from tests import factories as f
from tests.reports.test_recap import at, dataset  # noqa: F401 - the fixture, answers known

pytestmark = pytest.mark.django_db

PERIODS = [Period.month(2025, 3), Period.month(2025, 4), Period.year(2025), Period.year(2024)]


def figures(recap):
    return [(t.key, [(r.label, r.values) for r in t.rows], t.totals.values) for t in recap.tables]


def live(settings, **kwargs):
    settings.SIGAP_RECAP_FACTS = False
    try:
        return figures(build_recap(**kwargs))
    finally:
        settings.SIGAP_RECAP_FACTS = True


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.slug)
def test_the_stored_counts_give_the_figures_counted_live(settings, bob, bella, dataset, period):  # noqa: F811
    run = facts.recap_facts_refresh()
    assert dt.date(2025, 3, 1) in run.counted and run.left == 0
    assert facts.stored_months(period.months) == set(period.months) & set(run.counted)
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    for kwargs in (
        {"user": bob, "period": period},
        {"user": bob, "period": period, "kecamatan": utara},
        {"user": bella, "period": period},  # a petugas limited to Pontianak Utara
    ):
        assert figures(build_recap(**kwargs)) == live(settings, **kwargs), kwargs


def test_a_year_of_stored_months_costs_three_queries_whatever_the_number_of_cases(bob, dataset):  # noqa: F811
    facts.recap_facts_refresh()
    with CaptureQueriesContext(connection) as few:
        build_recap(user=bob, period=Period.year(2025))
    for day in (3, 7, 11):
        f.make_case(actor=bob, now=at(2025, 6, day), kelurahan=f.kelurahan(f.BANSIR_LAUT))
    facts.recap_facts_refresh()
    with CaptureQueriesContext(connection) as many:
        recap = build_recap(user=bob, period=Period.year(2025))
    # the months' marks, the events since, the sum of the stored counts: nothing counted live
    assert len(few.captured_queries) == len(many.captured_queries) == 3
    assert recap.table("counts").rows[0].values == [6]


def test_a_change_after_the_count_shows_at_once_and_the_next_refresh_stores_it(bob, dataset):  # noqa: F811
    facts.recap_facts_refresh()
    march = Period.month(2025, 3)
    before = build_recap(user=bob, period=march).table("services").totals.values
    services.case_add_service(
        actor=bob, case=dataset["a"], service_type="hukum", provider="LBH", date=dt.date(2025, 3, 25)
    )
    assert facts.stored_months(march.months) == set(), "the service's event makes March stale"
    after = build_recap(user=bob, period=march).table("services").totals.values
    assert after == [before[0] + 1, before[1]]
    run = facts.recap_facts_refresh()
    assert run.counted == [dt.date(2025, 3, 1)]
    assert facts.stored_months(march.months) == {dt.date(2025, 3, 1)}
    assert build_recap(user=bob, period=march).table("services").totals.values == after


def test_a_destroyed_case_forgets_its_month(bob, dataset):  # noqa: F811
    facts.recap_facts_refresh()
    assert RecapMonth.objects.filter(month=dt.date(2025, 3, 1)).exists()
    cases_destroy(case_ids=[dataset["b"].pk], actor=bob)
    assert not RecapMonth.objects.filter(month=dt.date(2025, 3, 1)).exists()
    assert build_recap(user=bob, period=Period.month(2025, 3)).table("counts").rows[0].values == [1]


def test_the_refresh_stops_when_its_time_is_up_and_the_next_run_goes_on(bob, dataset):  # noqa: F811
    first = facts.recap_facts_refresh(budget=0)
    assert first.counted == [] and first.left > 0
    second = facts.recap_facts_refresh()
    assert second.left == 0 and len(second.counted) == first.left
    # Nothing changed: the next run counts nothing (the months are young: no recount yet).
    assert facts.recap_facts_refresh().counted == []


def test_the_refresh_recounts_the_months_counted_longest_ago(bob, dataset):  # noqa: F811
    facts.recap_facts_refresh()
    RecapMonth.objects.update(computed_at=at(2025, 1, 1))
    assert len(facts.recap_facts_refresh().counted) == facts.RECOUNT_OLDEST


def test_the_stored_counts_hold_codes_and_numbers_only(bob, dataset):  # noqa: F811
    facts.recap_facts_refresh()
    stored = " ".join(RecapCount.objects.values_list("key", flat=True))
    for name in ("Siti", "Budi", "Dewi", "Rina", "Agus", "Putri"):
        assert name not in stored


def test_the_periodic_task_runs_the_refresh(bob, dataset, settings):  # noqa: F811
    from reports.tasks import recap_facts_refresh_task

    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = recap_facts_refresh_task.delay().get()
    assert result["counted"] > 0 and result["left"] == 0
    assert recap_facts_refresh_task.acks_late
    assert recap_facts_refresh_task.soft_time_limit < recap_facts_refresh_task.time_limit


# --- The dashboard ------------------------------------------------------------------------------


def dashboard(**kwargs):
    from reports.dashboard import dashboard_figures

    d = dashboard_figures(**kwargs)
    return (
        (d.total, d.open, d.closed, d.escalated),
        [(r.key, r.count) for r in d.months],
        [(r.key, r.count) for r in d.violence],
        [(r.key, r.count) for r in d.protection],
        [(r.code, r.count, r.colour_class) for r in d.kelurahan_rows],
        [(r.code, r.count) for r in d.kecamatan_rows],
        (d.median_triage, d.median_closure),
    )


@pytest.mark.parametrize(
    "period", [Period(first=dt.date(2024, 12, 1), last=dt.date(2025, 12, 1)), Period.month(2025, 3)], ids=str
)
def test_the_dashboard_from_stored_counts_equals_the_dashboard_counted_live(
    settings,
    bob,
    bella,
    dataset,  # noqa: F811
    period,
):
    services.case_change_status(actor=bob, case=dataset["a"], to="diverifikasi")
    facts.recap_facts_refresh()
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    for kwargs in (
        {"user": bob, "period": period},
        {"user": bob, "period": period, "kecamatan": utara},
        {"user": bella, "period": period},
    ):
        stored = dashboard(**kwargs)
        settings.SIGAP_RECAP_FACTS = False
        assert stored == dashboard(**kwargs), kwargs
        settings.SIGAP_RECAP_FACTS = True
    whole = dashboard(user=bob, period=period)
    assert whole[0][0] == (4 if period.first.year == 2024 else 2)


def test_an_escalation_shows_on_the_dashboard_at_once_and_after_the_next_refresh(bob, dataset):  # noqa: F811
    from cases.escalation import escalate_case

    march = Period.month(2025, 3)
    facts.recap_facts_refresh()
    total, open_, closed, escalated = dashboard(user=bob, period=march)[0]
    escalate_case(dataset["a"].pk, "manual", "uji", actor=bob)
    assert facts.stored_months(march.months) == set(), "the escalation's event makes March stale"
    assert dashboard(user=bob, period=march)[0] == (total, open_, closed, escalated + 1)
    assert facts.recap_facts_refresh().counted == [dt.date(2025, 3, 1)]
    assert dashboard(user=bob, period=march)[0] == (total, open_, closed, escalated + 1)
