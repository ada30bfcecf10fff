"""A report's period: the same for the dashboard and the recap."""

import datetime as dt

from django.utils import translation

from reports.periods import Period

UTC = dt.UTC


def test_a_month_is_bounded_by_pontianak_midnights():
    march = Period.month(2025, 3)
    assert march.start == dt.datetime(2025, 2, 28, 17, tzinfo=UTC)
    assert march.end == dt.datetime(2025, 3, 31, 17, tzinfo=UTC)
    assert (march.first_day, march.last_day) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def test_a_year_and_a_range_of_months():
    assert Period.year(2024).last_day == dt.date(2024, 12, 31)
    assert len(Period.year(2024).months) == 12
    span = Period(first=dt.date(2025, 11, 1), last=dt.date(2026, 2, 1))
    assert span.months == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_the_last_twelve_months_include_this_one():
    assert Period.last_months(12, today=dt.date(2026, 3, 15)) == Period(
        first=dt.date(2025, 4, 1), last=dt.date(2026, 3, 1)
    )


def test_labels_and_file_names():
    with translation.override("id"):
        assert Period.month(2025, 3).label == "Maret 2025"
        assert (
            Period(first=dt.date(2025, 11, 1), last=dt.date(2026, 2, 1)).label
            == "November 2025 – Februari 2026"
        )
    assert Period.year(2025).label == "2025"
    assert Period.month(2025, 3).slug == "2025-03"
    assert Period.year(2025).slug == "2025"
    assert Period(first=dt.date(2025, 11, 1), last=dt.date(2026, 2, 1)).slug == "2025-11_2026-02"
