"""Forms of the actions on one case: status, notes, visits, services, referrals, assignment, attachments.

Each form checks what a person typed; the case's own rules (allowed transitions,
closure reasons, dates) are kept by cases.services, whose ValidationErrors the
views put back at the field with ``apply_service_error``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case as Conditional
from django.db.models import IntegerField, Q, Value, When
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.policy import Cap, area_filter, user_can
from accounts.selectors import users_covering, users_with_capability

from . import attachments, selectors
from .models import Attachment, Case, CaseEvent, ClosureReason, Referral, ReferralStatus, Service, Status
from .selectors import initials
from .services import ALLOWED_TRANSITIONS, COMPLETION_REASONS, NO_FOLLOW_UP_REASONS, InvalidTransition

CLOSING_REASONS = {Status.SELESAI: COMPLETION_REASONS, Status.DITUTUP: NO_FOLLOW_UP_REASONS}
BLANK = [("", "---------")]


class DateInput(forms.DateInput):
    """The phone's own date picker; the value travels as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    return value


def case_workers_for(case: Case):
    """Active staff who can see this case: city-wide ones and those of the case's kecamatan."""
    return users_covering(Cap.HANDLE_CASES, kecamatan_ids=[case.kelurahan.kecamatan_id]).order_by(
        "first_name", "last_name", "username"
    )


