"""Intake forms: the case, its children and its alleged perpetrators.

The kader's phone form and the petugas' full form are the same classes; only
the template lays them out differently. ``Intake`` bundles the three so a view
validates, re-renders and saves them as one.

Decisions:

* Online prostitution of a child is by definition online and exploitation: ticking
  it sets the online flag and, when neither Eksploitasi nor Seksual is chosen,
  adds Eksploitasi (the page ticks both boxes at once, so the reporter sees it).
* A perpetrator whose age is under 18 is marked as a child.
* No consent is asked: reporting needs nobody's (UU 35/2014). The form records whether and
  when the family was told, and who else must not be told (cases.consent governs sharing).
* SIMFONI codes per victim. With one child the report asks once, as ever; with several,
  each child's row also asks its own types of violence and online marks (empty: as for the
  report), and each perpetrator's row its relation to each child (empty: as the perpetrator's
  relation says). The page shows these only once there is a second child.
* What SIMFONI asks of a victim beyond that (occupation, marital status, nationality,
  disability, home address, TPPO details) is optional and folded away: a kader rarely knows
  it; the petugas completes it on the case's edit.
* A child typed in may already have a record (same NIK, or same name and birth date): each
  such child's row offers the records the reporter may see, to link the report to one of
  them instead of making a new one (``Intake.find_matches``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.policy import Cap, user_can
from core.validators import validate_nik, validate_not_future
from kelurahan.models import Kelurahan
from kelurahan.selectors import kelurahan_for_report

from . import selectors, services, validators
from .models import (
    LEGACY_SCHOOL_LEVELS,
    Case,
    ChildViolence,
    DisabilityType,
    FamilyLink,
    MaritalStatus,
    Nationality,
    Occupation,
    Perpetrator,
    Person,
    Relation,
    SchoolLevel,
    Sex,
    Source,
    TppoDestination,
    TppoRecruitment,
    VictimPerpetrator,
    ViolenceType,
    YesNo,
)
from .person_services import CHILD_FACTS

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
    do_not_tell = forms.CharField(
        label=_("Who else must not be told about this report?"),
        required=False,
        max_length=200,
        help_text=_(
            "The alleged perpetrators are never told. Name anyone else who must not learn of the "
            'report, e.g. "the stepfather" or "the neighbour who is his friend".'
        ),
    )
    confirm_new = forms.BooleanField(
        label=_("I have checked the records found: each child without a chosen record is a new child."),
        required=False,
    )
    # Editing: the case's version when the form was opened, and what the form showed then
    # (signed), so that a save over someone else's shows what they changed (edit_changes).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    edit_base = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Case
        # The fields the intake service takes: one list, so form and service cannot drift apart.
        fields = list(services.CASE_FIELDS)
        widgets = {
            "incident_date": DateInput(),
            "incident_time": TimeInput(),
            "narrative": forms.Textarea(attrs={"rows": 5}),
            "reporter_contact": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "family_informed_on": DateInput(),
        }
        help_texts = {
            "online_prostitution": _("Also marks the case as online and as exploitation."),
            "family_informed": _("Reporting needs nobody's consent: only say whether the family knows."),
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
        "family_informed",
        "family_informed_who",
        "family_informed_on",
        "do_not_tell",
        "confirm_new",
        "version",
        "edit_base",
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
        self.fields["family_informed_on"].validators.append(validate_not_future)
        self.fields["narrative"].widget.attrs.setdefault("maxlength", 10000)
        if instance is not None and instance.pk:
            del self.fields["do_not_tell"]  # kept up to date on the case page
            if not self.is_bound:
                self.initial["version"] = instance.version
                self.initial["edit_base"] = edit_base_token(edit_state(instance))
        else:
            del self.fields["version"]
            del self.fields["edit_base"]

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
        if data.get("family_informed_who") or data.get("family_informed_on"):
            data["family_informed"] = True  # saying who was told, or when, says that someone was
        informed_on = data.get("family_informed_on")
        if informed_on and day and informed_on < day:
            self.add_error("family_informed_on", _("The family cannot have been told before the incident."))
        return data

    def case_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.CASE_FIELDS}

    def extra_fields(self) -> dict:
        """What the intake service takes besides the case's own fields."""
        if "do_not_tell" not in self.fields:
            return {}
        return {"do_not_tell": self.cleaned_data.get("do_not_tell", "")}


