"""Days in the city's time: where a Pontianak day begins and ends, whatever the server's clock.

A period of whole days (a filter "from 1 to 31 March", a reminder "once a day") is bounded
by instants, so that queries on a ``DateTimeField`` keep their index: ``>= day_start(first)``
and ``< day_start(last + 1 day)``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def city_zone() -> ZoneInfo:
    """The city's time zone (settings.TIME_ZONE: Asia/Pontianak)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The city's date at ``moment`` (now by default)."""
    return timezone.localtime(moment or timezone.now(), city_zone()).date()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the city, as an aware instant."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=city_zone())


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of the days ``first`` to ``last`` (both included; one day by default)."""
    return day_start(first), day_start((last or first) + dt.timedelta(days=1))


def today_start(moment: dt.datetime | None = None) -> dt.datetime:
    """Midnight at the start of the city's day that holds ``moment`` (now by default)."""
    return day_start(local_date(moment))


def at_local_time(day: dt.date, time: dt.time) -> dt.datetime:
    """An aware instant: ``time`` o'clock on ``day`` in the city."""
    return dt.datetime.combine(day, time, tzinfo=city_zone())
