"""The report filter shared by the dashboard and the recap: a period and, optionally, a kecamatan.

The period is either a whole year or a range of months (by default the last 12 months,
this one included), always in the city's time zone (Asia/Pontianak). The kecamatan choices
are those of the user's area, so a kecamatan-limited petugas can only pick their own.
The filter carries no identity data and travels in the query string (bookmarkable).
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kelurahan.models import Kecamatan
from kelurahan.selectors import kelurahan_visible_to

from .periods import Period, add_months

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2017  # the first cadre cohort: nothing older is reported in SIGAP
MAX_MONTHS = 120


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's <input type="month">), cleaned to the 1st of the month."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-01.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or year < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.date(year, month, 1)


class ReportFilterForm(forms.Form):
    """Period (a year, or a range of months) and an optional kecamatan within the user's area.

    Bind it to ``request.GET``; ``period`` and ``chosen_kecamatan`` then give what to report on.
    An invalid filter keeps its errors at the fields and reports on the default period.
    """

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("Until month"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False
    )

    default_months = 12

    def __init__(self, *args, user, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()
        years = range(self.today.year, FIRST_YEAR - 1, -1)
        self.fields["year"].choices = [("", _("By month"))] + [(y, str(y)) for y in years]
        self.fields["kecamatan"].queryset = Kecamatan.objects.filter(
            pk__in=kelurahan_visible_to(user=user).values("kecamatan")
        ).order_by("common_name")
        self.fields["kecamatan"].empty_label = _("All kecamatan in my area")
        default = Period.last_months(self.default_months, today=self.today)
        self.fields["start"].widget.attrs["max"] = self.today.strftime("%Y-%m")
        self.fields["end"].widget.attrs["max"] = self.today.strftime("%Y-%m")
        self.fields["start"].help_text = _("Empty: %(month)s.") % {
            "month": formats.date_format(default.first, "F Y")
        }
        self.fields["end"].help_text = _("Empty: this month.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("year") is None and (start or end):
            default = Period.last_months(self.default_months, today=self.today)
            if start and not end:
                end = max(start, default.last)
            if end and not start:
                start = add_months(end, -(self.default_months - 1))
            if start > end:
                self.add_error("end", _("The end of the period cannot be before its start."))
            elif len(Period(first=start, last=end).months) > MAX_MONTHS:
                self.add_error("start", _("Choose a period of at most ten years."))
            else:
                cleaned["start"], cleaned["end"] = start, end
        return cleaned

    @property
    def period(self) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("year"):
            return Period.year(data["year"])
        if data.get("start") and data.get("end"):
            return Period(first=data["start"], last=data["end"])
        return Period.last_months(self.default_months, today=self.today)

    @property
    def chosen_kecamatan(self) -> Kecamatan | None:
        return self.cleaned_data.get("kecamatan") if self.is_valid() else None
