"""Forms of the case lists: the filters (GET, no identity data) and the search box (POST only).

A search may hold a child's name or NIK, so it never travels in a URL: the search form is
POSTed, its text kept in the session under a short random token, and the list is shown at
``?s=<token>``. The filters carry no identity data and stay in the query string, so a
filtered list can be bookmarked and linked from the start page.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import Cap
from accounts.selectors import users_with_capability
from core.forms import LeanFields
from kelurahan.models import Kecamatan
from kelurahan.selectors import kelurahan_visible_to

from .models import Risk, Status, ViolenceType

NUMBER_RE = re.compile(r"^SGP(-\d{0,4}(-\d{0,5})?)?$")
NIK_RE = re.compile(r"^\d{16}$")


def search_kind(q: str) -> str:
    """What a search text is: a case number (or its start), a child's NIK, or part of a name."""
    if NIK_RE.match(q):
        return "nik"
    if NUMBER_RE.match(q.upper()):
        return "number"
    return "name"


NEXT_DUE_CHOICES = [
    ("", _("Any")),
    ("terlambat", _("Overdue")),
    ("hari_ini", _("Due today")),
    ("minggu_ini", _("Due this week")),
    ("tanpa", _("No open action")),
]


class CaseFilterForm(LeanFields, forms.Form):
    ESCALATION_CHOICES = [("", _("All")), ("1", _("Escalated to KPAD")), ("0", _("Not escalated"))]

    status = forms.ChoiceField(label=_("Status"), required=False)
    jenis = forms.ChoiceField(label=_("Type of violence"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False
    )
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=None, required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False)
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    worker = forms.ModelChoiceField(label=_("Case worker"), queryset=User.objects.none(), required=False)
    escalated = forms.ChoiceField(label=_("Escalation"), choices=ESCALATION_CHOICES, required=False)
    online_prostitution = forms.BooleanField(label=_("Online prostitution only"), required=False)
    next_due = forms.ChoiceField(label=_("Next action due"), choices=NEXT_DUE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(Status.choices)
        self.fields["jenis"].choices = everything + list(ViolenceType.choices)
        self.fields["risk"].choices = everything + list(Risk.choices)
        kelurahan = kelurahan_visible_to(user=user).order_by("kecamatan__common_name", "common_name")
        self.fields["kelurahan"].queryset = kelurahan
        self.fields["kelurahan"].label_from_instance = lambda k: (
            f"{k.common_name} — {k.kecamatan.common_name}"
        )
        self.fields["kecamatan"].queryset = Kecamatan.objects.filter(
            pk__in=kelurahan.values("kecamatan")
        ).order_by("common_name")
        self.fields["worker"].queryset = users_with_capability(Cap.HANDLE_CASES).order_by(
            "first_name", "last_name", "username"
        )
        for name in ("kecamatan", "kelurahan", "worker"):
            self.fields[name].empty_label = _("All")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return cleaned

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")


class CaseSearchForm(LeanFields, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=120,
        required=False,
        help_text=_("A case number (or its beginning), a child's NIK (16 digits) or part of a child's name."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "search"}),
    )

    def clean_q(self) -> str:
        q = " ".join(self.cleaned_data["q"].split())
        if q and search_kind(q) == "name" and len(q) < 3:
            raise forms.ValidationError(_("Type at least 3 letters of a name."))
        if q.isdigit() and not NIK_RE.match(q):
            raise forms.ValidationError(_("A NIK has exactly 16 digits."))
        return q
