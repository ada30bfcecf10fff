"""Forms of the recap and the exports: which period and area, which export and how."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from cases.models import Status
from kelurahan.models import Kecamatan
from kelurahan.selectors import kelurahan_visible_to
from training.selectors import trainings_for_choice

from .models import ExportJob
from .periods import Period
from .selectors import export_kinds_for

FIRST_YEAR = 2017  # the first cadre cohort; no case in SIGAP predates it


def kecamatan_for(user):
    """The kecamatan a user may choose: those holding a kelurahan in their area."""
    ids = kelurahan_visible_to(user=user).values("kecamatan_id")
    return Kecamatan.objects.filter(pk__in=ids).order_by("code")


def area_label(*, user, kecamatan) -> str:
    if kecamatan is not None:
        return str(_("Kecamatan %(name)s") % {"name": kecamatan.common_name})
    if getattr(user, "kecamatan_id", None):
        return str(_("Kecamatan %(name)s") % {"name": user.kecamatan.common_name})
    return str(_("Kota Pontianak (whole city)"))


class RecapFilterForm(forms.Form):
    PERIOD_MONTH = "month"
    PERIOD_YEAR = "year"

    period = forms.ChoiceField(
        label=_("Recap per"),
        choices=[(PERIOD_MONTH, _("Month")), (PERIOD_YEAR, _("Year"))],
        initial=PERIOD_MONTH,
    )
    month = forms.TypedChoiceField(
        label=_("Month"), choices=sorted(MONTHS.items()), coerce=int, required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.none(),
        required=False,
        empty_label=_("All kecamatan"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["kecamatan"].queryset = kecamatan_for(user)
        self.user = user

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {"period": cls.PERIOD_MONTH, "month": today.month, "year": today.year}

    def clean(self):
        data = super().clean()
        if data.get("period") == self.PERIOD_MONTH and not data.get("month"):
            self.add_error("month", _("Choose the month of the recap."))
        return data

    def get_period(self) -> Period:
        data = self.cleaned_data
        month = data.get("month") if data["period"] == self.PERIOD_MONTH else None
        return Period.month(data["year"], month) if month else Period.year(data["year"])

    def audit_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "period": self.get_period().slug,
            "kecamatan": data["kecamatan"].code if data.get("kecamatan") else None,
        }


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to export"), widget=forms.RadioSelect)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportJob.Format.choices,
        initial=ExportJob.Format.XLSX,
        widget=forms.RadioSelect,
    )
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.none(),
        required=False,
        empty_label=_("All kecamatan"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Status.choices], required=False
    )
    training = forms.ModelChoiceField(
        label=_("Training"), queryset=None, required=False, empty_label=_("All trainings")
    )
    reason = forms.CharField(
        label=_("Reason for exporting identities"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for the case list with identities. It is recorded in the audit log."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = export_kinds_for(user)
        self.fields["kind"].choices = [(k, label) for k, label in ExportJob.Kind.choices if k in allowed]
        self.fields["kind"].initial = ExportJob.Kind.CASES
        self.fields["kecamatan"].queryset = kecamatan_for(user)
        self.fields["training"].queryset = trainings_for_choice()
        if ExportJob.Kind.CASES_IDENTIFIED not in allowed:
            del self.fields["reason"]
        if ExportJob.Kind.ATTENDANCE not in allowed:
            del self.fields["training"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ExportJob.Kind.CASES_IDENTIFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you need the children's identities."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def params(self) -> dict:
        """The chosen filters as JSON, relevant to the kind only. Never any child data."""
        data = self.cleaned_data
        kind = data["kind"]
        params: dict = {}
        if kind in (ExportJob.Kind.CASES, ExportJob.Kind.CASES_IDENTIFIED):
            if data.get("date_from"):
                params["date_from"] = data["date_from"].isoformat()
            if data.get("date_to"):
                params["date_to"] = data["date_to"].isoformat()
            if data.get("status"):
                params["status"] = data["status"]
        if kind in (ExportJob.Kind.CASES, ExportJob.Kind.CASES_IDENTIFIED, ExportJob.Kind.CADRES):
            if data.get("kecamatan"):
                params["kecamatan"] = data["kecamatan"].pk
        if kind == ExportJob.Kind.ATTENDANCE and data.get("training"):
            params["training"] = data["training"].pk
        return params
