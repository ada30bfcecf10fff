"""Forms of consent and of the case's people on the case page: a consent statement, who must
not be told, and which family member an alleged perpetrator is.

The choices come from the case's own children and their family (``selectors.case_family``),
never from every person in the database. The rules of who may decide are kept by
cases.consent_services, whose errors come back at the field.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .action_forms import DateInput
from .models import Child, ConsentAnswer, ConsentGiver, ConsentInstitution, ConsentPurpose, Person, Relation
from .selectors import FamilyMember, initials

ANSWER_CHOICES = [
    ("", _("Not asked")),
    (ConsentAnswer.GIVEN, _("Given")),
    (ConsentAnswer.REFUSED, _("Refused")),
]


def _person_choices(members: list[FamilyMember]) -> list[tuple[str, str]]:
    seen, choices = set(), [("", "---------")]
    for m in members:
        if m.person.pk in seen:
            continue
        seen.add(m.person.pk)
        choices.append((str(m.person.pk), f"{m.person.name} ({m.label})"))
    return choices


class ConsentForm(forms.Form):
    children = forms.MultipleChoiceField(label=_("For which children"), widget=forms.CheckboxSelectMultiple)
    given_by = forms.ChoiceField(
        label=_("Given or refused by"),
        widget=forms.RadioSelect,
        choices=[
            (ConsentGiver.CHILD, _("The child themselves")),
            (ConsentGiver.CARER, _("A parent or guardian")),
        ],
    )
    person = forms.ChoiceField(
        label=_("Which parent or guardian"),
        required=False,
        help_text=_("Alleged perpetrators and those who must not be told are not offered."),
    )
    confirm_not_suspect = forms.BooleanField(
        label=_("I have checked that this parent is not the alleged perpetrator."), required=False
    )
    decided_on = forms.DateField(label=_("Date"), widget=DateInput())
    follow_up = forms.ChoiceField(label=_("Follow-up by the Dinas"), choices=ANSWER_CHOICES, required=False)
    photos = forms.ChoiceField(label=_("Photos of the child"), choices=ANSWER_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, children: list[Child], carers: list[FamilyMember], ask_confirm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_rows = {str(c.pk): c for c in children}
        self.fields["children"].choices = [(str(c.pk), c.person.name) for c in children]
        self.fields["children"].initial = list(self.child_rows)
        self.carers = {m.person.pk: m.person for m in carers}
        self.fields["person"].choices = _person_choices(carers)
        self.fields["decided_on"].initial = timezone.localdate
        if not ask_confirm:
            del self.fields["confirm_not_suspect"]
        self.share_fields = []
        for institution in ConsentInstitution:
            name = f"share_{institution.value}"
            self.fields[name] = forms.ChoiceField(
                label=gettext("Sharing with %(institution)s") % {"institution": institution.label},
                choices=ANSWER_CHOICES,
                required=False,
            )
            self.share_fields.append(name)
        # The sharing answers after the others, the note last.
        order = [n for n in self.fields if n not in (*self.share_fields, "note")]
        self.order_fields([*order, *self.share_fields, "note"])

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("given_by") == ConsentGiver.CARER and not data.get("person"):
            self.add_error("person", _("Choose the parent or guardian."))
        if not any(data.get(name) for name in ("follow_up", "photos", *self.share_fields)):
            raise ValidationError(_("Record at least one answer: given or refused."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        answers = {
            (ConsentPurpose.FOLLOW_UP.value, ""): data.get("follow_up"),
            (ConsentPurpose.PHOTOS.value, ""): data.get("photos"),
        }
        for institution in ConsentInstitution:
            answers[(ConsentPurpose.SHARING.value, institution.value)] = data.get(
                f"share_{institution.value}"
            )
        person = self.carers.get(int(data["person"])) if data.get("person") else None
        return {
            "children": [self.child_rows[pk] for pk in data["children"]],
            "given_by": data["given_by"],
            "person": person if data["given_by"] == ConsentGiver.CARER else None,
            "decided_on": data["decided_on"],
            "answers": {key: value for key, value in answers.items() if value},
            "note": data.get("note", ""),
            "confirm_not_suspect": bool(data.get("confirm_not_suspect")),
        }


class DoNotTellForm(forms.Form):
    person = forms.ChoiceField(label=_("A family member on record"), required=False)
    relation = forms.ChoiceField(
        label=_("Or their relation to the child"),
        required=False,
        choices=[
            ("", "---------"),
            *[(v, lbl) for v, lbl in Relation.choices if v != Relation.TIDAK_DIKENAL],
        ],
    )
    note = forms.CharField(
        label=_("Who, in a few words"),
        required=False,
        max_length=200,
        help_text=_("For example: the stepfather, who lives in the same house."),
    )

    def __init__(self, *args, family: list[FamilyMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {m.person.pk: m.person for m in family}
        self.fields["person"].choices = _person_choices(family)
        if not family:
            del self.fields["person"]

    def clean(self):
        data = super().clean()
        if not (data.get("person") or data.get("relation") or (data.get("note") or "").strip()):
            raise ValidationError(_("Say who must not be told: a family member, a relation or a few words."))
        return data

    def chosen_person(self) -> Person | None:
        value = self.cleaned_data.get("person")
        return self.people.get(int(value)) if value else None


class DoNotTellRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why may they be told now?"), max_length=500)


class PerpetratorPersonForm(forms.Form):
    person = forms.ChoiceField(label=_("Who is this, among the child's family?"), required=False)

    def __init__(self, *args, family: list[FamilyMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {m.person.pk: m.person for m in family}
        choices = _person_choices(family)
        choices[0] = ("", gettext("Not known, or not family"))
        self.fields["person"].choices = choices

    def chosen_person(self) -> Person | None:
        value = self.cleaned_data.get("person")
        return self.people.get(int(value)) if value else None


def child_label(child: Child, *, identity: bool) -> str:
    return child.person.name if identity else initials(child.person.name)
