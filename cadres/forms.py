"""Roster forms: the filters of the list, a cadre's entry, their login, and the import upload."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import LeanFields
from core.validators import validate_nik, validate_not_future
from kelurahan.models import Kecamatan, Kelurahan

from .importer import FIRST_COHORT
from .models import Cadre, CadreStatus

FLAGGED = "flagged"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Kelurahan) -> str:
        return f"{obj.common_name} — {obj.kecamatan.common_name}"


def cohort_choices() -> list[tuple[int, str]]:
    return [(year, str(year)) for year in range(timezone.localdate().year, FIRST_COHORT - 1, -1)]


class CadreFilterForm(LeanFields, forms.Form):
    q = forms.CharField(label=_("Name, NIK or phone"), required=False, max_length=100)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False, empty_label=_("All")
    )
    kelurahan = KelurahanChoiceField(
        label=_("Kelurahan"), queryset=Kelurahan.objects.none(), required=False, empty_label=_("All")
    )
    cohort = forms.TypedChoiceField(label=_("Cohort"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, kelurahan_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = kelurahan_qs.order_by("common_name")
        self.fields["kecamatan"].queryset = Kecamatan.objects.filter(
            pk__in=kelurahan_qs.values("kecamatan")
        ).order_by("common_name")
        self.fields["cohort"].choices = [("", _("All")), *cohort_choices()]
        self.fields["status"].choices = [
            ("", _("All")),
            *CadreStatus.choices,
            (FLAGGED, _("Flagged inactive by the daily check")),
        ]

    def apply(self, qs):
        """The roster narrowed by the valid filters (invalid ones are ignored)."""
        from django.db.models import Q

        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kecamatan"):
            qs = qs.filter(kelurahan__kecamatan=data["kecamatan"])
        if data.get("kelurahan"):
            qs = qs.filter(kelurahan=data["kelurahan"])
        if data.get("cohort"):
            qs = qs.filter(cohort=data["cohort"])
        status = data.get("status")
        if status == FLAGGED:
            qs = qs.filter(inactive_since__isnull=False)
        elif status:
            qs = qs.filter(status=status)
        text = (data.get("q") or "").strip()
        if text:
            digits = "".join(ch for ch in text if ch.isdigit())
            match = Q(name__icontains=text)
            if digits and len(digits) >= 3:
                match |= Q(nik__contains=digits) | Q(phone__contains=digits)
            qs = qs.filter(match)
        return qs

    def filter_query(self) -> QueryDict:
        """The valid filters as a query string's values (the search text is not one of them)."""
        query = QueryDict(mutable=True)
        for name in ("kecamatan", "kelurahan", "cohort", "status"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                query[name] = str(value.pk if hasattr(value, "pk") else value)
        return query

    def export_filters(self) -> dict:
        """The filters in force, for the audit row: ids and codes, never the search text."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kecamatan": data["kecamatan"].code if data.get("kecamatan") else None,
            "kelurahan": data["kelurahan"].code if data.get("kelurahan") else None,
            "cohort": data.get("cohort"),
            "status": data.get("status") or None,
            "searched": bool((data.get("q") or "").strip()),
        }


class CadreForm(forms.ModelForm):
    kelurahan = KelurahanChoiceField(label=_("Kelurahan"), queryset=Kelurahan.objects.none())
    cohort = forms.TypedChoiceField(label=_("Cohort (year trained)"), coerce=int)

    class Meta:
        model = Cadre
        fields = ["name", "nik", "sex", "birth_date", "phone", "address", "kelurahan", "cohort", "status"]
        widgets = {"birth_date": DateInput(), "sex": forms.RadioSelect}
        help_texts = {
            "nik": _("16 digits. Leave empty if not known."),
            "phone": _("The number the cadre uses for WhatsApp, e.g. 0812..."),
        }

    def __init__(self, *args, kelurahan_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = kelurahan_qs.order_by("common_name")
        self.fields["cohort"].choices = [("", "---------"), *cohort_choices()]
        if self.instance.pk and self.instance.cohort and self.instance.cohort < FIRST_COHORT:
            self.fields["cohort"].choices.append((self.instance.cohort, str(self.instance.cohort)))
        self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0]]
        # Blank only on an entry made from a kader account; whoever edits it says the sex.
        self.fields["sex"].required = True
        self.fields["birth_date"].validators.append(validate_not_future)

    def clean_nik(self):
        nik = (self.cleaned_data.get("nik") or "").replace(" ", "")
        if not nik:
            return None
        validate_nik(nik)
        taken = Cadre.objects.filter(nik=nik).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("A cadre with this NIK is already on the roster."), code="nik_taken")
        return nik

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not all(ch.isdigit() or ch in " +-()." for ch in phone):
            raise ValidationError(_("The phone number may hold only digits, spaces, dashes and a leading +."))
        return phone


class CadreLoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the cadre in person; they can change it after logging in."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        username_field = User._meta.get_field("username")
        for validator in username_field.validators:
            validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is already taken."), code="username_taken")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            try:
                validate_password(data["password"], User(username=data.get("username", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (XLSX or CSV)"),
        help_text=_("Use the template's column headers. The first line holds the headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        name = (uploaded.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise ValidationError(_("Choose an XLSX or CSV file."), code="file_type")
        return uploaded