AS_REPORT_CHOICES = [("", _("As for the report")), ("1", _("Yes")), ("0", _("No"))]


def current_choices(choices, current: str, legacy=LEGACY_SCHOOL_LEVELS) -> list:
    """A choice list without the older list's values, unless the record holds one of them."""
    return [(value, label) for value, label in choices if value not in legacy or value == current]


GUARDIAN_RELATIONS = [
    (FamilyLink.Relation.PARENT, _("Parent")),
    (FamilyLink.Relation.GUARDIAN, _("Guardian")),
    (FamilyLink.Relation.RELATIVE, _("Other relative")),
]


class ChildForm(forms.Form):
    """One child: who they are (their Person record) and what is true of them in this case."""

    row_id = forms.IntegerField(required=False, widget=forms.HiddenInput)  # editing: the Child row
    # An existing record chosen for this child: shown as a choice among the matches found.
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=capfirst(_("child's name")),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=capfirst(_("sex")), choices=[("", "---------"), *Sex.choices])
    birth_date = forms.DateField(
        label=capfirst(_("date of birth")),
        required=False,
        widget=DateInput(),
        help_text=_("If the date is not known, give an estimated age instead."),
    )
    estimated_age = forms.IntegerField(
        label=capfirst(_("age (years)")),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": 17, "inputmode": "numeric"}),
    )
    nik = forms.CharField(
        label=capfirst(_("NIK")),
        required=False,
        max_length=16,
        help_text=_("16 digits, if known."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{16}",
                "maxlength": 16,
                "autocomplete": "off",
                "data-msg-pattern": _("The NIK must be 16 digits."),
            }
        ),
    )
    school_level = forms.ChoiceField(
        label=capfirst(_("education")), choices=SchoolLevel.choices, required=False
    )
    # This child's own coding, asked when the report has several children (see the module).
    violence_types = forms.MultipleChoiceField(
        label=_("This child's types of violence"),
        choices=ViolenceType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty if this child suffered every type chosen for the report."),
    )
    online = forms.ChoiceField(label=_("Online, for this child"), choices=AS_REPORT_CHOICES, required=False)
    online_prostitution = forms.ChoiceField(
        label=_("Online prostitution, for this child"), choices=AS_REPORT_CHOICES, required=False
    )
    occupation = forms.ChoiceField(
        label=capfirst(_("occupation")), choices=Occupation.choices, required=False
    )
    marital_status = forms.ChoiceField(
        label=capfirst(_("marital status")), choices=MaritalStatus.choices, required=False
    )
    nationality = forms.ChoiceField(
        label=capfirst(_("nationality")), choices=Nationality.choices, required=False
    )
    has_disability = forms.ChoiceField(label=_("Has a disability"), choices=YesNo.choices, required=False)
    disability_type = forms.ChoiceField(
        label=capfirst(_("type of disability")), choices=DisabilityType.choices, required=False
    )
    disability = forms.CharField(label=capfirst(_("disability, in words")), max_length=120, required=False)
    home_address = forms.CharField(
        label=capfirst(_("home address")),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Choices given by the Intake (one query for every row, the empty template's included).
    home_kelurahan_id = forms.TypedChoiceField(
        label=capfirst(_("kelurahan of residence")), coerce=int, empty_value=None, required=False
    )
    tppo_recruitment = forms.ChoiceField(
        label=capfirst(_("mode of recruitment")), choices=TppoRecruitment.choices, required=False
    )
    tppo_destination = forms.ChoiceField(
        label=capfirst(_("destination")), choices=TppoDestination.choices, required=False
    )
    tppo_destination_detail = forms.CharField(
        label=capfirst(_("destination, in words")), max_length=120, required=False
    )
    guardian_name = forms.CharField(
        label=capfirst(_("parent/guardian")),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guardian_relation = forms.ChoiceField(
        label=_("Relation to the child"),
        choices=GUARDIAN_RELATIONS,
        required=False,
        initial=FamilyLink.Relation.GUARDIAN,
    )
    guardian_contact = forms.CharField(
        label=capfirst(_("parent/guardian contact")),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, kelurahan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            current = self.data.get(self.add_prefix("school_level"), "")
        else:
            current = self.initial.get("school_level", "")
        self.fields["school_level"].choices = current_choices(SchoolLevel.choices, current)
        self.fields["home_kelurahan_id"].choices = [("", "---------"), *kelurahan_choices]
        self.fields["birth_date"].validators.append(validate_not_future)
        self.fields["estimated_age"].validators.append(validators.validate_child_age)
        self.fields["nik"].validators.append(validate_nik)
        self.person_record: Person | None = None  # the record chosen, once checked by Intake
        self.matches: list[dict] = []  # records that may be this child (Intake.find_matches)
        self.elsewhere = False  # staff: a match outside their area

    def has_changed(self) -> bool:
        # The relation has a default: a row with nothing typed but it is still an empty row.
        return any(name != "guardian_relation" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        if data.get("disability_type"):
            data["has_disability"] = YesNo.YA.value  # naming the type says the child has one
        if data.get("online_prostitution") == "1":
            data["online"] = "1"
        return data

    def clean_nik(self):
        return (self.cleaned_data.get("nik") or "").strip()

    def clean_guardian_relation(self):
        return self.cleaned_data.get("guardian_relation") or FamilyLink.Relation.GUARDIAN

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

    @property
    def unresolved(self) -> bool:
        """Records may be this child and the reporter has not said whether one is."""
        return bool(self.matches or self.elsewhere) and self.person_record is None

    def child_data(self) -> services.ChildData:
        data = self.cleaned_data
        return services.ChildData(
            name=" ".join(data["name"].split()),
            sex=data["sex"],
            birth_date=data.get("birth_date"),
            estimated_age=data.get("estimated_age"),
            nik=data.get("nik", ""),
            school_level=data.get("school_level", ""),
            disability=data.get("disability", ""),
            guardian_name=data.get("guardian_name", ""),
            guardian_contact=data.get("guardian_contact", ""),
            guardian_relation=data.get("guardian_relation") or FamilyLink.Relation.GUARDIAN,
            person=self.person_record,
            child_id=data.get("row_id"),
            facts={
                name: data.get(name) or (None if name == "home_kelurahan_id" else "") for name in CHILD_FACTS
            },
        )

    def own_coding(self) -> dict:
        """This child's own types and marks, as ChildData takes them (None: as for the report)."""
        data = self.cleaned_data

        def mark(name):
            return {"1": True, "0": False}.get(data.get(name) or "")

        return {
            "violence_types": list(data.get("violence_types") or []) or None,
            "online": mark("online"),
            "online_prostitution": mark("online_prostitution"),
        }


class PerpetratorForm(forms.ModelForm):
    row_id = forms.IntegerField(required=False, widget=forms.HiddenInput)  # editing: the row

    class Meta:
        model = Perpetrator
        fields = ["row_id", "relation", "sex", "age", "is_child", "education", "occupation", "nationality"]
        widgets = {"age": forms.NumberInput(attrs={"min": 0, "max": 120, "inputmode": "numeric"})}

    def __init__(self, *args, children: list[tuple[int, str]] = (), **kwargs):
        """``children``: the report's child rows (form index, how the row is headed), for the
        relation to each child when there are several."""
        super().__init__(*args, **kwargs)
        self.fields["education"].choices = current_choices(SchoolLevel.choices, "")
        self.child_relation_fields = []
        if len(children) > 1:
            for index, heading in children:
                name = f"relation_to_{index}"
                self.fields[name] = forms.ChoiceField(
                    label=heading, choices=[("", _("As above")), *Relation.choices], required=False
                )
                self.child_relation_fields.append(name)

    @property
    def child_relation_boundfields(self) -> list:
        return [self[name] for name in self.child_relation_fields]

    def child_relations(self) -> dict[int, str]:
        """The relation to each child row (by form index) that differs from the row's own."""
        return {
            int(name.removeprefix("relation_to_")): self.cleaned_data[name]
            for name in self.child_relation_fields
            if self.cleaned_data.get(name)
        }

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
            relation=data["relation"],
            sex=data.get("sex", ""),
            age=data.get("age"),
            is_child=data["is_child"],
            perpetrator_id=data.get("row_id"),
            education=data.get("education", ""),
            occupation=data.get("occupation", ""),
            nationality=data.get("nationality", ""),
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
            children_initial = children_as_initial(case)
            perpetrators_initial = perpetrators_as_initial(case, children_initial)
        self.case_form = CaseForm(data, user=user, instance=case)
        self.kelurahan_choices = home_kelurahan_choices()
        self.children = ChildFormSet(
            data,
            prefix="children",
            initial=children_initial,
            form_kwargs={"kelurahan_choices": self.kelurahan_choices},
        )
        self.perpetrators = PerpetratorFormSet(
            data,
            prefix="perpetrators",
            initial=perpetrators_initial,
            form_kwargs={"children": child_headings(len(self.children.forms))},
        )
        self.has_matches = False  # set by the view when rows wait for the reporter's answer

    @property
    def several_children(self) -> bool:
        """Whether the page asks each child's own coding (it shows with a second child row)."""
        return len(self.children.forms) > 1

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
        self._check_records()
        children_ok = children_ok and not any(form.errors for form in self.children.forms)
        return case_ok and children_ok and perpetrators_ok

    def _check_records(self) -> None:
        """A chosen record must be one the reporter may see; a row being edited must be this
        case's. Outside that, the answer is the same "cannot be chosen" (nothing leaks)."""
        own_rows = set(self.case.children.values_list("pk", flat=True)) if self.case else set()
        chosen = {}
        for form in self.children.forms:
            if not hasattr(form, "cleaned_data") or self.children._should_delete_form(form):
                continue
            row_id, person = form.cleaned_data.get("row_id"), form.cleaned_data.get("person")
            if row_id is not None and row_id not in own_rows:
                form.add_error(None, _("This child is no longer in the report. Open the report again."))
            if person is not None and row_id is None:
                chosen[form.prefix] = person
        if not chosen:
            return
        found = {
            p.pk: p
            for p in selectors.child_persons_visible_to(user=self.user).filter(pk__in=set(chosen.values()))
        }
        for form in self.children.forms:
            if form.prefix in chosen:
                form.person_record = found.get(chosen[form.prefix])
                if form.person_record is None:
                    form.add_error(
                        "person", _("That child's record cannot be chosen. Check the child again.")
                    )

    def find_matches(self) -> bool:
        """For each new child row without a chosen record, the records that may be this child.
        Returns whether any row is unresolved (the reporter must choose or confirm)."""
        staff = selectors.user_sees_elsewhere(self.user)
        for form in self.children.kept_forms():
            if form.cleaned_data.get("row_id") is not None or form.person_record is not None:
                continue
            data = form.cleaned_data
            found = selectors.matching_persons(
                user=self.user,
                nik=data.get("nik", ""),
                name=data.get("name", ""),
                birth_date=data.get("birth_date"),
                exclude_case_id=self.case.pk if self.case else None,
            )
            form.matches = match_rows(user=self.user, persons=found.visible)
            form.elsewhere = found.elsewhere and staff
        return any(form.unresolved for form in self.children.kept_forms())

    def matched_persons(self) -> list[Person]:
        return [m["person"] for form in self.children.forms for m in getattr(form, "matches", [])]

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
            kwargs = {"form_kwargs": {"kelurahan_choices": self.kelurahan_choices}}
            if name == "perpetrators":
                kwargs["form_kwargs"] = {"children": child_headings(len(other.children.forms))}
            setattr(other, name, formset_class(prefix=name, initial=rows, **kwargs))
        return other

    def save_kwargs(self) -> dict:
        child_forms = self.children.kept_forms()
        perpetrator_forms = self.perpetrators.kept_forms()
        children = []
        for form in child_forms:
            data = form.child_data()
            if len(child_forms) > 1:
                # Several children: each row's own coding, and its relation to each perpetrator.
                for name, value in form.own_coding().items():
                    setattr(data, name, value)
                index = self.children.forms.index(form)
                data.relations = {
                    position: relation
                    for position, perpetrator in enumerate(perpetrator_forms)
                    if (relation := perpetrator.child_relations().get(index))
                }
            children.append(data)
        kwargs = {
            "violence_types": list(self.case_form.cleaned_data["violence_types"]),
            "children": children,
            "perpetrators": [form.perpetrator_data() for form in perpetrator_forms],
            **self.case_form.case_fields(),
        }
        if self.case is None:
            kwargs.update(self.case_form.extra_fields())
        return kwargs


def home_kelurahan_choices() -> list[tuple[int, str]]:
    """Where a child may live: any kelurahan of the city (not only the reporter's area)."""
    return [
        (k.pk, f"{k.common_name} — {k.kecamatan.common_name}")
        for k in Kelurahan.objects.select_related("kecamatan").order_by("common_name")
    ]


def child_headings(count: int) -> list[tuple[int, str]]:
    return [(i, _("Relation to child %(number)s") % {"number": i + 1}) for i in range(count)]


def perpetrators_as_initial(case: Case, children_initial: list[dict]) -> list[dict]:
    """The perpetrator rows, with each child's relation where it differs from the row's own."""
    child_index = {row["row_id"]: i for i, row in enumerate(children_initial)}
    perpetrators = list(case.perpetrators.all())
    pairs = {
        (link.perpetrator_id, link.child_id): link.relation
        for link in VictimPerpetrator.objects.filter(perpetrator__case=case)
    }
    rows = []
    for p in perpetrators:
        row = {"row_id": p.pk, **{name: getattr(p, name) for name in PerpetratorForm.Meta.fields[1:]}}
        if len(children_initial) > 1:
            for child_id, index in child_index.items():
                relation = pairs.get((p.pk, child_id), "")
                if relation and relation != p.relation:
                    row[f"relation_to_{index}"] = relation
        rows.append(row)
    return rows


def children_as_initial(case: Case) -> list[dict]:
    """The form's rows for a case's children, from their records: three queries."""
    rows = list(case.children.select_related("person", "guardian").order_by("id"))
    kinds: dict[int, list[str]] = {}
    for child_id, kind in ChildViolence.objects.filter(child__case=case).values_list("child_id", "kind"):
        kinds.setdefault(child_id, []).append(kind)
    several = len(rows) > 1
    relations = dict(
        FamilyLink.objects.filter(
            person__in=[r.person_id for r in rows],
            relative__in=[r.guardian_id for r in rows if r.guardian_id],
        ).values_list("relative_id", "relation")
    )
    initial = []
    for row in rows:
        person, guardian = row.person, row.guardian
        initial.append(
            {
                "row_id": row.pk,
                "name": person.name,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "estimated_age": person.age_on(case.incident_date) if person.birth_date is None else None,
                "nik": person.nik,
                "school_level": row.school_level,
                "disability": row.disability,
                **{name: getattr(row, name) for name in CHILD_FACTS},
                # With one child the report's own fields say it; with several, each row does.
                "violence_types": kinds.get(row.pk, []) if several else [],
                "online": ("1" if row.online else "0") if several else "",
                "online_prostitution": ("1" if row.online_prostitution else "0") if several else "",
                "guardian_name": guardian.name if guardian else "",
                "guardian_relation": relations.get(row.guardian_id, FamilyLink.Relation.GUARDIAN),
                "guardian_contact": guardian.contact if guardian else "",
            }
        )
    return initial


def match_rows(*, user, persons: list[Person]) -> list[dict]:
    """What the reporter is shown of each record that may be the child: the name, age and
    sex, and the numbers of the cases they may see (one query for all)."""
    if not persons:
        return []
    cases = selectors.cases_of_persons(user=user, persons=persons)
    today = timezone.localdate()
    return [{"person": p, "age": p.age_on(today), "cases": cases.get(p.pk, [])} for p in persons]


# --- Two people editing one report ---------------------------------------------------------------
#
# The edit form carries the case's version and, signed, what it showed ("base"). A save from a
# form whose version is old is refused by the service (EditConflict, under the row lock); the
# form then comes back with what the other person changed (base -> now, field by field) and
# with the user's own typing kept: every field they changed keeps their value, every field they
# did not change takes the other person's, so saving again undoes nothing of theirs.

CHILD_STATE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "estimated_age",
    "nik",
    "school_level",
    "disability",
    "guardian_name",
    "guardian_relation",
    "guardian_contact",
)
PERPETRATOR_STATE_FIELDS = ("relation", "sex", "age", "is_child")
EDIT_BASE_SALT = "sigap.cases.edit-base"


def _plain(value):
    """One value as the comparison and the form's data see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return str(value)


def edit_state(case: Case) -> dict:
    """What the edit form shows of a case, as plain values: four queries."""
    fields = {name: Case._meta.get_field(name).attname for name in services.CASE_FIELDS}
    perpetrators = case.perpetrators.order_by("id").values("id", *PERPETRATOR_STATE_FIELDS)
    return {
        "case": {
            **{name: _plain(getattr(case, attname)) for name, attname in fields.items()},
            "violence_types": sorted(case.violences.values_list("kind", flat=True)),
        },
        "children": {
            str(row["row_id"]): {k: _plain(row[k]) for k in CHILD_STATE_FIELDS}
            for row in children_as_initial(case)
        },
        "perpetrators": {
            str(p["id"]): {k: _plain(p[k]) for k in PERPETRATOR_STATE_FIELDS} for p in perpetrators
        },
    }


def edit_base_token(state: dict) -> str:
    return signing.dumps(state, salt=EDIT_BASE_SALT, compress=True)


def _intake_state(intake: Intake) -> dict:
    """What the user sent, in edit_state's shape (new rows apart)."""
    data = intake.case_form.cleaned_data
    state = {
        "case": {
            **{name: _plain(data.get(name)) for name in services.CASE_FIELDS},
            "violence_types": sorted(data.get("violence_types") or []),
        },
        "children": {},
        "perpetrators": {},
        "new_children": [],
        "new_perpetrators": [],
    }
    for kind, formset, names in (
        ("children", intake.children, CHILD_STATE_FIELDS),
        ("perpetrators", intake.perpetrators, PERPETRATOR_STATE_FIELDS),
    ):
        for form in formset.kept_forms():
            row = {k: _plain(form.cleaned_data.get(k)) for k in names}
            row_id = form.cleaned_data.get("row_id")
            if row_id:
                state[kind][str(row_id)] = row
            else:
                state[f"new_{kind}"].append(row)
    return state


@dataclass
class EditChange:
    what: str
    before: str
    after: str


def _shown(field: forms.Field, value) -> str:
    """A value as a person reads it: the choice's label, the kelurahan's name, an Indonesian date."""
    if value in ("", None, []):
        return str(_("(empty)"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_shown(field, v) for v in value)
    if isinstance(field, forms.ModelChoiceField):
        found = field.queryset.model._default_manager.filter(pk=value).first()
        return field.label_from_instance(found) if found is not None else str(value)
    if isinstance(field, (forms.ChoiceField, forms.MultipleChoiceField)):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.DateField):
        return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def edit_changes(*, base: dict, now: dict, form: CaseForm) -> list[EditChange]:
    """What someone else changed in the report since ``base``, field by field."""
    changes = []
    for name in [*services.CASE_FIELDS, "violence_types"]:
        before, after = base["case"].get(name, ""), now["case"].get(name, "")
        if before != after:
            field = form.fields[name]
            changes.append(EditChange(str(field.label), _shown(field, before), _shown(field, after)))
    for kind, form_class, names, row_label in (
        ("children", ChildForm, CHILD_STATE_FIELDS, _("Child %(number)s")),
        ("perpetrators", PerpetratorForm, PERPETRATOR_STATE_FIELDS, _("Alleged perpetrator %(number)s")),
    ):
        fields = form_class().fields
        for number, (row_id, row) in enumerate(now[kind].items(), start=1):
            who = str(row_label % {"number": number})
            old = base[kind].get(row_id)
            if old is None:
                changes.append(EditChange(who, str(_("(not in the report)")), str(_("added"))))
                continue
            for name in names:
                if old.get(name, "") != row.get(name, ""):
                    what = str(_("%(row)s: %(field)s") % {"row": who, "field": fields[name].label})
                    changes.append(
                        EditChange(
                            what, _shown(fields[name], old.get(name)), _shown(fields[name], row.get(name))
                        )
                    )
        for row_id, old in base[kind].items():
            if row_id not in now[kind]:
                first = old.get("name") or _shown(fields[names[0]], old.get(names[0]))
                changes.append(
                    EditChange(str(row_label % {"number": "–"}), first, str(_("removed from the report")))
                )
    return changes


def _merged_data(*, base: dict, mine: dict, now: dict, version: int) -> QueryDict:
    """The form data to show again: the user's changes on top of the report as it is now."""

    def pick(before, typed, current):
        return current if typed == before else typed

    data = QueryDict(mutable=True)

    def put(name, value):
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value

    for name, current in now["case"].items():
        put(name, pick(base["case"].get(name, ""), mine["case"].get(name, ""), current))
    for kind, names, min_num in (
        ("children", CHILD_STATE_FIELDS, 1),
        ("perpetrators", PERPETRATOR_STATE_FIELDS, 0),
    ):
        rows = []
        for row_id, current in now[kind].items():
            old, typed = base[kind].get(row_id), mine[kind].get(row_id)
            if old is not None and typed is None:
                continue  # this user took the row out
            if old is not None:
                current = {k: pick(old.get(k, ""), typed.get(k, ""), current.get(k, "")) for k in names}
            rows.append({"row_id": row_id, **current})
        rows += [{"row_id": "", **row} for row in mine[f"new_{kind}"]]
        data[f"{kind}-TOTAL_FORMS"] = str(len(rows))
        data[f"{kind}-INITIAL_FORMS"] = str(sum(1 for row in rows if row["row_id"]))
        data[f"{kind}-MIN_NUM_FORMS"] = str(min_num)
        data[f"{kind}-MAX_NUM_FORMS"] = str(MAX_CHILDREN if kind == "children" else MAX_PERPETRATORS)
        for i, row in enumerate(rows):
            for name, value in row.items():
                put(f"{kind}-{i}-{name}", value)
    data["version"] = str(version)
    data["edit_base"] = edit_base_token(now)
    return data


def edit_conflict(intake: Intake, *, case: Case) -> tuple[Intake, list[EditChange]]:
    """After EditConflict: the form again (the user's changes over the report as it is now,
    with the new version) and what the other person changed."""
    now = edit_state(case)
    mine = _intake_state(intake)
    try:
        base = signing.loads(intake.case_form.cleaned_data.get("edit_base") or "", salt=EDIT_BASE_SALT)
    except signing.BadSignature:
        base = None
    if not isinstance(base, dict) or not {"case", "children", "perpetrators"} <= set(base):
        # Nothing to compare with: keep everything typed (the list of changes stays empty).
        base = {"case": {}, "children": dict(now["children"]), "perpetrators": dict(now["perpetrators"])}
        base["case"] = {name: mine["case"].get(name, "") for name in now["case"]}
    changes = edit_changes(base=base, now=now, form=intake.case_form)
    data = _merged_data(base=base, mine=mine, now=now, version=case.version)
    return Intake(data, user=intake.user, case=case), changes
