"""Intake forms: the case, its children and its alleged perpetrators.

The kader's phone form and the petugas' full form are the same classes; only
the template lays them out differently. ``Intake`` bundles the three so a view
validates, re-renders and saves them as one.

Decisions:

* Online prostitution of a child is by definition online and exploitation: ticking
  it sets the online flag and, when neither Eksploitasi nor Seksual is chosen,
  adds Eksploitasi (the page ticks both boxes at once, so the reporter sees it).
* A perpetrator whose age is under 18 is marked as a child.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import Cap, user_can
from core.validators import validate_nik, validate_not_future
from kelurahan.models import Kelurahan
from kelurahan.selectors import kelurahan_for_report

from . import services, validators
from .models import Case, Child, Perpetrator, Source, ViolenceType

ONLINE_EXPLOITATION_TYPES = (ViolenceType.EKSPLOITASI, ViolenceType.SEKSUAL)
MAX_CHILDREN = 20
MAX_PERPETRATORS = 20


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Kelurahan) -> str:
        return f"{obj.common_name} — {obj.kecamatan.common_name}"


class CaseForm(forms.ModelForm):
    violence_types = forms.MultipleChoiceField(
        label=_("Type of violence"),
        choices=ViolenceType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one type of violence.")},
        help_text=_("Choose every type that applies."),
    )
    consent = forms.BooleanField(
        label=_("The child or their family agrees that this report is recorded and followed up."),
        error_messages={"required": _("The report can only be sent with consent.")},
    )
    confirm_new = forms.BooleanField(
        label=_("I have checked the possible duplicates: this is a new case."),
        required=False,
    )

    class Meta:
        model = Case
        # The fields the intake service takes: one list, so form and service cannot drift apart.
        fields = list(services.CASE_FIELDS)
        widgets = {
            "incident_date": DateInput(),
            "incident_time": TimeInput(),
            "narrative": forms.Textarea(attrs={"rows": 5}),
            "reporter_contact": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "online_prostitution": _("Also marks the case as online and as exploitation."),
        }

    field_order = [
        "incident_date",
        "incident_time",
        "place_type",
        "address",
        "kelurahan",
        "violence_types",
        "online",
        "online_prostitution",
        "protection_category",
        "risk",
        "narrative",
        "source",
        "reporter_name",
        "reporter_contact",
        "consent",
        "confirm_new",
    ]

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        initial = kwargs.setdefault("initial", {})
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            initial.setdefault("violence_types", list(instance.violences.values_list("kind", flat=True)))
        elif user is not None:
            if user.kelurahan_id:
                initial.setdefault("kelurahan", user.kelurahan_id)
            if user_can(user, Cap.ACCOMPANY_CASES):
                initial.setdefault("source", Source.KADER)
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"] = KelurahanChoiceField(
            queryset=kelurahan_for_report(user=user).order_by("common_name"),
            label=Case._meta.get_field("kelurahan").verbose_name.capitalize(),
            initial=self.fields["kelurahan"].initial,
        )
        self.fields["incident_date"].validators.append(validate_not_future)
        self.fields["narrative"].widget.attrs.setdefault("maxlength", 10000)

    def clean(self):
        data = super().clean()
        day, time = data.get("incident_date"), data.get("incident_time")
        if day and time:
            now = timezone.localtime()
            if day == now.date() and time > (now + dt.timedelta(minutes=5)).time():
                self.add_error("incident_time", _("The time cannot be in the future."))
        if data.get("online_prostitution"):
            data["online"] = True
            kinds = list(data.get("violence_types") or [])
            if kinds and not any(k in kinds for k in ONLINE_EXPLOITATION_TYPES):
                data["violence_types"] = [*kinds, ViolenceType.EKSPLOITASI.value]
        return data

    def case_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.CASE_FIELDS}


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "name",
            "sex",
            "birth_date",
            "estimated_age",
            "nik",
            "school_level",
            "disability",
            "guardian_name",
            "guardian_contact",
        ]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_date": DateInput(),
            "estimated_age": forms.NumberInput(attrs={"min": 0, "max": 17, "inputmode": "numeric"}),
            "nik": forms.TextInput(
                attrs={"inputmode": "numeric", "pattern": "[0-9]{16}", "maxlength": 16, "autocomplete": "off"}
            ),
            "guardian_contact": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "birth_date": _("If the date is not known, give an estimated age instead."),
            "nik": _("16 digits, if known."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].validators.append(validate_not_future)
        self.fields["estimated_age"].validators.append(validators.validate_child_age)
        self.fields["nik"].validators.append(validate_nik)

    def clean_nik(self):
        return (self.cleaned_data.get("nik") or "").strip()

    def check_against(self, incident_date: dt.date | None) -> None:
        """The checks across fields, once the incident date is known."""
        if not hasattr(self, "cleaned_data") or (self.empty_permitted and not self.has_changed()):
            return
        data = self.cleaned_data
        for field in ("nik", "sex", "birth_date", "estimated_age"):
            if field in self.errors:
                return  # the field's own message is clearer than a comparison with a bad value
        found = validators.child_errors(
            nik=data.get("nik", ""),
            sex=data.get("sex", ""),
            birth_date=data.get("birth_date"),
            estimated_age=data.get("estimated_age"),
            incident_date=incident_date,
        )
        for field, messages in found.items():
            for message in messages:
                self.add_error(field, message)

    def child_data(self) -> services.ChildData:
        data = self.cleaned_data
        return services.ChildData(
            name=data["name"].strip(),
            sex=data["sex"],
            birth_date=data.get("birth_date"),
            estimated_age=data.get("estimated_age"),
            nik=data.get("nik", ""),
            school_level=data.get("school_level", ""),
            disability=data.get("disability", ""),
            guardian_name=data.get("guardian_name", ""),
            guardian_contact=data.get("guardian_contact", ""),
        )


class PerpetratorForm(forms.ModelForm):
    class Meta:
        model = Perpetrator
        fields = ["relation", "sex", "age", "is_child"]
        widgets = {"age": forms.NumberInput(attrs={"min": 0, "max": 120, "inputmode": "numeric"})}

    def clean_age(self):
        age = self.cleaned_data.get("age")
        if age is not None and age > 120:
            raise ValidationError(_("Give an age between 0 and 120 years."))
        return age

    def clean(self):
        data = super().clean()
        age = data.get("age")
        if age is not None:
            if age < validators.ADULT_AGE:
                data["is_child"] = True
            elif data.get("is_child"):
                self.add_error("is_child", _("Someone aged 18 or older is not a child."))
        return data

    def perpetrator_data(self) -> services.PerpetratorData:
        data = self.cleaned_data
        return services.PerpetratorData(
            relation=data["relation"], sex=data.get("sex", ""), age=data.get("age"), is_child=data["is_child"]
        )


class BaseRowFormSet(forms.BaseFormSet):
    """Rows without a model: every row past ``min_num`` may be left empty (and is then ignored),
    whether it came prefilled (editing a case) or was added on the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial:
            self.extra = max(len(self.initial) - self.min_num, 0)

    def initial_form_count(self) -> int:
        return super().initial_form_count() if self.is_bound else 0

    def kept_forms(self) -> list:
        """The rows to save: filled in and not marked for removal."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.is_valid()
        ]


class BaseChildFormSet(BaseRowFormSet):
    default_error_messages = {
        **BaseRowFormSet.default_error_messages,
        "too_few_forms": _("A case needs at least one child."),
        "too_many_forms": _("A report can hold at most 20 children."),
    }


class BasePerpetratorFormSet(BaseRowFormSet):
    default_error_messages = {
        **BaseRowFormSet.default_error_messages,
        "too_many_forms": _("A report can hold at most 20 alleged perpetrators."),
    }


ChildFormSet = formset_factory(
    ChildForm,
    formset=BaseChildFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_CHILDREN,
    validate_max=True,
    absolute_max=MAX_CHILDREN,
    can_delete=True,
)
PerpetratorFormSet = formset_factory(
    PerpetratorForm,
    formset=BasePerpetratorFormSet,
    extra=0,
    max_num=MAX_PERPETRATORS,
    validate_max=True,
    absolute_max=MAX_PERPETRATORS,
    can_delete=True,
)


def _as_initial(form: forms.BaseForm) -> dict:
    """The raw typed values of a bound form, usable as an unbound form's initial."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


