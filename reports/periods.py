"""A report's period: whole months in the city's time, from the first to the last (both included).

The dashboard takes a range of months or a year, the recap a month or a year: the same
Period, so both bound their queries the same way (``>= start`` and ``< end``, Pontianak
midnights from core.time).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone

from core.time import day_start


def add_months(month: dt.date, n: int) -> dt.date:
    """The 1st of the month ``n`` months after (or before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (both the 1st of a month), both included."""

    first: dt.date
    last: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(first=dt.date(year, month, 1), last=dt.date(year, month, 1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(first=dt.date(year, 1, 1), last=dt.date(year, 12, 1))

    @classmethod
    def last_months(cls, n: int = 12, *, today: dt.date | None = None) -> Period:
        """The last ``n`` months, this one included."""
        this_month = (today or timezone.localdate()).replace(day=1)
        return cls(first=add_months(this_month, -(n - 1)), last=this_month)

    @property
    def first_day(self) -> dt.date:
        return self.first

    @property
    def last_day(self) -> dt.date:
        return self.last.replace(day=calendar.monthrange(self.last.year, self.last.month)[1])

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (aware, city time)."""
        return day_start(self.first)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (aware, city time): filter with ``< end``."""
        return day_start(add_months(self.last, 1))

    @property
    def months(self) -> list[dt.date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, i) for i in range(count)]

    @property
    def is_whole_year(self) -> bool:
        return self.first.year == self.last.year and self.first.month == 1 and self.last.month == 12

    @property
    def slug(self) -> str:
        """For file names: 2025, 2025-03, or 2025-03_2026-02."""
        if self.is_whole_year:
            return str(self.first.year)
        first, last = f"{self.first:%Y-%m}", f"{self.last:%Y-%m}"
        return first if first == last else f"{first}_{last}"

    @property
    def label(self) -> str:
        """2025, Maret 2025, or Maret 2025 – Februari 2026 (in the reader's language)."""
        if self.is_whole_year:
            return str(self.first.year)
        first = formats.date_format(self.first, "F Y")
        last = formats.date_format(self.last, "F Y")
        return first if first == last else f"{first} – {last}"
