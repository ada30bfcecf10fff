"""`make bench`'s measuring half: SIGAP's busy pages and background jobs on a bench database.

The pages go through the production shape: compose's web command (migrate, collectstatic,
gunicorn with gunicorn.conf.py) with DEBUG off, the image's environment and compose's, started by
scripts/prodcheck's helpers, behind what a TLS proxy sends; the bench users log in through the
login form with their second factor, with real sessions and every middleware. Each page's
server time and query count come from its ``Server-Timing`` header (core/timing.py, turned on
with SIGAP_SERVER_TIMING for this gunicorn only): the time gunicorn's worker spent, not the
client's.

Beside each page its floor: hand-written SQL that returns the same rows (the rows and the
columns the page shows), timed through psycopg2 directly, run interleaved with the page
(page, floor, page, floor...) so that both meet the same machine load. A page's cost beyond
its floor is Python, templates and the ORM's extra queries.

The jobs (escalation sweep twice, inactive cadres, a large export) run after the pages, in
a process of their own (bench/jobs.py); then the KPAD queue and the dashboard are measured
again, since a swept database is the steady state.

Writes bench/results.json (rows of other sizes kept) and bench/results.md; exits non-zero
when a page answers other than expected.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from core.timing import HEADER, parse_header

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "results.md"
FIXTURE = BENCH / "fixture.json"
KEYS = ("name", "n_cases", "p50_ms", "p95_ms", "queries", "floor_ms")
WARMUPS = 2
HOST = "sigap.bench.test"
DEFAULT_PORT = 8731
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
PONTIANAK = dt.timezone(dt.timedelta(hours=7))  # Asia/Pontianak: WIB, no daylight saving


class BenchFailed(Exception):
    """A page answered what it should not: the numbers would measure an error page."""


# --- the pure parts ---------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks, as numpy's default."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(p50: float, floor: float | None) -> float | None:
    """The issue's target: a page's p50 within 3x its floor plus 20 ms (<= 1.0 meets it)."""
    if floor is None:
        return None
    return p50 / (3 * floor + 20)


# The order the bench measures in, which is the order of the table (an unknown name goes last).
ORDER = (
    "case_list",
    "case_list_filtered",
    "case_list_search",
    "case_page",
    "kader_my_cases",
    "kpad_queue",
    "dashboard_city",
    "dashboard_kecamatan",
    "recap_month",
    "recap_year",
    "recap_year_xlsx",
    "cadre_overview",
    "cadre_roster",
    "intake_post",
    "recap_month_stale",
    "recap_year_stale",
    "recap_facts_first",
    "sweep_first",
    "sweep_steady",
    "inactive_cadres",
    "recap_facts_after_sweep",
    "export_cases_xlsx",
    "kpad_queue_after_sweep",
    "dashboard_city_after_sweep",
)


def merge_results(existing: list[dict], new: list[dict]) -> list[dict]:
    """Earlier rows kept unless a new row has the same name and n_cases; sorted by size, then
    in the order the bench measures."""
    fresh = {(row["name"], row["n_cases"]) for row in new}
    kept = [row for row in existing if (row.get("name"), row.get("n_cases")) not in fresh]
    merged = kept + [{key: row[key] for key in KEYS} for row in new]
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(merged, key=lambda r: (r["n_cases"], rank.get(r["name"], len(rank)), r["name"]))


def load_results(path: Path = RESULTS_JSON) -> list[dict]:
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    return data if isinstance(data, list) else []


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table_rows(rows: list[dict]) -> list[list[str]]:
    out = []
    for row in rows:
        r = ratio(row["p50_ms"], row["floor_ms"])
        out.append(
            [
                row["name"],
                f"{row['n_cases']:,}",
                fmt_ms(row["p50_ms"]),
                fmt_ms(row["p95_ms"]),
                str(row["queries"]),
                fmt_ms(row["floor_ms"]),
                "—" if r is None else f"{r:.2f}",
            ]
        )
    return out


HEADINGS = ["name", "n_cases", "p50 ms", "p95 ms", "queries", "floor ms", "p50/(3·floor+20)"]


def text_table(rows: list[dict]) -> str:
    body = table_rows(rows)
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(HEADINGS)]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(HEADINGS, widths, strict=True))
        )
    ]
    for r in body:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


def markdown_table(rows: list[dict], machine: dict) -> str:
    lines = [
        f"Measured on {machine['cpus']} CPUs, {machine['ram_gb']} GB RAM, PostgreSQL {machine['postgresql']}"
        f" ({machine['date']}); p50/p95 over the runs, server time from `Server-Timing`; floor = the plain"
        " SQL returning the same rows (p50); jobs: wall time of one run. A ratio above 1 misses the target"
        " p50 ≤ 3·floor + 20 ms.",
        "",
        "| " + " | ".join(HEADINGS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(HEADINGS) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(rows)]
    return "\n".join(lines) + "\n"


def machine_info(postgresql: str) -> dict:
    ram_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "ram_gb": round(ram_kb / 1024 / 1024, 1),
        "postgresql": postgresql,
        "date": dt.datetime.now(PONTIANAK).date().isoformat(),
    }


def write_results(
    new: list[dict], machine: dict, *, json_path=RESULTS_JSON, md_path=RESULTS_MD
) -> list[dict]:
    merged = merge_results(load_results(json_path), new)
    json_path.write_text(json.dumps(merged, indent=1) + "\n")
    md_path.write_text(markdown_table(merged, machine))
    return merged


# --- the floors: plain SQL for each page's rows ------------------------------------------

# A case list row: what cases/views/lists.case_rows shows (number, date, status, risk, area,
# case worker, escalation, online prostitution, kinds of violence, children's names for the
# initials and their ages), one page of 50 and one more row to know there are older ones.
LIST_FLOOR = """
WITH page AS (
    SELECT c.id, c.number, c.reported_at, c.status, c.risk, c.escalated_at, c.online_prostitution,
           c.incident_date, kel.common_name AS kelurahan, kec.common_name AS kecamatan,
           u.first_name, u.last_name, u.username
    FROM cases_case c
    JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
    JOIN kelurahan_kecamatan kec ON kec.id = kel.kecamatan_id
    LEFT JOIN accounts_user u ON u.id = c.case_worker_id
    WHERE {where}
    ORDER BY {order}
    LIMIT {limit}
)
SELECT page.*,
       (SELECT array_agg(v.kind ORDER BY v.kind) FROM cases_caseviolence v WHERE v.case_id = page.id),
       (SELECT array_agg(p.name || '|' || coalesce(p.birth_date::text, p.birth_year::text, ''))
          FROM cases_child ch JOIN cases_person p ON p.id = ch.person_id WHERE ch.case_id = page.id)
