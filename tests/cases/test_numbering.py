"""Case numbers: unique and contiguous per year under concurrent intake (PostgreSQL), the year
boundary in Asia/Pontianak, and the demo generator's reserved blocks."""

import datetime as dt
import re
import threading
import zoneinfo

import pytest
from django.db import connection, connections

from cases import demo
from cases.models import Case, CaseNumberSequence
from tests import factories as f

WIB = zoneinfo.ZoneInfo("Asia/Pontianak")
THREADS, PER_THREAD = 8, 10

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) and real concurrent connections need PostgreSQL; "
    "SQLite serialises every writer",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_gives_unique_contiguous_numbers_to_concurrent_intakes():
    f.ensure_regions()  # a transactional test starts without the migration's regions
    reporter = f.PetugasFactory(username="petugas_serentak")
    start = threading.Barrier(THREADS)
    errors = []

    def intake():
        try:
            start.wait()
            for _ in range(PER_THREAD):
                f.make_case(actor=reporter)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=intake) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    year = Case.objects.values_list("year", flat=True).first()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == THREADS * PER_THREAD
    assert all(re.fullmatch(rf"SGP-{year}-\d{{5}}", n) for n in numbers)
    assert sorted(Case.objects.values_list("sequence", flat=True)) == list(range(1, THREADS * PER_THREAD + 1))
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, THREADS * PER_THREAD + 1))
    assert CaseNumberSequence.objects.get(year=year).last == THREADS * PER_THREAD


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_numbers_unique_when_a_bulk_demo_load_runs_beside_intakes():
    f.ensure_regions()  # a transactional test starts without the migration's regions
    reporter = f.PetugasFactory(username="petugas_serentak")
    start = threading.Barrier(3)
    errors = []

    def intakes():
        try:
            start.wait()
            for _ in range(15):
                f.make_case(actor=reporter)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    def bulk():
        try:
            start.wait()
            demo.bulk_demo_cases(60, batch_size=10, years=0.01, seed=1)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=intakes),
        threading.Thread(target=intakes),
        threading.Thread(target=bulk),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for year in set(Case.objects.values_list("year", flat=True)):
        sequences = sorted(Case.objects.filter(year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
    assert Case.objects.count() == 90


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "number"),
    [
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=WIB), "SGP-2026-00002"),
        (dt.datetime(2027, 1, 1, 0, 0, tzinfo=WIB), "SGP-2027-00001"),
        # 17:00 UTC on 31 December is already midnight in Pontianak (UTC+7).
        (dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), "SGP-2027-00001"),
    ],
)
def test_it_numbers_by_the_year_in_pontianak_and_restarts_each_year(moment, number):
    reporter = f.PetugasFactory(username="petugas_tahun")
    f.make_case(actor=reporter, now=dt.datetime(2026, 6, 1, 9, 0, tzinfo=WIB))
    case = f.make_case(actor=reporter, now=moment)
    assert case.number == number
    assert case.year == int(number[4:8])


@pytest.mark.django_db
def test_it_continues_the_years_numbers_after_a_bulk_load():
    reporter = f.PetugasFactory(username="petugas_blok")
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=WIB)
    f.make_case(actor=reporter, now=now)
    from django.db import transaction

    with transaction.atomic():
        first = demo.reserve_case_numbers(year=2026, count=25)
    assert first == 2
    assert f.make_case(actor=reporter, now=now).number == "SGP-2026-00027"
