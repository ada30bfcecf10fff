"""Forms for trainings. Bad input gets a message at its field."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kelurahan.models import Kelurahan

from .models import AgendaItem, Participant, TrainingDay

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_dates(text: str) -> list[dt.date]:
    dates = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        for fmt in DATE_FORMATS:
            try:
                dates.append(dt.datetime.strptime(token, fmt).date())  # noqa: DTZ007 - a date, no time
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(
                _("“%(value)s” is not a date. Write dates as DD/MM/YYYY, one per line."),
                params={"value": token[:20]},
                code="invalid_date",
            )
    return sorted(set(dates))


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    organiser = forms.CharField(label=_("Organiser"), max_length=255)
    venue = forms.CharField(label=_("Venue"), max_length=255)
    dates = forms.CharField(
        label=_("Days"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date per line, as DD/MM/YYYY (e.g. 23/11/2022)."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_dates(self) -> list[dt.date]:
        dates = parse_dates(self.cleaned_data["dates"])
        if not dates:
            raise forms.ValidationError(_("Give at least one day."), code="required")
        if len(dates) > 31:
            raise forms.ValidationError(_("A training has at most 31 days."), code="too_many")
        return dates

    @staticmethod
    def initial_for(training) -> dict:
        return {
            "title": training.title,
            "organiser": training.organiser,
            "venue": training.venue,
            "description": training.description,
            "dates": "\n".join(f"{d.date:%d/%m/%Y}" for d in training.days.all()),
        }


class AgendaItemForm(forms.ModelForm):
    day = forms.ModelChoiceField(label=_("Day"), queryset=TrainingDay.objects.none(), empty_label=None)

    class Meta:
        model = AgendaItem
        fields = ["day", "start_time", "end_time", "topic", "resource_person"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, training, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].queryset = training.days.all()
        self.fields["day"].label_from_instance = lambda d: f"{d.date:%d/%m/%Y}"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end must be after the start."))
        return cleaned


class CadreSearchForm(forms.Form):
    q = forms.CharField(label=_("Search cadres by name"), max_length=60, required=False)


class CadreBulkAddForm(forms.Form):
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.select_related("kecamatan").order_by("common_name"),
        required=False,
    )
    cohort = forms.IntegerField(label=_("Cohort"), min_value=2000, max_value=2100, required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("kelurahan") is None and cleaned.get("cohort") is None:
            raise forms.ValidationError(_("Choose a kelurahan, a cohort, or both."), code="no_filter")
        return cleaned


class KpadAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("KPAD member"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Guest's name"), max_length=120)
    institution = forms.CharField(label=_("Institution"), max_length=255, required=False)


class ScoreForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["pre_score", "post_score"]
        widgets = {
            "pre_score": forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
            "post_score": forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
        }


ScoreFormSet = modelformset_factory(Participant, form=ScoreForm, extra=0, can_delete=False)


class CohortForm(forms.Form):
    year = forms.IntegerField(label=_("Cohort year"), min_value=2000, max_value=2100)

    @staticmethod
    def default_year(training) -> int:
        first = training.days.order_by("date").first()
        return first.date.year if first else timezone.localdate().year


class CertificateCodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=16)
