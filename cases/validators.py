"""Plausibility checks for what a reporter types about a child: age, and the fields that must agree.

The NIK and date checks themselves are shared with the cadre roster (core.validators).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import age_on, nik_birth_date_and_sex

ADULT_AGE = 18


def validate_child_age(value: int | None) -> None:
    if value is not None and not 0 <= value < ADULT_AGE:
        raise ValidationError(_("A child's age is between 0 and 17 years."), code="child_age")


def child_errors(
    *,
    nik: str = "",
    sex: str = "",
    birth_date: dt.date | None = None,
    estimated_age: int | None = None,
    incident_date: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, list]:
    """Checks across a child's fields (each field already valid on its own).

    Returns {field name: [messages]}; empty when everything agrees."""
    today = today or timezone.localdate()
    errors: dict[str, list] = {}

    def add(field: str, message) -> None:
        errors.setdefault(field, []).append(message)

    if birth_date is None and estimated_age is None:
        add("birth_date", _("Give the date of birth or, if it is not known, an estimated age."))
    decoded = nik_birth_date_and_sex(nik, today=today) if nik else None
    if decoded is not None:
        nik_born, nik_sex = decoded
        if birth_date is not None and birth_date != nik_born:
            add("nik", _("The birth date in the NIK does not match the date of birth given."))
        if sex and sex != nik_sex:
            if nik_sex == "P":
                add(
                    "nik",
                    _("This NIK belongs to a female (40 is added to the day), but the sex given is male."),
                )
            else:
                add("nik", _("This NIK belongs to a male, but the sex given is female."))
    if birth_date is not None and estimated_age is not None:
        if abs(age_on(birth_date, today) - estimated_age) > 1:
            add("estimated_age", _("The estimated age does not agree with the date of birth."))
    if birth_date is not None and incident_date is not None:
        if birth_date > incident_date:
            add("birth_date", _("The date of birth is after the incident date."))
        elif age_on(birth_date, incident_date) >= ADULT_AGE:
            add("birth_date", _("This person was 18 or older on the incident date, so not a child."))
    return errors
