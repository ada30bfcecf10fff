from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_nik

from . import audit
from .models import User
from .policy import Cap, Role, area_for_role, may_be_supervisor, on_the_roster, role_can

FIRST_COHORT = 2017  # the first cohort of trained cadres (DESIGN.md)
ROSTER_FIELDS = ("cadre_nik", "cadre_sex", "cadre_cohort")


def _kelurahan_label(kelurahan) -> str:
    return f"{kelurahan.common_name} — {kelurahan.kecamatan.common_name}"


class UserForm(forms.ModelForm):
    """The area fields come from the user's own foreign keys: accounts does not import the
    regions app (it sits below it). A cadre's account also says who the cadre is on the roster
    (the cadre_* fields, handed to the cadres app through the service)."""

    cadre_nik = forms.CharField(
        label=_("Cadre's NIK"),
        required=False,
        max_length=20,
        help_text=_(
            "Finds the cadre on the roster. Leave it empty if unknown: the name and kelurahan, "
            "or else the phone, are used."
        ),
    )
    cadre_sex = forms.ChoiceField(
        label=_("Cadre's sex"),
        required=False,
        choices=[("", "---------"), ("L", _("Male")), ("P", _("Female"))],
        help_text=_("Used when nobody on the roster matches: the cadre is then put on the roster."),
    )
    cadre_cohort = forms.IntegerField(
        label=_("Cohort (year trained)"),
        required=False,
        help_text=_("Used when nobody on the roster matches; empty: this year."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "kelurahan",
            "kecamatan",
            "is_supervisor",
        ]
        labels = {
            "username": _("Username"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "email": _("Email"),
            "kelurahan": _("Kelurahan"),
            "kecamatan": _("Kecamatan"),
            "is_supervisor": _("Supervisor"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kelurahan = self.fields["kelurahan"]
        kelurahan.queryset = kelurahan.queryset.select_related("kecamatan").order_by(
            "kecamatan__code", "common_name"
        )
        kelurahan.label_from_instance = _kelurahan_label
        kecamatan = self.fields["kecamatan"]
        kecamatan.queryset = kecamatan.queryset.order_by("common_name")

    def clean_cadre_nik(self):
        nik = (self.cleaned_data.get("cadre_nik") or "").replace(" ", "")
        if nik:
            validate_nik(nik)
        return nik

    def clean_cadre_cohort(self):
        cohort = self.cleaned_data.get("cadre_cohort")
        if cohort is not None and not FIRST_COHORT <= cohort <= timezone.localdate().year:
            raise forms.ValidationError(
                _("The cohort is a year from %(first)d to this year.") % {"first": FIRST_COHORT}
            )
        return cohort

    def roster(self) -> dict:
        """What the form says of the cadre, for the roster (empty for other roles)."""
        data = self.cleaned_data
        if not on_the_roster(data.get("role")) or "cadre_nik" not in self.fields:
            return {}
        return {"nik": data["cadre_nik"], "sex": data["cadre_sex"], "cohort": data["cadre_cohort"]}

    def clean(self):
        cleaned = super().clean()
        # The area follows the role: drop an area field that the chosen role does not use,
        # so that a value left in a hidden field does not block the save.
        cleaned.update(
            area_for_role(
                cleaned.get("role"), kelurahan=cleaned.get("kelurahan"), kecamatan=cleaned.get("kecamatan")
            )
        )
        # Likewise the supervisor mark: it means something only for a role that may hold it.
        if not may_be_supervisor(cleaned.get("role")):
            cleaned["is_supervisor"] = False
        return cleaned


class UserCreateForm(UserForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords do not match."))
        return p2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)


class UserEditForm(UserForm):
    class Meta(UserForm.Meta):
        fields = [*UserForm.Meta.fields, "is_active"]
        labels = {**UserForm.Meta.labels, "is_active": _("Active (may log in)")}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["username"].disabled = True
        if self.instance.roster_entry is not None:
            for name in ROSTER_FIELDS:  # already on the roster: the roster says who the cadre is
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None and self.instance.pk == self.actor.pk:
            if not role_can(cleaned.get("role"), Cap.MANAGE_USERS):
                self.add_error("role", _("You cannot take the administrator role from yourself."))
            if cleaned.get("is_active") is False:
                self.add_error("is_active", _("You cannot deactivate your own account."))
        return cleaned


class SetPasswordForm(forms.Form):
    password1 = UserCreateForm.base_fields["password1"]
    password2 = UserCreateForm.base_fields["password2"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p2:
            try:
                password_validation.validate_password(p2, self.user)
            except forms.ValidationError as error:
                self.add_error("password2", error)
        return cleaned


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters, as choices: the actions by their labels (registered by each app,
    accounts.audit), the actors, the record types by name, a range of (Pontianak) dates; a record
    is named by its id or, for a case, its number."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.ModelChoiceField(
        label=_("Actor"),
        required=False,
        queryset=User.objects.order_by("username"),
        to_field_name="username",
        empty_label=_("Everyone"),
    )
    target_type = forms.ChoiceField(label=_("Record type"), required=False)
    target_id = forms.CharField(label=_("Record id"), required=False)
    case_number = forms.CharField(label=_("Case number"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *audit.action_choices()]
        self.fields["actor"].label_from_instance = _actor_label
        self.fields["target_type"].choices = [("", _("All record types")), *audit.record_type_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _actor_label(user) -> str:
    name = user.get_full_name()
    return f"{user.username} ({name})" if name else user.username


# --- The second factor ----------------------------------------------------------------------------


class SecondFactorForm(forms.Form):
    field_name = "code"
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=6,
        min_length=6,
        help_text=_("Six digits. A new code appears every 30 seconds."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    field_name = "recovery_code"
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        help_text=_(
            "One of the codes you wrote down when you set up two-step verification, e.g. abcde-fghjk."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolForm(SecondFactorForm):
    pass
