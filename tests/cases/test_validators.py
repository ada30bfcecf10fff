"""Plausibility checks on what a reporter types about a child: ages, and fields that must agree."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cases import validators as v

TODAY = dt.date(2026, 11, 29)

# 61 Kalimantan Barat, 71 Kota Pontianak, 06 Pontianak Tenggara; born 2 March 2014.
BOY = "6171060203140001"
GIRL = "6171064203140001"  # the same date, day + 40


@pytest.mark.parametrize(("age", "ok"), [(0, True), (17, True), (18, False), (40, False), (None, True)])
def test_it_accepts_only_a_childs_age(age, ok):
    if ok:
        v.validate_child_age(age)
    else:
        with pytest.raises(ValidationError):
            v.validate_child_age(age)


def test_a_child_whose_fields_agree_has_no_errors():
    assert (
        v.child_errors(nik=GIRL, sex="P", birth_date=dt.date(2014, 3, 2), estimated_age=12, today=TODAY) == {}
    )
    assert v.child_errors(estimated_age=9, today=TODAY) == {}


def test_it_needs_a_birth_date_or_an_estimated_age():
    assert "birth_date" in v.child_errors(sex="L", today=TODAY)


def test_the_birth_date_must_match_the_niks():
    errors = v.child_errors(nik=BOY, sex="L", birth_date=dt.date(2014, 3, 3), today=TODAY)
    assert list(errors) == ["nik"]


def test_the_sex_must_match_the_niks_female_plus_40():
    assert "nik" in v.child_errors(nik=GIRL, sex="L", birth_date=dt.date(2014, 3, 2), today=TODAY)
    assert "nik" in v.child_errors(nik=BOY, sex="P", birth_date=dt.date(2014, 3, 2), today=TODAY)


@pytest.mark.parametrize(("age", "ok"), [(11, True), (12, True), (13, True), (10, False), (14, False)])
def test_the_estimated_age_must_agree_with_the_birth_date_within_a_year(age, ok):
    # Born 2 March 2014: 12 years old on 29 November 2026.
    errors = v.child_errors(birth_date=dt.date(2014, 3, 2), estimated_age=age, today=TODAY)
    assert ("estimated_age" not in errors) is ok


def test_a_child_must_be_under_18_on_the_incident_date():
    born = dt.date(2008, 6, 1)
    assert v.child_errors(birth_date=born, incident_date=dt.date(2026, 5, 31), today=TODAY) == {}
    assert "birth_date" in v.child_errors(birth_date=born, incident_date=dt.date(2026, 6, 1), today=TODAY)


def test_a_child_cannot_be_born_after_the_incident():
    errors = v.child_errors(birth_date=dt.date(2020, 1, 2), incident_date=dt.date(2020, 1, 1), today=TODAY)
    assert "birth_date" in errors