FROM page ORDER BY {outer_order}
"""


def list_floor(where: str = "TRUE", *, order="c.reported_at DESC, c.id DESC", limit=51) -> str:
    outer = order.replace("c.", "page.")
    return LIST_FLOOR.format(where=where, order=order, limit=limit, outer_order=outer)


# The kader's own cases: reported by them or accompanied, open first (a UNION: the plain SQL
# one would write, each half on its own index).
MINE_FLOOR = """
WITH own AS (
    SELECT id FROM cases_case WHERE reported_by_id = %(kader)s
    UNION
    SELECT case_id FROM cases_casecadre WHERE user_id = %(kader)s
), page AS (
    SELECT c.id, c.number, c.reported_at, c.status, c.risk, c.incident_date,
           (c.status IN ('selesai', 'ditutup'))::int AS closed_last, kel.common_name AS kelurahan
    FROM cases_case c JOIN own ON own.id = c.id
    JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
    ORDER BY closed_last, c.reported_at DESC, c.id DESC LIMIT 21
)
SELECT page.*,
       (SELECT array_agg(v.kind ORDER BY v.kind) FROM cases_caseviolence v WHERE v.case_id = page.id),
       (SELECT array_agg(p.name) FROM cases_child ch JOIN cases_person p ON p.id = ch.person_id
         WHERE ch.case_id = page.id)
