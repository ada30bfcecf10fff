"""Checks of Indonesian identity numbers and dates that every part of SIGAP shares.

A NIK (Nomor Induk Kependudukan) has 16 digits::

    PP KK CC DDMMYY SSSS
    |  |  |  |      serial number
    |  |  |  birth date; DD + 40 for a female
    |  |  kecamatan
    |  kabupaten/kota
    province (Kemendagri code)

What can be checked without the Dukcapil register: the length, a real province, a
kabupaten/kota and kecamatan part that is not 00, and a real birth date.
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
