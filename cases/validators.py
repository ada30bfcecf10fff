"""Plausibility checks for what a reporter types: NIK, dates, ages.

A NIK (Nomor Induk Kependudukan) has 16 digits::

    PP KK CC DDMMYY SSSS
    |  |  |  |      serial number
    |  |  |  birth date; DD + 40 for a female
    |  |  kecamatan
    |  kabupaten/kota
    province (Kemendagri code)

We check what can be checked without the Dukcapil register: the length, a real
province, a kabupaten/kota and kecamatan part that is not 00, and a real birth
date; then that the date and sex agree with what else was typed about the child.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Kemendagri province codes (Permendagri on region codes; 91-97: the Papua provinces).
PROVINCE_CODES = frozenset(
    {
        *(str(c) for c in range(11, 20)),  # Aceh .. Kepulauan Riau
        "21",
        *(str(c) for c in range(31, 37)),  # DKI Jakarta .. Banten
        "51",
        "52",
        "53",
        *(str(c) for c in range(61, 66)),  # Kalimantan
        *(str(c) for c in range(71, 77)),  # Sulawesi
        "81",
        "82",
        *(str(c) for c in range(91, 98)),  # Papua
    }
)
ADULT_AGE = 18
FEMALE_DAY_OFFSET = 40


def _today() -> dt.date:
    return timezone.localdate()


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years from birth_date to day."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def nik_birth_date_and_sex(nik: str, *, today: dt.date | None = None) -> tuple[dt.date, str] | None:
    """The birth date and sex ("L"/"P") encoded in a NIK's digits 7-12, or None if no real date.

    The year has two digits: we take the latest century that does not put the
    date in the future (a child born in 2014 is "14", not 1914)."""
    if len(nik) != 16 or not nik.isdigit():
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        sex = "P"
    today = today or _today()
    for century in (2000, 1900):
        try:
            born = dt.date(century + year, month, day)
        except ValueError:
            return None
        if born <= today:
            return born, sex
    return None


def validate_nik(value: str) -> None:
    """A NIK must be 16 digits with a real province, regency and birth date."""
    nik = (value or "").strip()
    if len(nik) != 16 or not nik.isdigit():
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    if nik[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of the NIK are not an Indonesian province code."), code="nik_province"
        )
    if nik[2:4] == "00":
        raise ValidationError(
            _("Digits 3 and 4 of the NIK (the kabupaten/kota) cannot be 00."), code="nik_regency"
        )
    if nik[4:6] == "00":
        raise ValidationError(
            _("Digits 5 and 6 of the NIK (the kecamatan) cannot be 00."), code="nik_district"
        )
    if nik_birth_date_and_sex(nik) is None:
        raise ValidationError(
            _(
                "Digits 7 to 12 of the NIK must be a real birth date (DDMMYY, with 40 added to the day "
                "for a female)."
            ),
            code="nik_date",
        )


def validate_not_future(value: dt.date | None) -> None:
    if value is not None and value > _today():
        raise ValidationError(_("The date cannot be in the future."), code="future")


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
    today = today or _today()
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
