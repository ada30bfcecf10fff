"""Forms of case work: assessment, service plan and its actions, task status, conference,
approval, referral answer and outcome, transfer. The rules are kept by
cases.casework_services; its errors come back at the field (``apply_service_error``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import Cap, user_can

from .action_forms import BLANK, DateInput, _not_in_future, case_workers_for
from .casework_models import NEED_AREAS, CaseTask, NeedLevel
from .casework_services import ActionData
from .models import Case, ReferralInstitution, Risk
from .selectors import initials


def child_label(child, *, identity: bool) -> str:
    return child.person.name if identity else f"{initials(child.person.name)} (#{child.pk})"


class AssessmentForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Child"), coerce=int)
    assessed_on = forms.DateField(label=_("Assessment date"), widget=DateInput(), validators=[_not_in_future])

    def __init__(self, *args, children, identity: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, child_label(c, identity=identity)) for c in children]
        for key, label in NEED_AREAS:
            self.fields[f"{key}_level"] = forms.ChoiceField(
                label=_("%(area)s: level of need") % {"area": label},
                choices=NeedLevel.choices,
                initial=NeedLevel.NONE,
            )
            self.fields[f"{key}_finding"] = forms.CharField(
                label=_("%(area)s: finding") % {"area": label},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
                required=False,
            )
        self.fields["overall_risk"] = forms.ChoiceField(label=_("Overall risk"), choices=BLANK + Risk.choices)
        self.fields["risk_reason"] = forms.CharField(
            label=_("Why this risk"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
        )
        self.fields["child_view"] = forms.CharField(
            label=_("The child's own view"),
            help_text=_("What the child says they want and fear, in their words where possible."),
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=4000,
            required=False,
        )

    def clean_risk_reason(self):
        reason = self.cleaned_data["risk_reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the child's risk is at this level."))
        return reason

    def clean(self):
        data = super().clean()
        for key, _label in NEED_AREAS:
            level = data.get(f"{key}_level")
            if level and level != NeedLevel.NONE and not (data.get(f"{key}_finding") or "").strip():
                self.add_error(f"{key}_finding", _("Write what you found: the level is not “no need”."))
        return data


def owner_choices(case: Case) -> list:
    """Who can own an action: staff who cover the case, the cadres accompanying it, the
    institutions. One value per owner: "u<id>" or "i<institution>"."""
    staff = [(f"u{u.pk}", str(u)) for u in case_workers_for(case)]
    cadres = [
        (f"u{link.user_id}", str(link.user))
        for link in case.cadre_links.select_related("user").order_by("assigned_at", "id")
    ]
    institutions = [(f"i{value}", label) for value, label in ReferralInstitution.choices]
    return [
        ("", "---------"),
        (_("Staff"), staff),
        (_("Cadres accompanying the case"), cadres),
        (_("Institutions"), institutions),
    ]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=255, required=False)
    owner = forms.ChoiceField(label=_("Who does it"), required=False)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)

    def __init__(self, *args, case: Case, owners: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["owner"].choices = owners if owners is not None else owner_choices(case)

    def clean(self):
        data = super().clean()
        title, owner, due = (data.get("title") or "").strip(), data.get("owner"), data.get("due_on")
        if not (title or owner or due):
            return data  # an empty row of the plan's form
        if not title:
            self.add_error("title", _("Say what is to be done."))
        if not owner:
            self.add_error("owner", _("Choose who does it."))
        if not due and "due_on" not in self.errors:
            self.add_error("due_on", _("Give a due date."))
        return data

    def action(self) -> ActionData | None:
        data = self.cleaned_data
        if not (data.get("title") or "").strip():
            return None
        owner = data["owner"]
        if owner.startswith("i"):
            return ActionData(
                title=data["title"],
                owner_kind=CaseTask.Owner.INSTITUTION,
                owner_institution=owner[1:],
                due_on=data["due_on"],
            )
        user = User.objects.get(pk=int(owner[1:]))  # one of the choices: the field checked it
        kind = CaseTask.Owner.KADER if user_can(user, Cap.ACCOMPANY_CASES) else CaseTask.Owner.PETUGAS
        return ActionData(title=data["title"], owner_kind=kind, owner_user=user, due_on=data["due_on"])


class BaseActionFormSet(forms.BaseFormSet):
    def __init__(self, *args, case: Case, **kwargs):
        self.case = case
        self.owners = owner_choices(case)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"case": self.case, "owners": self.owners}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), case=self.case, owners=self.owners
        )
        self.add_fields(form, None)
        return form

    def actions(self) -> list[ActionData]:
        return [a for a in (f.action() for f in self.forms) if a is not None]


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=3, max_num=20)


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        help_text=_("One goal per line: what should be true for the child when the plan has worked."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class TaskForm(ActionForm):
    """One more action on the plan: every field needed."""

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and "title" not in self.errors:
            self.add_error("title", _("Say what is to be done."))
        return data


class TaskStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("What became of it"),
        choices=[
            (CaseTask.State.DONE, CaseTask.State.DONE.label),
            (CaseTask.State.IN_PROGRESS, CaseTask.State.IN_PROGRESS.label),
            (CaseTask.State.CANCELLED, CaseTask.State.CANCELLED.label),
        ],
        initial=CaseTask.State.DONE,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("state") == CaseTask.State.CANCELLED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the task is cancelled."))
        return data


class ConferenceForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date of the conference"), widget=DateInput(), validators=[_not_in_future]
    )
    institutions = forms.MultipleChoiceField(
        label=_("Institutions present"),
        choices=ReferralInstitution.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kpad_present = forms.BooleanField(label=_("KPAD was present"), required=False)
    cadres = forms.ModelMultipleChoiceField(
        label=_("Cadres present"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_attendees = forms.CharField(label=_("Others present"), max_length=255, required=False)
    summary = forms.CharField(
        label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000, required=False
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = User.objects.filter(cadre_links__case=case).order_by(
            "first_name", "pk"
        )


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("setujui", _("Approve")), ("kembalikan", _("Send back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Required when you send it back: say what must change."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason for completing despite what is still open"),
        help_text=_("Only for a closure while referrals wait for an answer or tasks are open."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "kembalikan" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what must change before it can be approved."))
        return data


class ReferralAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("The institution's answer"),
        choices=[("diterima", _("Accepted")), ("ditolak", _("Refused"))],
        widget=forms.RadioSelect,
    )
    answered_on = forms.DateField(
        label=_("Date of the answer"), widget=DateInput(), validators=[_not_in_future]
    )
    reason = forms.CharField(label=_("Reason for refusing"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "ditolak" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the institution refused."))
        return data


class ReferralOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    outcome_on = forms.DateField(
        label=_("Date of the outcome"), widget=DateInput(), validators=[_not_in_future]
    )


class TransferForm(forms.Form):
    to_kelurahan = forms.ModelChoiceField(label=_("New kelurahan in the city"), queryset=None, required=False)
    to_city = forms.CharField(label=_("Or another city or regency"), max_length=120, required=False)
    receiving = forms.CharField(label=_("Receiving service"), max_length=200, required=False)
    handover_note = forms.CharField(
        label=_("Handover note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    transferred_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[_not_in_future])

    def __init__(self, *args, kelurahan_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_kelurahan"].queryset = kelurahan_qs

    def clean(self):
        data = super().clean()
        if bool(data.get("to_kelurahan")) == bool((data.get("to_city") or "").strip()):
            self.add_error("to_kelurahan", _("Choose the new kelurahan, or write the other city."))
        return data