FROM page ORDER BY closed_last, reported_at DESC, id DESC
"""

# KPAD's queue: open and acknowledged escalations, overdue first (open beyond the days KPAD
# has to acknowledge), then the longest waiting; with the case's number, risk, area, violences.
KPAD_FLOOR = """
WITH page AS (
    SELECT e.id, e.rule, e.state, e.opened_at, e.reason,
           (e.state = 'open' AND e.opened_at < %(deadline)s)::int AS overdue,
           c.id AS case_id, c.number, c.risk, kel.common_name AS kelurahan, kec.common_name AS kecamatan
    FROM cases_escalation e JOIN cases_case c ON c.id = e.case_id
    JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
    JOIN kelurahan_kecamatan kec ON kec.id = kel.kecamatan_id
    WHERE e.state <> 'resolved'
    ORDER BY overdue DESC, e.opened_at, e.id LIMIT 51
)
SELECT page.*,
       (SELECT array_agg(v.kind ORDER BY v.kind) FROM cases_caseviolence v WHERE v.case_id = page.case_id)
FROM page ORDER BY overdue DESC, opened_at, id
"""

# The case page: the case, its children, perpetrators, violences, and its history.
CASE_FLOOR = [
    """SELECT c.*, kel.common_name, kec.common_name, r.username, w.username FROM cases_case c
       JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
       JOIN kelurahan_kecamatan kec ON kec.id = kel.kecamatan_id
       JOIN accounts_user r ON r.id = c.reported_by_id LEFT JOIN accounts_user w ON w.id = c.case_worker_id
       WHERE c.number = %(number)s""",
    """SELECT ch.*, p.* FROM cases_child ch JOIN cases_person p ON p.id = ch.person_id
       JOIN cases_case c ON c.id = ch.case_id WHERE c.number = %(number)s""",
    """SELECT pe.* FROM cases_perpetrator pe JOIN cases_case c ON c.id = pe.case_id
       WHERE c.number = %(number)s""",
    """SELECT v.kind FROM cases_caseviolence v JOIN cases_case c ON c.id = v.case_id
       WHERE c.number = %(number)s""",
    """SELECT ev.* FROM cases_caseevent ev JOIN cases_case c ON c.id = ev.case_id
       WHERE c.number = %(number)s ORDER BY ev.id DESC""",
]

# The dashboard: cases reported per month of the period, per kind of violence, per kelurahan
# (the map), and open against closed; {area} narrows to a kecamatan.
DASHBOARD_FLOOR = [
    """SELECT date_trunc('month', c.reported_at AT TIME ZONE 'Asia/Pontianak') m, count(*) FROM cases_case c
       JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s {area} GROUP BY 1""",
    """SELECT v.kind, count(DISTINCT c.id) FROM cases_case c JOIN cases_caseviolence v ON v.case_id = c.id
       JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s {area} GROUP BY 1""",
    """SELECT c.kelurahan_id, count(*) FROM cases_case c
       JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s {area} GROUP BY 1""",
    """SELECT c.status IN ('selesai', 'ditutup'), count(*) FROM cases_case c
       JOIN kelurahan_kelurahan kel ON kel.id = c.kelurahan_id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s {area} GROUP BY 1""",
]

# The recap: victims (children of the cases reported in the period) by kind of violence and sex,
# and by age group and sex; then the cases by place.
RECAP_FLOOR = [
    """SELECT v.kind, p.sex, count(*) FROM cases_case c JOIN cases_child ch ON ch.case_id = c.id
       JOIN cases_person p ON p.id = ch.person_id JOIN cases_caseviolence v ON v.case_id = c.id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s GROUP BY 1, 2""",
    """SELECT width_bucket(date_part('year', age(c.incident_date, p.birth_date)), 0, 18, 6), p.sex, count(*)
       FROM cases_case c JOIN cases_child ch ON ch.case_id = c.id JOIN cases_person p ON p.id = ch.person_id
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s GROUP BY 1, 2""",
    """SELECT c.place_type, count(*) FROM cases_case c
       WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s GROUP BY 1""",
]

# Cadres: the overview's three reads (per cohort, per kelurahan, the first page of inactive
# cadres to call) and the roster's first page by name.
OVERVIEW_FLOOR = [
    "SELECT cd.cohort, cd.status, count(*) FROM cadres_cadre cd GROUP BY 1, 2",
    """SELECT kel.common_name, cd.status, count(*) FROM cadres_cadre cd
    JOIN kelurahan_kelurahan kel ON kel.id = cd.kelurahan_id GROUP BY 1, 2""",
    """SELECT cd.id, cd.name, cd.phone, cd.cohort, cd.last_activity_at, kel.common_name
    FROM cadres_cadre cd JOIN kelurahan_kelurahan kel ON kel.id = cd.kelurahan_id
    WHERE cd.status = 'tidak_aktif' OR (cd.status = 'aktif' AND cd.inactive_since IS NOT NULL)
    ORDER BY cd.last_activity_at ASC NULLS FIRST, cd.name, cd.id LIMIT 51""",
]
ROSTER_FLOOR = """SELECT cd.id, cd.name, cd.sex, cd.phone, cd.cohort, cd.status, cd.last_activity_at,
       kel.common_name FROM cadres_cadre cd JOIN kelurahan_kelurahan kel ON kel.id = cd.kelurahan_id
    ORDER BY cd.name, cd.id LIMIT 51"""

# An intake: the least any report writes, the case row and its violences, in a transaction
# rolled back (copied from an existing case under a number no case has).
INTAKE_FLOOR = "intake"


# --- HTTP: the bench's pages -------------------------------------------------------------


@dataclass
class Page:
    name: str
    role: str
    path: str | Callable[[], str]
    floor: list[str] | str | None
    floor_params: dict = field(default_factory=dict)
    method: str = "GET"
    expect: int = 200
    expect_location: str | None = None  # where a redirect must lead (the start of its path)
    post: Callable | None = None  # builds (path, fields, referer) for a POST, fresh each run
    after_intake: bool = False  # measured after the intake POSTs (they change the current month)


@dataclass
class Sample:
    app_ms: float
    queries: int


def month_bounds(year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
    """A calendar month (or year) in Asia/Pontianak (UTC+7, no DST) as UTC datetimes."""
    tz = PONTIANAK
    if month is None:
        return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return dt.datetime(year, month, 1, tzinfo=tz), end


def last_months(today: dt.date, n: int = 12) -> tuple[dt.datetime, dt.datetime]:
    """The dashboard's default period: the last n months up to this one."""
    year, month = today.year, today.month - (n - 1)
    while month < 1:
        month += 12
        year -= 1
    start, _ = month_bounds(year, month)
    _, end = month_bounds(today.year, today.month)
    return start, end


