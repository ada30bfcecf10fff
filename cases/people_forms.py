"""Forms of a child's record page: a family member to tie, a merge to confirm."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import validate_nik, validate_not_future

from .action_forms import DateInput
from .models import FamilyLink, Person, Sex


class FamilyAddForm(forms.Form):
    """A family member: a record already known (from the child's cases, or by its number),
    or a new person."""

    relation = forms.ChoiceField(label=_("Relation to the child"), choices=FamilyLink.Relation.choices)
    relative = forms.ChoiceField(label=_("Someone already known in the child's cases"), required=False)
    record = forms.IntegerField(
        label=_("Or the number of a child's record"),
        required=False,
        min_value=1,
        help_text=_("A sibling with a record of their own: the number shown on their page."),
    )
    name = forms.CharField(label=_("Or a new person: name"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "---------"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput(), validators=[validate_not_future]
    )
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False, validators=[validate_nik])
    contact = forms.CharField(label=_("Contact"), max_length=60, required=False)

    def __init__(self, *args, known: list[tuple[Person, str]], records, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {p.pk: p for p, _label in known}
        self.records = records  # the children's records the user may see (a queryset)
        self.fields["relative"].choices = [("", "---------")] + [(str(p.pk), label) for p, label in known]
        if not known:
            del self.fields["relative"]

    def clean_nik(self):
        return (self.cleaned_data.get("nik") or "").strip()

    def clean(self):
        data = super().clean()
        given = [
            bool(data.get("relative")),
            data.get("record") is not None,
            bool((data.get("name") or "").strip()),
        ]
        if sum(given) != 1:
            raise ValidationError(
                _("Choose someone known, give a record number, or type a new name: one of them.")
            )
        self.relative_person = None
        if data.get("relative"):
            self.relative_person = self.known.get(int(data["relative"]))
        elif data.get("record") is not None:
            self.relative_person = self.records.filter(pk=data["record"]).first()
            if self.relative_person is None:
                self.add_error("record", _("There is no child's record with this number that you may see."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if self.relative_person is not None:
            return {"relation": data["relation"], "relative": self.relative_person}
        return {
            "relation": data["relation"],
            "name": data["name"],
            "sex": data.get("sex") or "",
            "birth_date": data.get("birth_date"),
            "nik": data.get("nik") or "",
            "contact": data.get("contact") or "",
        }


class CompareForm(forms.Form):
    record = forms.IntegerField(label=_("Number of the other record"), min_value=1)


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are these the same child?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the same NIK, confirmed with the family on a visit."),
    )
