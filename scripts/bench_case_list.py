"""Benchmark of the case list's queries on PostgreSQL (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench \\
        .venv/bin/python scripts/bench_case_list.py --cases 200000

Migrates the database, makes the demo users, tops the cases up to --cases with the synthetic
generator of cases/demo.py (bulk inserts), then times the list's main queries as the view
builds them (first page of 50 + 1, rows and their prefetches) for a city-wide petugas, and
prints each query's median time and the top of its EXPLAIN ANALYZE plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000, help="how many cases the database should hold")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (the median is shown)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark is for PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("demo_data", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115

    from accounts.models import Role, User
    from cases import demo
    from cases.models import Case, Child
    from cases.views import lists

    have = Case.objects.count()
    if have < args.cases:
        missing = args.cases - have
        print(f"Generating {missing} synthetic cases ...", flush=True)
        started = time.perf_counter()
        demo.bulk_demo_cases(missing, batch_size=5000, progress=lambda n: print(f"  {n}", flush=True))
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"Cases: {Case.objects.count()}, children: {Child.objects.count()}")

    petugas = User.objects.filter(role=Role.PETUGAS, kecamatan=None).first()
    some = Case.objects.order_by("?").first()
    kid = Child.objects.select_related("person").exclude(person__nik="").order_by("?").first()
    worker = Case.objects.exclude(case_worker=None).values_list("case_worker", flat=True).first()
    base = lists.cases_visible_to(user=petugas).order_by("-reported_at", "-id")
    from kelurahan.models import Kecamatan, Kelurahan

    kel = Kelurahan.objects.order_by("code").first()
    kec = Kecamatan.objects.order_by("code").last()
    today = __import__("django.utils.timezone", fromlist=["x"]).localdate()
    import datetime as dt

    scenarios = {
        "unfiltered, first page": base,
        "unfiltered, page 20": ("page", base, 20),
        "status=dilaporkan": lists.apply_filters(base, {"status": "dilaporkan"}),
        "jenis=trafficking": lists.apply_filters(base, {"jenis": "trafficking"}),
        "kecamatan": lists.apply_filters(base, {"kecamatan": kec}),
        "kelurahan": lists.apply_filters(base, {"kelurahan": kel}),
        "risk=kritis": lists.apply_filters(base, {"risk": "kritis"}),
        "period (last 30 days)": lists.apply_filters(
            base, {"date_from": today - dt.timedelta(days=30), "date_to": today}
        ),
        "period (a month 2 years ago)": lists.apply_filters(
            base, {"date_from": today - dt.timedelta(days=760), "date_to": today - dt.timedelta(days=730)}
        ),
        "case worker": lists.apply_filters(base, {"worker": worker}),
        "escalated": lists.apply_filters(base, {"escalated": "1"}),
        "not escalated": lists.apply_filters(base, {"escalated": "0"}),
        "online prostitution": lists.apply_filters(base, {"online_prostitution": True}),
        "status=dilaporkan + kelurahan + risk=tinggi": lists.apply_filters(
            base, {"status": "dilaporkan", "kelurahan": kel, "risk": "tinggi"}
        ),
        "search: exact number": lists.apply_search(base, some.number),
        "search: number prefix": lists.apply_search(base, some.number[:-2]),
        "search: NIK": lists.apply_search(base, kid.person.nik),
        "search: name (part, rare)": lists.apply_search(base, kid.person.name.split()[0][:5]),
        "search: name (full)": lists.apply_search(base, kid.person.name),
    }
    size = lists.PAGE_SIZE
    print(f"\n{'query':<46} {'median ms':>10} {'rows':>5}  plan")
    for label, qs in scenarios.items():
        page = 1
        if isinstance(qs, tuple):
            _, qs, page = qs
        sliced = qs[(page - 1) * size : page * size + 1]
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = lists.case_rows(list(lists.with_row_data(sliced)))
            timings.append((time.perf_counter() - started) * 1000)
        plan = sliced.explain(analyze=True).splitlines()
        top = " | ".join(line.strip() for line in plan[:3])
        total = next((line for line in plan if line.startswith("Execution Time")), "")
        print(f"{label:<46} {statistics.median(timings):>10.1f} {len(rows):>5}  [{total}] {top[:160]}")


if __name__ == "__main__":
    main()