class Intake:
    """The case form with its children and perpetrators, validated and saved together."""

    def __init__(self, data=None, *, user, case: Case | None = None):
        self.user = user
        self.case = case
        children_initial = perpetrators_initial = None
        if case is not None and data is None:
            children_initial = list(case.children.values(*ChildForm.Meta.fields))
            perpetrators_initial = list(case.perpetrators.values(*PerpetratorForm.Meta.fields))
        self.case_form = CaseForm(data, user=user, instance=case)
        self.children = ChildFormSet(data, prefix="children", initial=children_initial)
        self.perpetrators = PerpetratorFormSet(data, prefix="perpetrators", initial=perpetrators_initial)
        self.duplicates: list = []

    @property
    def is_bound(self) -> bool:
        return self.case_form.is_bound

    def is_valid(self) -> bool:
        case_ok = self.case_form.is_valid()
        children_ok = self.children.is_valid()
        perpetrators_ok = self.perpetrators.is_valid()
        incident_date = self.case_form.cleaned_data.get("incident_date")
        for form in self.children.forms:
            if not self.children._should_delete_form(form):
                form.check_against(incident_date)
        children_ok = children_ok and not any(form.errors for form in self.children.forms)
        return case_ok and children_ok and perpetrators_ok

    def with_extra_row(self, which: str) -> Intake:
        """The same typed values, unbound (so no errors show), with one more empty row of ``which``."""
        other = Intake(user=self.user, case=self.case)
        other.case_form = CaseForm(initial=_as_initial(self.case_form), user=self.user, instance=self.case)
        for name, formset_class in (("children", ChildFormSet), ("perpetrators", PerpetratorFormSet)):
            bound = getattr(self, name)
            rows = []
            for form in bound.forms:
                values = _as_initial(form)
                if values.pop("DELETE", False):
                    continue
                if any(v not in (None, "", False, []) for v in values.values()):
                    rows.append(values)
            rows = rows or [{}] * formset_class.min_num
            if name == which and len(rows) < formset_class.max_num:
                rows.append({})
            setattr(other, name, formset_class(prefix=name, initial=rows))
        return other

    def save_kwargs(self) -> dict:
        return {
            "violence_types": list(self.case_form.cleaned_data["violence_types"]),
            "children": [form.child_data() for form in self.children.kept_forms()],
            "perpetrators": [form.perpetrator_data() for form in self.perpetrators.kept_forms()],
            **self.case_form.case_fields(),
        }

    def child_identities(self) -> list[dict]:
        return [
            {
                "nik": form.cleaned_data.get("nik", ""),
                "name": form.cleaned_data.get("name", ""),
                "birth_date": form.cleaned_data.get("birth_date"),
            }
            for form in self.children.kept_forms()
        ]