def pages(fixture: dict, prepared: dict, *, today: dt.date, search_path: Callable[[], str]) -> list[Page]:
    users = prepared["users"]
    kecamatan = prepared["kecamatan"]
    previous = today.replace(day=1) - dt.timedelta(days=1)
    recap_month = {"period": "month", "month": previous.month, "year": previous.year}
    recap_year = {"period": "year", "year": previous.year}
    month_start, month_end = month_bounds(previous.year, previous.month)
    year_start, year_end = month_bounds(previous.year, None)
    dash_start, dash_end = last_months(today)
    petugas_area = users["petugas_kecamatan"]["kecamatan"]
    deadline = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    search = fixture["child_search"]
    return [
        Page("case_list", "petugas", "/kasus/", list_floor()),
        Page(
            "case_list_filtered",
            "petugas",
            "/kasus/?" + urlencode({"status": "dilaporkan", "kecamatan": kecamatan}),
            list_floor("c.status = 'dilaporkan' AND kel.kecamatan_id = %(kecamatan)s"),
            {"kecamatan": kecamatan},
        ),
        Page(
            "case_list_search",
            "petugas",
            search_path,
            list_floor(
                "EXISTS (SELECT 1 FROM cases_child ch JOIN cases_person p ON p.id = ch.person_id"
                " WHERE ch.case_id = c.id AND UPPER(p.name) LIKE UPPER(%(q)s))"
            ),
            {"q": f"%{search}%"},
        ),
        Page(
            "case_page",
            "petugas",
            f"/kasus/{fixture['case_number']}/",
            CASE_FLOOR,
            {"number": fixture["case_number"]},
        ),
        Page("kader_my_cases", "kader", "/kasus/saya/", MINE_FLOOR, {"kader": users["kader"]["pk"]}),
        Page("kpad_queue", "kpad", "/kasus/kpad/", KPAD_FLOOR, {"deadline": deadline}),
        Page(
            "dashboard_city",
            "petugas",
            "/laporan/",
            [q.format(area="") for q in DASHBOARD_FLOOR],
            {"start": dash_start, "end": dash_end},
        ),
        Page(
            "dashboard_kecamatan",
            "petugas_kecamatan",
            "/laporan/",
            [q.format(area="AND kel.kecamatan_id = %(kecamatan)s") for q in DASHBOARD_FLOOR],
            {"start": dash_start, "end": dash_end, "kecamatan": petugas_area},
        ),
        Page(
            "recap_month",
            "petugas",
            "/laporan/rekap/?" + urlencode(recap_month),
            RECAP_FLOOR,
            {"start": month_start, "end": month_end},
        ),
        Page(
            "recap_year",
            "petugas",
            "/laporan/rekap/?" + urlencode(recap_year),
            RECAP_FLOOR,
            {"start": year_start, "end": year_end},
        ),
        # The current month, just changed by the intakes: its stored counts are stale, so the
        # recap counts it live (reports/facts.py), as it does on any working day.
        Page(
            "recap_month_stale",
            "petugas",
            "/laporan/rekap/?" + urlencode({"period": "month", "month": today.month, "year": today.year}),
            RECAP_FLOOR,
            dict(zip(("start", "end"), month_bounds(today.year, today.month), strict=True)),
            after_intake=True,
        ),
        Page(
            "recap_year_stale",
            "petugas",
            "/laporan/rekap/?" + urlencode({"period": "year", "year": today.year}),
            RECAP_FLOOR,
            dict(zip(("start", "end"), month_bounds(today.year, None), strict=True)),
            after_intake=True,
        ),
        Page(
            "recap_year_xlsx",
            "petugas",
            "/laporan/rekap/unduh.xlsx?" + urlencode(recap_year),
            RECAP_FLOOR,
            {"start": year_start, "end": year_end},
        ),
        Page("cadre_overview", "petugas", "/kader/ikhtisar/", OVERVIEW_FLOOR),
        Page("cadre_roster", "petugas", "/kader/", ROSTER_FLOOR),
        Page(
            "intake_post",
            "kader",
            "/kasus/lapor/",
            INTAKE_FLOOR,
            {"kelurahan": users["kader"]["kelurahan"], "number": fixture["case_number"]},
            method="POST",
            expect=302,
            expect_location="/kasus/",
        ),
    ]


