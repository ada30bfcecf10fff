"""The kader's outreach form (phone first)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kelurahan.models import Kelurahan

from .models import Outreach


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Kelurahan) -> str:
        return f"{obj.common_name} — {obj.kecamatan.common_name}"


class OutreachForm(forms.ModelForm):
    kelurahan = KelurahanChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.select_related("kecamatan").order_by("common_name"),
        help_text=_("Where it took place. Your own kelurahan unless it was elsewhere."),
    )
    people_reached = forms.IntegerField(
        label=_("People reached"),
        min_value=0,
        max_value=100_000,
        error_messages={"min_value": _("The number of people reached cannot be negative.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )

    class Meta:
        model = Outreach
        fields = ["kind", "date", "kelurahan", "note", "people_reached"]
        widgets = {
            "kind": forms.RadioSelect,
            "date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        }
        help_texts = {"note": _("What you did, in a sentence or two. No child's name.")}

    def __init__(self, *args, cadre=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["kind"].choices = Outreach.Kind.choices  # no empty choice for radio buttons
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        if not self.is_bound:
            self.initial.setdefault("date", today)
            if cadre is not None:
                self.initial.setdefault("kelurahan", cadre.kelurahan_id)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date
