"""How long each kind of record is kept (settings, README "Privacy duties"), and from when.

A completed case is kept SIGAP_RETENTION_CASE_YEARS after it was closed, a case closed without
follow-up (unfounded, a duplicate) SIGAP_RETENTION_UNFOUNDED_CASE_YEARS, an intake draft that was
never sent SIGAP_RETENTION_DRAFT_DAYS after it was last touched. The audit log, the registers of
subject requests and breaches, and the destruction lists themselves are kept: they carry no
child's identity and are the Dinas' proof that it kept the law.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.models import Status

from .models import RecordType


@dataclass(frozen=True)
class Retention:
    record_type: str
    setting: str
    unit: str  # "years" or "days"
    runs_from: str  # what the period is counted from, for people
    case_status: str | None = None  # the closed status of a case type

    @property
    def label(self):
        return RecordType(self.record_type).label

    @property
    def amount(self) -> int:
        return int(getattr(settings, self.setting))

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records whose period started before this moment are due."""
        if self.unit == "years":
            return now - relativedelta(years=self.amount)
        return now - dt.timedelta(days=self.amount)

    def due_on(self, since: dt.datetime) -> dt.date:
        if self.unit == "years":
            return (since + relativedelta(years=self.amount)).date()
        return (since + dt.timedelta(days=self.amount)).date()


RETENTIONS: tuple[Retention, ...] = (
    Retention(
        RecordType.CASE_COMPLETED,
        "SIGAP_RETENTION_CASE_YEARS",
        "years",
        _("the case's closure"),
        case_status=Status.SELESAI,
    ),
    Retention(
        RecordType.CASE_UNFOUNDED,
        "SIGAP_RETENTION_UNFOUNDED_CASE_YEARS",
        "years",
        _("the case's closure"),
        case_status=Status.DITUTUP,
    ),
    Retention(RecordType.DRAFT, "SIGAP_RETENTION_DRAFT_DAYS", "days", _("the draft's last change")),
)
BY_TYPE = {r.record_type: r for r in RETENTIONS}