def intake_fields(form_fields: dict, kelurahan: int, today: dt.date) -> dict:
    """A realistic report as the kader's form sends it (tests/cases/test_intake.report_data's
    shape): one child without a NIK, one perpetrator, "a new case" confirmed so the duplicate
    check does not hold the send back. A fresh idempotency key, as send-once.js makes one."""
    fields = {
        **form_fields,
        "idempotency_key": secrets.token_urlsafe(24),
        "incident_date": (today - dt.timedelta(days=2)).isoformat(),
        "incident_time": "19:30",
        "place_type": "rumah_tangga",
        "address": "Jl. Sintetis 1",
        "kelurahan": str(kelurahan),
        "violence_types": ["fisik", "psikis"],
        "protection_category": "",
        "risk": "tinggi",
        "narrative": "Laporan tolok ukur (data sintetis).",
        "source": "kader",
        "reporter_name": "Pelapor Sintetis",
        "reporter_contact": "081200000000",
        "confirm_new": "on",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "20",
        "children-0-name": f"Anak Tolok Ukur {secrets.token_hex(3)}",
        "children-0-sex": "P",
        "children-0-estimated_age": "9",
        "children-0-school_level": "sd",
        "perpetrators-TOTAL_FORMS": "1",
        "perpetrators-INITIAL_FORMS": "0",
        "perpetrators-MIN_NUM_FORMS": "0",
        "perpetrators-MAX_NUM_FORMS": "20",
        "perpetrators-0-relation": "orang_tua",
        "perpetrators-0-sex": "L",
        "perpetrators-0-age": "41",
    }
    return fields


