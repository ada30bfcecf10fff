"""The petugas dashboard: every figure against a small hand-built data set whose answers are known.

The data set (time frozen at 15 March 2026, 10:00 Asia/Pontianak; the default period is
April 2025 - March 2026):

=====  ==============  ===========================  ===============  =========  ==========
case   kelurahan       reported (city time)         violence         triaged    closed
=====  ==============  ===========================  ===============  =========  ==========
A      Bansir Laut     1 Mar 2026 00:30             fisik, psikis    +2 h       open
B      Bansir Laut     10 Feb 2026 09:00            fisik            +4 h       +10 days
C      Siantan Hulu    5 Jan 2026 08:00             psikis           +10 h      +4 days
D      Siantan Hulu    20 Jun 2025 08:00            penelantaran     -          open
E      Bansir Darat    31 Mar 2025 23:30            fisik            -          open
=====  ==============  ===========================  ===============  =========  ==========

A is reported at 00:30 on 1 March in Pontianak, still 28 February in UTC: it counts in March.
E is just before the default period. Bansir Laut and Bansir Darat are in Pontianak Tenggara,
Siantan Hulu in Pontianak Utara (bella's kecamatan).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cadres.models import Cadre, CadreActivity, CadreStatus
from cases.models import Case, Escalation, Status
from reports.dashboard import colour_breaks, dashboard_figures, median_durations
from reports.forms import ReportFilterForm
from reports.periods import Period
from tests import factories as f

WIB = ZoneInfo("Asia/Pontianak")  # UTC+7 all year
NOW = dt.datetime(2026, 3, 15, 10, 0, tzinfo=WIB)
URL = "/laporan/"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _case(actor, code, reported, *, violence, triage_hours=None, closed_days=None, status=None, **fields):
    case = f.make_case(actor=actor, kelurahan=f.kelurahan(code), violence_types=violence, **fields)
    values = {"reported_at": reported, "last_activity_at": reported}
    if triage_hours is not None:
        values["triaged_at"] = reported + dt.timedelta(hours=triage_hours)
        values["status"] = Status.DIVERIFIKASI
    if closed_days is not None:
        values["closed_at"] = reported + dt.timedelta(days=closed_days)
        values["status"] = status or Status.SELESAI
        values["closure_reason"] = (
            "layanan_tuntas" if values["status"] == Status.SELESAI else "tidak_terbukti"
        )
    Case.objects.filter(pk=case.pk).update(**values)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def dataset(frozen, bob):
    a = _case(
        bob,
        f.BANSIR_LAUT,
        at(2026, 3, 1, 0, 30),
        violence=["fisik", "psikis"],
        triage_hours=2,
        protection_category="hak_asuh",
    )
    b = _case(bob, f.BANSIR_LAUT, at(2026, 2, 10, 9), violence=["fisik"], triage_hours=4, closed_days=10)
    c = _case(
        bob,
        f.SIANTAN_HULU,
        at(2026, 1, 5, 8),
        violence=["psikis"],
        triage_hours=10,
        closed_days=4,
        status=Status.DITUTUP,
        protection_category="putus_sekolah",
    )
    d = _case(bob, f.SIANTAN_HULU, at(2025, 6, 20, 8), violence=["penelantaran"])
    e = _case(bob, f.BANSIR_DARAT, at(2025, 3, 31, 23, 30), violence=["fisik"])
    # Escalations: A open for 5 days (overdue: past 3 days), B acknowledged, C open for a day,
    # D resolved.
    Escalation.objects.create(case=a, rule="manual", state="open", opened_at=NOW - dt.timedelta(days=5))
    Escalation.objects.create(
        case=b, rule="manual", state="acknowledged", opened_at=NOW - dt.timedelta(days=10)
    )
    Escalation.objects.create(case=c, rule="stalled", state="open", opened_at=NOW - dt.timedelta(days=1))
    Escalation.objects.create(
        case=d, rule="untriaged", state="resolved", opened_at=NOW - dt.timedelta(days=60)
    )
    # Cadres.
    laut, hulu, darat = (f.kelurahan(c) for c in (f.BANSIR_LAUT, f.SIANTAN_HULU, f.BANSIR_DARAT))
    active_2017 = Cadre.objects.create(name="Kader A", sex="P", kelurahan=laut, cohort=2017)
    Cadre.objects.create(name="Kader B", sex="P", kelurahan=hulu, cohort=2017, status=CadreStatus.TIDAK_AKTIF)
    Cadre.objects.create(name="Kader C", sex="L", kelurahan=hulu, cohort=2018, inactive_since=NOW)
    Cadre.objects.create(name="Kader D", sex="P", kelurahan=darat, cohort=2019, status=CadreStatus.BERHENTI)
    active_2022 = Cadre.objects.create(name="Kader E", sex="P", kelurahan=hulu, cohort=2022)
    CadreActivity.objects.create(cadre=active_2022, kind="outreach", at=at(2026, 2, 1, 9))
    CadreActivity.objects.create(cadre=active_2022, kind="outreach", at=at(2026, 3, 2, 9))
    CadreActivity.objects.create(cadre=active_2017, kind="outreach", at=at(2024, 2, 1, 9))  # before
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def counts(rows) -> dict:
    return {row.key: row.count for row in rows}


# --- Figures --------------------------------------------------------------------------------------


def test_it_counts_the_default_period_of_the_last_12_months(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    assert fig.period == Period(first=dt.date(2025, 4, 1), last=dt.date(2026, 3, 1))
    assert (fig.total, fig.open, fig.closed, fig.escalated) == (4, 2, 2, 0)


def test_it_counts_cases_per_month_in_the_city_time_zone(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    months = counts(fig.months)
    assert list(months) == [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    assert months == {**dict.fromkeys(months, 0), "2025-06": 1, "2026-01": 1, "2026-02": 1, "2026-03": 1}


def test_it_counts_each_type_of_violence_and_protection_category(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    violence = counts(fig.violence)
    assert violence == {
        "fisik": 2,
        "psikis": 2,
        "seksual": 0,
        "eksploitasi": 0,
        "trafficking": 0,
        "penelantaran": 1,
        "lainnya": 0,
    }
    protection = counts(fig.protection)
    assert protection["hak_asuh"] == 1
    assert protection["putus_sekolah"] == 1
    assert protection["none"] == 2
    assert sum(protection.values()) == 4
    assert list(protection)[-1] == "none"


def test_it_counts_cases_per_kelurahan_and_kecamatan_including_empty_ones(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    per_kelurahan = {row.code: row.count for row in fig.kelurahan_rows}
    assert len(per_kelurahan) == 29
    assert per_kelurahan[f.BANSIR_LAUT] == 2
    assert per_kelurahan[f.SIANTAN_HULU] == 2
    assert per_kelurahan[f.BANSIR_DARAT] == 0
    assert sum(per_kelurahan.values()) == 4
    per_kecamatan = {row.code: row.count for row in fig.kecamatan_rows}
    assert len(per_kecamatan) == 6
    assert per_kecamatan[f.PONTIANAK_TENGGARA] == 2
    assert per_kecamatan[f.PONTIANAK_UTARA] == 2
    # Colour classes: 0 cases in the lightest, the highest count in the darkest.
    by_code = {row.code: row for row in fig.kelurahan_rows}
    assert by_code[f.BANSIR_DARAT].colour_class == 0
    assert by_code[f.BANSIR_LAUT].colour_class == len(fig.colour_breaks) - 1


def test_it_computes_the_median_times_to_triage_and_closure(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    assert fig.median_triage == dt.timedelta(hours=4)  # 2, 4, 10 hours
    assert fig.median_closure == dt.timedelta(days=7)  # 4 and 10 days: halfway
    assert fig.median_triage_hours == 4
    assert fig.median_closure_days == 7


def test_it_counts_escalations_pending_and_overdue(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    assert fig.escalations_pending == 3
    assert fig.escalations_overdue == 1


def test_it_uses_the_acknowledge_days_setting_for_overdue(dataset, bob, settings):
    settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS = 0
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    assert fig.escalations_overdue == 2  # A and C are open; B is acknowledged


def test_it_counts_cadres_per_cohort_and_kelurahan_coverage(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.last_months(12))
    cohorts = {c.cohort: (c.total, c.active, c.inactive, c.stopped, c.activities) for c in fig.cohorts}
    assert cohorts == {
        2017: (2, 1, 1, 0, 0),
        2018: (1, 0, 1, 0, 0),
        2019: (1, 0, 0, 1, 0),
        2022: (1, 1, 0, 0, 2),
    }
    assert (fig.cadres_active, fig.cadres_total) == (2, 5)
    assert (fig.kelurahan_covered, fig.kelurahan_total) == (2, 29)
    assert fig.kelurahan_uncovered == 27


def test_the_kecamatan_filter_narrows_every_figure(dataset, bob):
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    fig = dashboard_figures(user=bob, period=Period.last_months(12), kecamatan=utara)
    assert (fig.total, fig.open, fig.closed) == (2, 1, 1)
    assert counts(fig.violence)["psikis"] == 1
    assert counts(fig.violence)["fisik"] == 0
    assert fig.median_triage == dt.timedelta(hours=10)
    assert fig.median_closure == dt.timedelta(days=4)
    assert (fig.escalations_pending, fig.escalations_overdue) == (1, 0)
    assert {row.code for row in fig.kecamatan_rows} == {f.PONTIANAK_UTARA}
    assert len(fig.kelurahan_rows) == 4
    assert (fig.kelurahan_covered, fig.kelurahan_total) == (1, 4)
    assert {c.cohort: c.total for c in fig.cohorts} == {2017: 1, 2018: 1, 2019: 0, 2022: 1}


def test_the_period_filter_changes_the_figures(dataset, bob):
    fig = dashboard_figures(user=bob, period=Period.year(2025))
    assert fig.total == 2  # D and E
    assert counts(fig.months)["2025-03"] == 1
    assert counts(fig.months)["2025-06"] == 1
    assert len(fig.months) == 12
    assert fig.median_triage is None
    assert fig.median_closure is None
    assert counts(fig.violence) == {**dict.fromkeys(counts(fig.violence), 0), "fisik": 1, "penelantaran": 1}
    fig = dashboard_figures(user=bob, period=Period(first=dt.date(2026, 2, 1), last=dt.date(2026, 2, 1)))
    assert fig.total == 1  # B
    assert [row.key for row in fig.months] == ["2026-02"]
    assert {c.cohort: c.activities for c in fig.cohorts}[2022] == 1


def test_bella_sees_only_her_kecamatan(dataset, bella):
    fig = dashboard_figures(user=bella, period=Period.last_months(12))
    assert fig.total == 2
    assert {row.code for row in fig.kecamatan_rows} == {f.PONTIANAK_UTARA}
    assert (fig.escalations_pending, fig.kelurahan_total) == (1, 4)
    assert sum(c.total for c in fig.cohorts) == 3


def test_colour_breaks_cover_every_count():
    assert colour_breaks(0) == [(0, 0)]
    assert colour_breaks(2) == [(0, 0), (1, 1), (2, 2)]
    assert colour_breaks(10) == [(0, 0), (1, 3), (4, 6), (7, 9), (10, 10)]


# --- The median, on this backend (the suite runs on SQLite and on PostgreSQL) ------------------


def test_median_durations_is_exact_for_odd_even_and_empty_sets(dataset, django_assert_max_num_queries):
    qs = Case.objects.filter(pk__in=[dataset["A"].pk, dataset["B"].pk, dataset["C"].pk])
    spans = {"triage": ("reported_at", "triaged_at"), "closure": ("reported_at", "closed_at")}
    limit = 1 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(limit):
        result = median_durations(qs, spans)
    assert result == {"triage": dt.timedelta(hours=4), "closure": dt.timedelta(days=7)}
    assert median_durations(Case.objects.none(), spans) == {"triage": None, "closure": None}
    one = Case.objects.filter(pk=dataset["C"].pk)
    assert median_durations(one, spans) == {"triage": dt.timedelta(hours=10), "closure": dt.timedelta(days=4)}
    # D and E have no triage: left out, not counted as zero.
    assert median_durations(Case.objects.all(), spans)["triage"] == dt.timedelta(hours=4)


# --- The filter form ------------------------------------------------------------------------------


def test_the_form_limits_kecamatan_to_the_users_area(frozen, bella):
    form = ReportFilterForm({"kecamatan": f.kecamatan(f.PONTIANAK_TENGGARA).pk}, user=bella)
    assert not form.is_valid()
    assert "kecamatan" in form.errors
    assert list(form.fields["kecamatan"].queryset) == [f.kecamatan(f.PONTIANAK_UTARA)]
    assert form.chosen_kecamatan is None


def test_the_form_reads_a_year_or_a_month_range(frozen, bob):
    assert ReportFilterForm({"year": "2025"}, user=bob).period == Period.year(2025)
    form = ReportFilterForm({"start": "2025-11", "end": "2026-01"}, user=bob)
    assert form.period == Period(first=dt.date(2025, 11, 1), last=dt.date(2026, 1, 1))
    form = ReportFilterForm({"start": "2026-02", "end": "2025-01"}, user=bob)
    assert not form.is_valid()
    assert "end" in form.errors
    assert form.period == Period.last_months(12)
    assert not ReportFilterForm({"start": "2026-13"}, user=bob).is_valid()


# --- The page -------------------------------------------------------------------------------------


def test_it_shows_the_dashboard_to_a_petugas(dataset, client_for, bob):
    with translation.override("en"):
        response = client_for(bob).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    fig = response.context["figures"]
    assert fig.total == 4
    html = response.content.decode()
    assert 'data-testid="total-cases">4<' in html
    assert 'id="dashboard-charts"' in html
    assert 'id="dashboard-map-data"' in html
    for name in ("months", "violence", "protection", "status", "cohorts"):
        assert f'data-chart="{name}"' in html
        assert f'data-testid="table-{name}"' in html
    charts = response.context["charts"]
    assert charts["months"]["values"] == [row.count for row in fig.months]
    assert charts["status"]["values"] == [2, 2]
    regions = response.context["map_data"]["regions"]
    assert regions[f.BANSIR_LAUT]["count"] == 2
    assert len(regions) == 29


def test_it_names_no_child(dataset, client_for, bob):
    html = client_for(bob).get(URL).content.decode()
    assert "Anak Uji" not in html
    assert "A.U." not in html
    assert dataset["A"].number not in html


def test_the_page_filters_by_kecamatan_and_period(dataset, client_for, bob):
    client = client_for(bob)
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    assert client.get(URL, {"kecamatan": utara.pk}).context["figures"].total == 2
    assert client.get(URL, {"year": "2025"}).context["figures"].total == 2
    assert client.get(URL, {"start": "2026-02", "end": "2026-03"}).context["figures"].total == 2


def test_bella_gets_her_kecamatan_even_when_asking_for_another(dataset, client_for, bella):
    response = client_for(bella).get(URL, {"kecamatan": f.kecamatan(f.PONTIANAK_TENGGARA).pk})
    assert response.status_code == 200
    assert response.context["figures"].total == 2
    assert response.context["form"].errors["kecamatan"]
    assert set(response.context["map_data"]["regions"]) == {
        k.code for k in f.kecamatan(f.PONTIANAK_UTARA).kelurahan_set.all()
    }


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
def test_other_roles_may_not_open_the_dashboard(client_for, everyone, who):
    assert client_for(everyone[who]).get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(client_for, bob):
    assert client_for(bob).post(URL).status_code == 405


def test_the_menu_links_to_the_dashboard(bob, client_for):
    assert reverse("reports:dashboard") == URL
    assert f'href="{URL}"' in client_for(bob).get(URL).content.decode()


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"kecamatan": f.kecamatan(f.PONTIANAK_TENGGARA).pk}).status_code == 200
    return len(ctx.captured_queries)


def _make_handled_cases(actor, n):
    for i in range(n):
        case = f.make_case(
            actor=actor,
            kelurahan=f.kelurahan(f.BANSIR_LAUT if i % 2 else f.BANSIR_DARAT),
            violence_types=["fisik", "psikis"],
        )
        if i % 3:  # a mix of open, triaged and closed cases
            Case.objects.filter(pk=case.pk).update(
                triaged_at=NOW, closed_at=NOW, status="selesai", closure_reason="layanan_tuntas"
            )


def test_the_query_count_is_fixed_whatever_the_number_of_cases(
    frozen, client_for, bob, django_assert_max_num_queries
):
    # SQLite counts, then fetches the middle durations: 2 queries per median, 1 on PostgreSQL.
    client = client_for(bob)
    _make_handled_cases(bob, 5)
    with django_assert_max_num_queries(20):
        few = _page_queries(client)
    _make_handled_cases(bob, 45)
    assert Case.objects.count() == 50
    assert _page_queries(client) == few