def cadres_for(case: Case, actor=None):
    """Active cadres not yet on the case, those of the case's kelurahan first. A petugas
    limited to a kecamatan picks only among that kecamatan's cadres: an accompanying cadre
    sees the child's identity, so the choice stays within the petugas' own area."""
    qs = users_with_capability(Cap.ACCOMPANY_CASES)
    area = area_filter(actor, kelurahan_path="kelurahan") if actor is not None else None
    if area is not None:
        qs = qs.filter(area)
    return (
        qs.exclude(cadre_links__case=case)
        .select_related("kelurahan")
        .annotate(
            elsewhere=Conditional(
                When(kelurahan_id=case.kelurahan_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("elsewhere", "kelurahan__common_name", "first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.kelurahan_id:  # a kader: where they serve
            return f"{obj} — {obj.kelurahan}"
        return str(obj)


def apply_service_error(form: forms.Form, error: ValidationError, *, field_map=None, default=None) -> None:
    """Put a service's ValidationError on the form: at the matching field, else on the form."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = field_map.get(field, field)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(default if default in form.fields else None, error.messages)


def stale_status_message(case: Case) -> str:
    """Said to whoever chose a next status from a page opened before someone else moved the
    case: who moved it, to what, when (instead of Django's "Select a valid choice")."""
    moved = selectors.last_event(case=case, kind=CaseEvent.Kind.STATUS)
    if moved is None or not moved.to_status:
        return str(_("The status was changed meanwhile. Check the case, then choose again."))
    return str(
        _(
            "The status was already changed by %(who)s to “%(status)s” (%(when)s). "
            "Check the case, then choose again."
        )
        % {
            "who": moved.actor,
            "status": Status(moved.to_status).label,
            "when": formats.date_format(timezone.localtime(moved.at), "j F Y, H:i"),
        }
    )


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    # The status the page showed: a choice made on an older page is answered with who moved
    # the case meanwhile, not with "not a valid choice".
    from_status = forms.CharField(required=False, widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"),
        required=False,
        help_text=_("Required when the case is completed or closed."),
    )
    case_worker = UserChoiceField(
        queryset=User.objects.none(),
        label=_("Case worker"),
        required=False,
        help_text=_("Who handles the case once it is verified."),
    )
    override_reason = forms.CharField(
        label=_("Reason for completing despite what is still open"),
        help_text=_("Only when referrals wait for an answer or tasks are open (supervisors)."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a closed case is reopened."),
    )

    def __init__(self, *args, case: Case, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["from_status"].initial = case.status
        shown = self.data.get(self.add_prefix("from_status")) if self.is_bound else None
        self.stale = bool(shown) and shown != case.status
        # A stale page's choice is checked against the statuses it offered, so that the answer
        # is the stale message below rather than "not one of the choices".
        targets = ALLOWED_TRANSITIONS[shown if self.stale and shown in ALLOWED_TRANSITIONS else case.status]
        self.fields["to"].choices = BLANK + [(s, Status(s).label) for s in targets]
        reasons = [r for t in targets for r in CLOSING_REASONS.get(t, ())]
        if reasons:
            self.fields["closure_reason"].choices = BLANK + [
                (r, ClosureReason(r).label) for r in dict.fromkeys(reasons)
            ]
        else:
            del self.fields["closure_reason"]
        if Status.DIVERIFIKASI in targets:
            field = self.fields["case_worker"]
            field.queryset = case_workers_for(case)
            field.initial = case.case_worker_id or (actor.pk if user_can(actor, Cap.HANDLE_CASES) else None)
        else:
            del self.fields["case_worker"]
        if Status.SELESAI not in targets or not user_can(actor, Cap.SUPERVISE):
            del self.fields["override_reason"]

    def clean(self):
        data = super().clean()
        if self.stale:
            self.add_error("to", stale_status_message(self.case))
            # Shown again, the form offers the next steps from the status as it is now.
            self.data = self.data.copy()
            self.data[self.add_prefix("from_status")] = self.case.status
            self.fields["to"].choices = BLANK + [
                (s, Status(s).label) for s in ALLOWED_TRANSITIONS[self.case.status]
            ]
            return data
        to = data.get("to")
        if to in CLOSING_REASONS:
            reason = data.get("closure_reason")
            if not reason:
                self.add_error("closure_reason", _("Choose why the case is closed."))
            elif reason not in CLOSING_REASONS[to]:
                self.add_error(
                    "closure_reason",
                    _("This reason does not fit the status “%(status)s”.") % {"status": Status(to).label},
                )
        elif to and self.case.status in CLOSING_REASONS and not data.get("note", "").strip():
            self.add_error("note", _("Say why the case is reopened."))
        return data

    def apply_service_error(self, error: ValidationError) -> None:
        if isinstance(error, InvalidTransition):
            # Two people moved the case at the same moment: the other one was first.
            self.add_error("to", stale_status_message(self.case))
        else:
            apply_service_error(self, error)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class VisitForm(forms.Form):
    visit_date = forms.DateField(label=_("Visit date"), widget=DateInput(), validators=[_not_in_future])
    note = forms.CharField(
        label=_("What you found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_date"].initial = timezone.localdate


def child_served_label(child) -> str:
    """The child's initials and age: enough to tell a case's children apart on the page."""
    age = child.age_on(child.case.incident_date)
    return _("Child %(initials)s, %(age)s") % {
        "initials": initials(child.person.name),
        "age": _("%(years)s yrs") % {"years": age} if age is not None else _("age unknown"),
    }


class ServiceForm(forms.ModelForm):
    """A service given: with several children, which of them received it (SIMFONI counts
    services by the victims served); with one, that child."""

    class Meta:
        model = Service
        fields = ["service_type", "provider", "date", "outcome"]
        widgets = {"date": DateInput(), "outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case=None, children=None, **kwargs):
        """``children``: the case's Child rows with their persons, when the caller has them."""
        super().__init__(*args, **kwargs)
        self.fields["date"].validators.append(_not_in_future)
        self.fields["date"].initial = timezone.localdate
        if children is None:
            children = list(case.children.select_related("person")) if case is not None else []
        for child in children:
            child.case = case
        if len(children) > 1:
            self.fields["child_ids"] = forms.TypedMultipleChoiceField(
                label=_("Children served"),
                choices=[(c.pk, child_served_label(c)) for c in children],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                initial=[c.pk for c in children],
                error_messages={"required": _("Choose the children who received the service.")},
            )


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["institution", "institution_detail", "date", "reason"]
        widgets = {"date": DateInput(), "reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].validators.append(_not_in_future)
        self.fields["date"].initial = timezone.localdate


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Referral status"), choices=ReferralStatus.choices)
    note = forms.CharField(label=_("Status note"), max_length=255, required=False)


class AssignWorkerForm(forms.Form):
    worker = UserChoiceField(queryset=User.objects.none(), label=_("Case worker"))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = case_workers_for(case)
        self.fields["worker"].initial = case.case_worker_id


# The cadre picker lists the case's kelurahan's cadres and, after a search, the matches: a city
# has thousands of cadres, and a select of all of them was most of the case page's time (issue
# 12: 600 ms for 5,000 options) and half a megabyte on a phone.
CADRE_CHOICES_LOCAL = 200
CADRE_CHOICES_FOUND = 30


class CadreAddForm(forms.Form):
    cadre = UserChoiceField(
        queryset=User.objects.none(),
        label=_("Accompanying cadre"),
        help_text=_("The cadres of the case's kelurahan; search above for a cadre from elsewhere."),
    )

    def __init__(self, *args, case: Case, actor=None, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        eligible = cadres_for(case, actor)
        self.fields["cadre"].queryset = eligible  # what may be chosen: checked by primary key
        shown = list(eligible.filter(kelurahan_id=case.kelurahan_id)[:CADRE_CHOICES_LOCAL])
        search = search.strip()
        found: list = []
        if search:
            found = eligible.exclude(kelurahan_id=case.kelurahan_id).filter(
                Q(first_name__icontains=search)
                | Q(last_name__icontains=search)
                | Q(username__icontains=search)
                | Q(phone__contains=search)
            )
            found = list(found[:CADRE_CHOICES_FOUND])
        shown += found
        label = self.fields["cadre"].label_from_instance
        self.fields["cadre"].widget.choices = [("", "---------"), *[(u.pk, label(u)) for u in shown]]
        self.search = search
        self.found_none = bool(search) and not found


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(attachments.ALLOWED_TYPES)}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Attachment.Kind.choices, initial=Attachment.Kind.DOCUMENT
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF, JPEG, PNG or WebP file of at most %(size)s.") % {
            "size": filesizeformat(attachments.max_bytes())
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = attachments.max_bytes()
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        content_type = attachments.sniff_upload(upload)
        if content_type is None:
            raise ValidationError(
                _("This is not a PDF, JPEG, PNG or WebP file. Only these types can be attached.")
            )
        problem = attachments.image_problem(upload, content_type)
        if problem:
            raise ValidationError(problem)
        self.content_type = content_type
        return upload

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == Attachment.Kind.PHOTO
            and "file" in data
            and not self.content_type.startswith("image/")
        ):
            self.add_error("kind", _("A photo must be a JPEG, PNG or WebP image."))
        return data


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should KPAD review this case?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the case goes to KPAD."))
        return reason


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer to KPAD"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