class Floors:
    """psycopg2 straight to the bench database: the floor's SQL with nothing around it."""

    def __init__(self, database_url: str):
        import psycopg2

        parts = urlsplit(database_url)
        self.connection = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname=parts.path.lstrip("/"),
        )
        self.connection.autocommit = True
        self._intake_columns = None

    def version(self) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0].split()[0]

    def time(self, floor: list[str] | str, params: dict) -> float:
        statements = [floor] if isinstance(floor, str) else floor
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if statements == [INTAKE_FLOOR]:
                self._intake(cursor, params)
            else:
                for sql in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    def _intake(self, cursor, params: dict) -> None:
        if self._intake_columns is None:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'cases_case'"
                " AND column_name NOT IN ('id', 'number', 'sequence', 'kelurahan_id', 'reported_at',"
                " 'last_activity_at', 'updated_at')"
            )
            self._intake_columns = ", ".join(row[0] for row in cursor.fetchall())
        cols = self._intake_columns
        cursor.execute("BEGIN")
        try:
            cursor.execute(
                # Column names from the catalogue, values as parameters.
                "INSERT INTO cases_case (number, sequence, kelurahan_id, reported_at, last_activity_at,"  # noqa: S608
                f" updated_at, {cols}) SELECT 'BENCH-FLOOR', 999999, %(kelurahan)s, now(), now(), now(),"
                f" {cols} FROM cases_case WHERE number = %(number)s RETURNING id",
                params,
            )
            case_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO cases_caseviolence (case_id, kind) VALUES (%s, 'fisik'), (%s, 'psikis')",
                [case_id, case_id],
            )
        finally:
            cursor.execute("ROLLBACK")

    def close(self) -> None:
        self.connection.close()


def summarise(name: str, n_cases: int, samples: list[Sample], floors: list[float] | None) -> dict:
    times = [s.app_ms for s in samples]
    return {
        "name": name,
        "n_cases": n_cases,
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        # The most any run needed: a count that varies between runs is shown at its worst.
        "queries": max(s.queries for s in samples),
        "floor_ms": round(percentile(floors, 50), 2) if floors else None,
    }


def sample_of(response, page: Page) -> Sample:
    if response.status != page.expect:
        location = f" -> {response.location}" if response.location else ""
        raise BenchFailed(
            f"{page.name}: {page.method} {response.path} answered {response.status}{location},"
            f" not {page.expect}"
        )
    if page.expect_location and not (urlsplit(response.location or "").path.startswith(page.expect_location)):
        raise BenchFailed(f"{page.name}: redirected to {response.location}, not {page.expect_location}…")
    parsed = parse_header(response.header(HEADER))
    if parsed is None:
        raise BenchFailed(f"{page.name}: no {HEADER} header (is SIGAP_SERVER_TIMING on?)")
    return Sample(parsed[0], parsed[2])


