"""bench.measure's pure parts: percentiles, the results file's merge, the Server-Timing header,
the tables. (The bench itself runs against a database of its own: `make bench`.)"""

import json

import pytest

from bench import measure
from core.timing import header_value, parse_header


def test_percentiles_interpolate_between_ranks():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert measure.percentile(values, 50) == 3.0
    assert measure.percentile(values, 95) == pytest.approx(4.8)
    assert measure.percentile(values, 0) == 1.0
    assert measure.percentile(values, 100) == 5.0
    assert measure.percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        measure.percentile([], 50)


def test_the_ratio_is_the_issues_target():
    assert measure.ratio(50.0, 10.0) == 1.0  # 3 * 10 + 20
    assert measure.ratio(100.0, None) is None


def row(name, n, p50=1.0, floor=1.0):
    return {"name": name, "n_cases": n, "p50_ms": p50, "p95_ms": p50, "queries": 3, "floor_ms": floor}


def test_a_merge_keeps_other_sizes_and_replaces_the_same_name_and_size():
    old = [row("case_list", 200_000, 10), row("case_list", 1_000_000, 20), row("case_page", 200_000, 5)]
    new = [row("case_list", 200_000, 11)]
    merged = measure.merge_results(old, new)
    assert [(r["name"], r["n_cases"], r["p50_ms"]) for r in merged] == [
        ("case_list", 200_000, 11),
        ("case_page", 200_000, 5),
        ("case_list", 1_000_000, 20),
    ]


def test_merged_rows_have_exactly_the_keys_and_the_bench_order():
    new = [{**row("sweep_first", 10, floor=None), "extra": 1}, row("case_page", 10), row("case_list", 10)]
    merged = measure.merge_results([], new)
    assert [r["name"] for r in merged] == ["case_list", "case_page", "sweep_first"]
    assert all(tuple(r) == measure.KEYS for r in merged)


def test_results_are_written_as_json_and_markdown(tmp_path):
    json_path, md_path = tmp_path / "results.json", tmp_path / "results.md"
    json_path.write_text(json.dumps([row("case_list", 1_000_000, 20)]))
    machine = {"cpus": 2, "ram_gb": 7.8, "postgresql": "15.4", "date": "2026-12-02"}
    measure.write_results(
        [row("case_list", 200_000, 9), row("sweep_first", 200_000, 9, None)],
        machine,
        json_path=json_path,
        md_path=md_path,
    )
    data = json.loads(json_path.read_text())
    assert [(r["name"], r["n_cases"]) for r in data] == [
        ("case_list", 200_000),
        ("sweep_first", 200_000),
        ("case_list", 1_000_000),
    ]
    text = md_path.read_text()
    assert "2 CPUs, 7.8 GB RAM, PostgreSQL 15.4" in text
    assert "| case_list | 200,000 | 9.0 | 9.0 | 3 | 1.0 | 0.39 |" in text
    assert "| sweep_first | 200,000 | 9.0 | 9.0 | 3 | — | — |" in text


def test_the_server_timing_header_round_trips():
    assert parse_header(header_value(123.456, 45.61, 12)) == (123.5, 45.6, 12)
    assert parse_header(header_value(1.0, 0.5, 1)) == (1.0, 0.5, 1)
    assert parse_header('app;dur=7.5, db;dur=1.0;desc="3 queries", cdn;dur=1') == (7.5, 1.0, 3)
    assert parse_header(None) is None
    assert parse_header("app;dur=7") is None


def test_a_page_that_answers_otherwise_fails_the_bench():
    class Answer:
        status, location, path = 403, None, "/kasus/"

        def header(self, name):
            return header_value(1, 1, 1)

    page = measure.Page("case_list", "petugas", "/kasus/", None)
    with pytest.raises(measure.BenchFailed, match="case_list: GET /kasus/ answered 403"):
        measure.sample_of(Answer(), page)
    Answer.status = 200
    assert measure.sample_of(Answer(), page) == measure.Sample(1.0, 1)


def test_month_bounds_are_pontianak_calendar_months():
    start, end = measure.month_bounds(2026, 12)
    assert (start.isoformat(), end.isoformat()) == ("2026-12-01T00:00:00+07:00", "2027-01-01T00:00:00+07:00")
    start, end = measure.last_months(measure.dt.date(2026, 3, 15), 12)
    assert (start.date().isoformat(), end.date().isoformat()) == ("2025-04-01", "2026-04-01")
