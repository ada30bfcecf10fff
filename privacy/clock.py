"""The 3 x 24-hour clocks of UU 27/2022: a subject's request answered, a breach notified.

One shape for both, so a petugas reads them alike wherever they appear (the registers, the
start page): running, due within a day (amber), overdue (red), or done (on time or late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SOON = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Clock:
    state: str  # running | soon | overdue | done | late
    due_at: dt.datetime
    text: str

    @property
    def badge(self) -> str:
        return {
            "running": "text-bg-secondary",
            "soon": "text-bg-warning",
            "overdue": "text-bg-danger",
            "done": "text-bg-success",
            "late": "text-bg-dark",
        }[self.state]

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def _span(delta: dt.timedelta) -> tuple[int, str]:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return minutes, "minutes"
    return minutes // 60, "hours"


def clock(*, due_at: dt.datetime, done_at: dt.datetime | None, now: dt.datetime) -> Clock:
    if done_at is not None:
        if done_at <= due_at:
            return Clock("done", due_at, _("Done in time"))
        return Clock("late", due_at, _("Done late"))
    if now > due_at:
        amount, unit = _span(now - due_at)
        if unit == "minutes":
            text = ngettext("%(n)d minute overdue", "%(n)d minutes overdue", amount) % {"n": amount}
        else:
            text = ngettext("%(n)d hour overdue", "%(n)d hours overdue", amount) % {"n": amount}
        return Clock("overdue", due_at, text)
    amount, unit = _span(due_at - now)
    if unit == "minutes":
        text = ngettext("%(n)d minute left", "%(n)d minutes left", amount) % {"n": amount}
    else:
        text = ngettext("%(n)d hour left", "%(n)d hours left", amount) % {"n": amount}
    return Clock("soon" if due_at - now <= SOON else "running", due_at, text)


def request_clock(row, now: dt.datetime) -> Clock:
    """A data subject's request: answered (or refused with reasons) within the hours."""
    return clock(due_at=row.due_at, done_at=row.answered_at, now=now)


def breach_clock(breach, now: dt.datetime) -> Clock:
    """A breach: done when both the subjects and the authority have been notified."""
    done = max(breach.subjects_notified_at, breach.authority_notified_at) if breach.notices_done else None
    return clock(due_at=breach.due_at, done_at=done, now=now)