def measure_page(
    client, page: Page, floors: Floors, *, runs: int, today: dt.date, name: str | None = None
) -> tuple:
    from scripts.prodcheck import crawl as web

    samples: list[Sample] = []
    floor_ms: list[float] = []
    for run in range(WARMUPS + runs):
        path = page.path() if callable(page.path) else page.path
        if page.method == "POST":
            form_page = client.get(path)
            if form_page.status != 200:
                raise BenchFailed(f"{page.name}: GET {path} (the form) answered {form_page.status}")
            form = next(
                (
                    f
                    for f in web.parse(form_page).forms
                    if f.method == "post" and "children-TOTAL_FORMS" in f.fields
                ),
                None,
            )
            if form is None:
                raise BenchFailed(f"{page.name}: no report form on {path}")
            fields = intake_fields(form.fields, page.floor_params["kelurahan"], today)
            response = client.request(
                "POST",
                path,
                body=urlencode(fields, doseq=True).encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": client.origin,
                    "Referer": client.origin + path,
                },
            )
        else:
            response = client.get(path)
        sample = sample_of(response, page)
        floor = floors.time(page.floor, page.floor_params) if page.floor is not None else None
        if run >= WARMUPS:
            samples.append(sample)
            if floor is not None:
                floor_ms.append(floor)
    return samples, floor_ms


# --- the stack ---------------------------------------------------------------------------


def start_web(folder: Path, database_url: str, *, port: int, redis_url: str):
    """Compose's web command through scripts/prodcheck's Stack, DEBUG off, with Server-Timing on."""
    from scripts.prodcheck import __main__ as prodcheck
    from scripts.prodcheck import crawl as web
    from scripts.prodcheck import stack

    s = prodcheck.Stack(folder, database_url)
    s.web_port = port
    # prodcheck's operator values, but the export threshold left at its default (prodcheck
    # lowers it to make a job of a few rows) and the host named for the bench.
    values = {**prodcheck.OPERATOR_VALUES, "DJANGO_ALLOWED_HOSTS": HOST, "SIGAP_BASE_URL": f"https://{HOST}"}
    values.pop("SIGAP_EXPORT_SYNC_MAX_ROWS", None)
    prodcheck_values = prodcheck.OPERATOR_VALUES
    prodcheck.OPERATOR_VALUES = values
    try:
        command, env = s.service(
            "web",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            FORWARDED_ALLOW_IPS="192.0.2.1",
            SIGAP_SERVER_TIMING="1",
            # Long enough for the slowest page of a large database; the bench reports it.
            GUNICORN_TIMEOUT="120",
        )
        _, job_env = s.service("worker", DATABASE_URL=database_url, REDIS_URL="", CELERY_BROKER_URL="")
    finally:
        prodcheck.OPERATOR_VALUES = prodcheck_values
    process = s.processes.start("web", command, env)
    plain = web.Client(port, HOST, secure=False)

    def up() -> bool:
        if not process.alive():
            raise BenchFailed(
                f"the web command exited ({process.popen.returncode}):\n{process.output()[-3000:]}"
            )
        try:
            return plain.get("/healthz").status == 200
        except OSError:
            return False

    stack.wait_for(up, timeout=300, interval=0.5, what="web (migrate, collectstatic, gunicorn)")
    # The jobs: the worker's environment (DEBUG off), but tasks eager and mail kept in memory,
    # so that the mail a job sends is work done, and counted, inside it.
    job_env.update({"CELERY_BROKER_URL": "", "REDIS_URL": "", "EMAIL_URL": "memorymail://"})
    return s, job_env


