"""What a petugas types into the privacy pages, checked at the field (Indonesian messages)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case

from .models import Breach, SubjectRequest

TEXT_MAX = 4000
SKEW = dt.timedelta(minutes=5)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _moment(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=help_text,
    )


def _not_future(value):
    if value and value > timezone.now() + SKEW:
        raise forms.ValidationError(_("This time is in the future."))
    return value


def _text(label, *, required=True, rows=3, max_length=TEXT_MAX, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class LegalHoldForm(forms.Form):
    reason = _text(
        _("Why must this case be kept?"),
        rows=2,
        max_length=1000,
        help_text=_("For example the court case or the police inquiry that needs it."),
    )
    reference = forms.CharField(label=_("Court or police reference"), max_length=120, required=False)


class LiftHoldForm(forms.Form):
    lift_reason = _text(_("Why is the hold lifted?"), rows=2, max_length=1000)


class DecisionForm(forms.Form):
    APPROVE = "approve"
    REJECT = "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: destroy these records")), (REJECT, _("Reject: keep them for now"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note"), required=False, rows=2, max_length=1000)
    confirm = forms.BooleanField(
        label=_("I have checked the list; no record on it is still needed."),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE and not data.get("confirm"):
            self.add_error("confirm", _("Confirm that you have checked the list before approving it."))
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the list is rejected."))
        return data


class SubjectRequestForm(forms.ModelForm):
    received_at = _moment(
        _("Received at"),
        help_text=_("When the request reached the Dinas; the 3 x 24-hour clock starts here."),
    )

    class Meta:
        model = SubjectRequest
        fields = [
            "kind",
            "requester_name",
            "requester_relation",
            "requester_contact",
            "case_number",
            "details",
            "received_at",
        ]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        self.fields["details"].max_length = TEXT_MAX

    def clean_received_at(self):
        return _not_future(self.cleaned_data["received_at"])

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip().upper()
        if number and not Case.objects.filter(number=number).exists():
            raise forms.ValidationError(_("There is no case with this number."))
        return number


class SubjectRequestUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SubjectRequest.Status.choices)
    answer = _text(
        _("Answer"),
        required=False,
        help_text=_("What the person who asked was told or sent; required to close the request."),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") not in SubjectRequest.OPEN and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer given to the person who asked."))
        return data


class BreachForm(forms.ModelForm):
    found_at = _moment(
        _("When it was found"), help_text=_("The 3 x 24-hour clock for the notices starts here.")
    )
    occurred_at = _moment(_("When it happened (if known)"), required=False)

    class Meta:
        model = Breach
        fields = [
            "summary",
            "description",
            "occurred_at",
            "found_at",
            "data_affected",
            "subjects_count",
            "measures",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "data_affected": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "data_affected": _(
                "For example: names and addresses of children in 12 cases, attachments of one case."
            ),
            "subjects_count": _("Leave empty while unknown."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("found_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_found_at(self):
        return _not_future(self.cleaned_data["found_at"])

    def clean_occurred_at(self):
        return _not_future(self.cleaned_data["occurred_at"])

    def clean(self):
        data = super().clean()
        if data.get("occurred_at") and data.get("found_at") and data["occurred_at"] > data["found_at"]:
            self.add_error("occurred_at", _("It cannot have happened after it was found."))
        return data


class BreachNoticeForm(forms.Form):
    WHOM = [("subjects", _("The data subjects (the children's families)")), ("authority", _("The authority"))]
    whom = forms.ChoiceField(label=_("Who was notified"), choices=WHOM)
    at = _moment(_("When"))
    how = _text(
        _("How, and what they were told"),
        rows=2,
        max_length=2000,
        help_text=_("For the authority, name it (the PDP authority or Kementerian Komunikasi dan Digital)."),
    )

    def clean_at(self):
        return _not_future(self.cleaned_data["at"])
