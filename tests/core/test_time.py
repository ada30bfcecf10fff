"""A Pontianak day: where it begins and ends, whatever the server's own clock says."""

import datetime as dt

from core.time import at_local_time, day_bounds, day_start, local_date, today_start

UTC = dt.UTC


def test_a_day_starts_at_pontianak_midnight():
    assert day_start(dt.date(2026, 3, 1)) == dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC)


def test_day_bounds_cover_whole_days_both_included():
    start, end = day_bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert start == dt.datetime(2026, 2, 28, 17, tzinfo=UTC)
    assert end == dt.datetime(2026, 3, 31, 17, tzinfo=UTC)
    assert day_bounds(dt.date(2026, 3, 1)) == (start, dt.datetime(2026, 3, 1, 17, tzinfo=UTC))


def test_just_after_midnight_in_pontianak_is_already_the_next_day():
    moment = dt.datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2 March in Pontianak
    assert local_date(moment) == dt.date(2026, 3, 2)
    assert today_start(moment) == dt.datetime(2026, 3, 1, 17, tzinfo=UTC)


def test_a_local_time_on_a_day_is_an_aware_instant():
    assert at_local_time(dt.date(2026, 3, 1), dt.time(9, 0)) == dt.datetime(2026, 3, 1, 2, tzinfo=UTC)
