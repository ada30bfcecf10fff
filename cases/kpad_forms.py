"""Forms of KPAD's review: the queue's filters (GET, no identity data) and the review's actions.

Each action form checks what the commissioner typed; the review's own rules (no second
acknowledgement, nothing after closing) are kept by cases.kpad_services, whose ValidationErrors
the views put back on the form with ``action_forms.apply_service_error``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kelurahan.models import Kecamatan

from .models import Escalation, Risk

STATE_NOT_RESOLVED = ""
STATE_ALL = "all"
TEXT_MAX = 4000


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False
    )
    risk = forms.ChoiceField(label=_("Risk"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["state"].choices = [
            (STATE_NOT_RESOLVED, _("Waiting or in review")),
            *Escalation.State.choices,
            (STATE_ALL, _("All")),
        ]
        self.fields["rule"].choices = everything + list(Escalation.Rule.choices)
        self.fields["risk"].choices = everything + list(Risk.choices)
        self.fields["kecamatan"].queryset = Kecamatan.objects.order_by("common_name")
        self.fields["kecamatan"].empty_label = _("All")


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the identity?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log with your name and the time."),
    )


class AcknowledgeForm(forms.Form):
    """No field: the button is the whole action (the form carries its errors)."""


class RequestForm(forms.Form):
    text = forms.CharField(
        label=_("What does KPAD need to know?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The case worker answers on the case page. Do not write the child's name."),
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the case worker on the case's timeline."),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why KPAD's review ends here."),
    )
    unanswered_reason = forms.CharField(
        label=_("Why close while your request is unanswered"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Only when a request of this review has no answer from the Dinas yet."),
    )
