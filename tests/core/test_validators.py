"""The shared checks: a NIK's digits and dates in the future."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core import validators as v

TODAY = dt.date(2026, 11, 29)

# 61 Kalimantan Barat, 71 Kota Pontianak, 06 Pontianak Tenggara; born 2 March 2014.
BOY = "6171060203140001"
GIRL = "6171064203140001"  # the same date, day + 40


def codes(nik: str) -> str:
    with pytest.raises(ValidationError) as raised:
        v.validate_nik(nik)
    return raised.value.code


@pytest.mark.parametrize(
    "nik",
    [
        BOY,
        GIRL,
        "1101010101100001",  # Aceh
        "1971010101100001",  # Kepulauan Bangka Belitung
        "2171010101100001",  # Kepulauan Riau
        "3171010101100001",  # DKI Jakarta
        "3671010101100001",  # Banten
        "5171010101100001",  # Bali
        "5371010101100001",  # NTT
        "6571010101100001",  # Kalimantan Utara
        "7171010101100001",  # Sulawesi Utara
        "7671010101100001",  # Sulawesi Barat
        "8171010101100001",  # Maluku
        "8271010101100001",  # Maluku Utara
        "9171010101100001",  # Papua
        "9771010101100001",  # Papua Barat Daya
        "6171062902160001",  # 29 Feb 2016, a leap year
        "6171067112090001",  # a girl born 31 Dec 2009
        "6171060101900001",  # an adult born 1 Jan 1990
    ],
)
def test_it_accepts_plausible_niks(nik):
    v.validate_nik(nik)


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("617106020314000", "nik_length"),  # 15 digits
        ("61710602031400011", "nik_length"),  # 17 digits
        ("61710602031400O1", "nik_length"),  # a letter O
        ("6171 0602031400", "nik_length"),
        ("", "nik_length"),
        ("1071060203140001", "nik_province"),  # 10: no province
        ("2071060203140001", "nik_province"),
        ("3771060203140001", "nik_province"),
        ("5471060203140001", "nik_province"),
        ("6671060203140001", "nik_province"),
        ("7771060203140001", "nik_province"),
        ("8371060203140001", "nik_province"),
        ("9071060203140001", "nik_province"),
        ("9871060203140001", "nik_province"),
        ("0071060203140001", "nik_province"),
        ("6100060203140001", "nik_regency"),
        ("6171000203140001", "nik_district"),
        ("6171060003140001", "nik_date"),  # day 00
        ("6171063203140001", "nik_date"),  # day 32
        ("6171064003140001", "nik_date"),  # day 40 (female day 00)
        ("6171067203140001", "nik_date"),  # day 72 (female day 32)
        ("6171060213140001", "nik_date"),  # month 13
        ("6171060200140001", "nik_date"),  # month 00
        ("6171063002140001", "nik_date"),  # 30 February
        ("6171067002140001", "nik_date"),  # 30 February, female
        ("6171062902150001", "nik_date"),  # 29 February 2015
    ],
)
def test_it_refuses_implausible_niks(nik, code):
    assert codes(nik) == code


def test_it_reads_the_birth_date_and_sex_of_a_nik():
    assert v.nik_birth_date_and_sex(BOY, today=TODAY) == (dt.date(2014, 3, 2), "L")
    assert v.nik_birth_date_and_sex(GIRL, today=TODAY) == (dt.date(2014, 3, 2), "P")


def test_it_puts_a_two_digit_year_in_the_latest_century_not_in_the_future():
    assert v.nik_birth_date_and_sex("6171060101260001", today=TODAY) == (dt.date(2026, 1, 1), "L")
    assert v.nik_birth_date_and_sex("6171060112260001", today=TODAY) == (dt.date(1926, 12, 1), "L")
    assert v.nik_birth_date_and_sex("6171060101300001", today=TODAY) == (dt.date(1930, 1, 1), "L")


@time_machine.travel(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC), tick=False)
def test_it_refuses_dates_in_the_future():
    v.validate_not_future(None)
    v.validate_not_future(dt.date(2026, 11, 29))
    with pytest.raises(ValidationError):
        v.validate_not_future(dt.date(2026, 11, 30))
