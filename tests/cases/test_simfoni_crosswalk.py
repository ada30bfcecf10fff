"""The crosswalk maps every SIGAP choice to something SIMFONI-PPA has, in every version."""

import pytest
from django.db import models as dj

from cases import models
from cases.simfoni import crosswalk as cw


@pytest.mark.parametrize("version", cw.versions())
@pytest.mark.parametrize("field_name", sorted(cw.FIELD_CHOICES))
def test_every_sigap_choice_maps_to_a_simfoni_option(version, field_name):
    walk = cw.crosswalk(version)
    options = walk.simfoni_list(field_name)
    assert options, f"{field_name}: SIMFONI's options are listed"
    for code in [c for c in cw.FIELD_CHOICES[field_name].values if c]:
        entry = walk.entry(field_name, code)
        assert entry is not None, f"{version}: {field_name}={code!r} has no SIMFONI entry"
        if entry.legacy:
            # An older SIGAP value: the sheet asks for a precise one before the child is ready.
            assert entry.label is None and entry.note
            continue
        assert entry.label in options, (
            f"{version}: {field_name}={code!r} maps to {entry.label!r}, not an option"
        )
        assert entry.code == str(options.index(entry.label) + 1)
        assert set(entry.sources) <= set(cw.sources()), f"{field_name}={code!r}: unknown source"


def test_the_crosswalk_has_no_entry_for_a_code_sigap_lacks():
    walk = cw.crosswalk()
    for field_name, choices in cw.FIELD_CHOICES.items():
        assert set(walk.fields[field_name]["choices"]) == {c for c in choices.values if c}, field_name


def test_every_coded_field_of_a_victim_and_perpetrator_is_in_the_crosswalk():
    """A new choice field on the victim's or perpetrator's row must be given a SIMFONI mapping."""
    covered = {choices for choices in cw.FIELD_CHOICES.values()}
    covered_values = {tuple(c.values) for c in covered}
    for model in (models.Child, models.Perpetrator, models.VictimPerpetrator, models.Service, models.Case):
        for field in model._meta.get_fields():
            if not isinstance(field, dj.CharField) or not field.choices:
                continue
            if model is models.Case and field.name not in ("place_type",):
                continue  # the case's workflow fields are SIGAP's own, not SIMFONI's
            values = tuple(v for v, _label in field.choices)
            assert values in covered_values, f"{model.__name__}.{field.name} has no crosswalk field"


def test_v3_is_marked_unverified_and_inherits_v2():
    v2, v3 = cw.crosswalk("v2"), cw.crosswalk("v3")
    assert v3.fields == v2.fields
    assert v3.unverified == v2.unverified > 0
    # Nothing has been checked against the live form yet: every entry says so.
    assert all(not e.get("verified") for f in v3.fields.values() for e in f["choices"].values())


def test_simfonis_own_options_are_there():
    walk = cw.crosswalk()
    assert "Lembaga Pendidikan Kilat" in walk.simfoni_list("place")
    assert {"Suami/Istri", "Rekan Kerja"} <= set(walk.simfoni_list("relation"))
    assert walk.label_of("place", "online") == "Lainnya"
    assert walk.label_of("education", "paud") != walk.label_of("education", "tk")