def run_module(args: list[str], env: dict, *, timeout: float) -> dict:
    result = subprocess.run(  # noqa: S603 - this package's own module
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BenchFailed(f"python -m {' '.join(args)} exited {result.returncode}")
    return json.loads(result.stdout)


def log_in_all(port: int, accounts: dict) -> dict:
    from scripts.prodcheck import crawl as web

    clients = {}
    for role, account in accounts.items():
        client = web.Client(port, HOST)
        web.log_in(client, account, login_path="/akun/masuk/")
        clients[role] = client
    return clients


def search_token_path(client, text: str) -> str:
    """The search is POSTed (no child's name in a URL) and kept in the session: the list is
    then at ?s=<token>, which is what the bench times."""
    from scripts.prodcheck import crawl as web

    page = client.get("/kasus/")
    form = next(
        (f for f in web.parse(page).forms if f.method == "post" and "q" in {i.get("name") for i in f.inputs}),
        None,
    )
    if form is None:
        raise BenchFailed("case_list_search: no search form on /kasus/")
    fields = {**form.fields, "q": text, "idempotency_key": secrets.token_urlsafe(24)}
    response = client.post("/kasus/", fields, referer="/kasus/")
    if response.status != 302 or not response.location:
        raise BenchFailed(f"case_list_search: the search POST answered {response.status}")
    return client.local(response.location, "/kasus/")


def run(
    database_url: str,
    *,
    runs: int = 15,
    fixture_path: Path = FIXTURE,
    port: int = DEFAULT_PORT,
    redis_url: str = DEFAULT_REDIS,
    only: list[str] | None = None,
    jobs: bool = True,
    log=print,
) -> list[dict]:
    fixture = json.loads(fixture_path.read_text())
    n_cases = fixture["n_cases"]
    folder = Path(tempfile.mkdtemp(prefix="sigap-bench-"))
    floors = Floors(database_url)
    machine = machine_info(floors.version())
    log(f"== bench: {n_cases:,} cases, {runs} runs after {WARMUPS} warm-ups; logs in {folder}")
    s, job_env = start_web(folder, database_url, port=port, redis_url=redis_url)
    results: list[dict] = []
    try:
        prepared = run_module(["bench.jobs", "prepare", str(fixture_path)], job_env, timeout=3600)
        clients = log_in_all(port, prepared["accounts"])
        today = dt.datetime.now(PONTIANAK).date()
        search = {}

        def search_path() -> str:
            if "path" not in search:
                search["path"] = search_token_path(clients["petugas"], fixture["child_search"])
            return search["path"]

        wanted = pages(fixture, prepared, today=today, search_path=search_path)
        by_name = {p.name: p for p in wanted}
        for page in wanted:
            if (only and page.name not in only) or page.after_intake:
                continue
            samples, floor_ms = measure_page(clients[page.role], page, floors, runs=runs, today=today)
            row = summarise(page.name, n_cases, samples, floor_ms)
            results.append(row)
            log(
                f"  {page.name:<28} p50 {fmt_ms(row['p50_ms']):>7} ms  {row['queries']:>3} queries"
                f"  floor {fmt_ms(row['floor_ms'])} ms"
            )
        for page in [p for p in wanted if p.after_intake]:
            if (only and page.name not in only) or "intake_post" not in [r["name"] for r in results]:
                continue
            samples, floor_ms = measure_page(clients[page.role], page, floors, runs=runs, today=today)
            row = summarise(page.name, n_cases, samples, floor_ms)
            results.append(row)
            log(f"  {page.name:<28} p50 {fmt_ms(row['p50_ms']):>7} ms  {row['queries']:>3} queries")
        if jobs:
            log("  jobs (eager tasks, mail in memory) ...")
            done = run_module(["bench.jobs", "run", str(fixture_path)], job_env, timeout=6 * 3600)
            for job in [*prepared.get("jobs", []), *done["jobs"]]:
                results.append(
                    {
                        "name": job["name"],
                        "n_cases": n_cases,
                        "p50_ms": job["wall_ms"],
                        "p95_ms": job["wall_ms"],
                        "queries": job["queries"],
                        "floor_ms": None,
                    }
                )
                log(
                    f"  {job['name']:<28} {job['wall_ms'] / 1000:.1f} s  {job['queries']} queries"
                    f"  {job['emails']} emails  {job['detail']}"
                )
            # The swept database is the steady state: the queue and the dashboard again.
            for name, after in (
                ("kpad_queue", "kpad_queue_after_sweep"),
                ("dashboard_city", "dashboard_city_after_sweep"),
            ):
                page = by_name[name]
                if only and name not in only:
                    continue
                samples, floor_ms = measure_page(clients[page.role], page, floors, runs=runs, today=today)
                results.append(summarise(after, n_cases, samples, floor_ms))
    finally:
        s.stop()
        floors.close()
    merged = write_results(results, machine)
    log("")
    log(text_table([r for r in merged if r["n_cases"] == n_cases]))
    log(f"\nwrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    return results
