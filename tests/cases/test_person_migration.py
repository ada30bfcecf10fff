"""Moving the children's identity onto Person records keeps every case, event and consent.

The database goes back to before the move (cases 0004: Child still holds the identity,
Case.consent still exists), is filled through the models as they were then, and migrated
forward: one person per NIK, one per child without a NIK, guardians as persons of their own,
an estimated age as the year of birth it implies, "consent" as a consent record. Then back
again: the identities return to the Child rows. (One test: each migration walk takes seconds.)
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Case, CaseEvent, Child, Consent, FamilyLink, Person
from tests import factories as f

BEFORE_THE_MOVE = [("cases", "0004_persons")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(db):
    f.ensure_regions()
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(latest())


def old_case(
    old, *, number: int, reporter, consent: bool, children: list[dict], incident=dt.date(2025, 6, 1)
):
    Case = old.get_model("cases", "Case")
    Kelurahan = old.get_model("kelurahan", "Kelurahan")
    now = timezone.now()
    case = Case.objects.create(
        number=f"SGP-2025-{number:05d}",
        year=2025,
        sequence=number,
        incident_date=incident,
        place_type="rumah_tangga",
        kelurahan=Kelurahan.objects.get(code=f.BANSIR_LAUT),
        narrative="Data sintetis.",
        source="kader",
        consent=consent,
        reported_by_id=reporter.pk,
        reported_at=now,
        last_activity_at=now,
    )
    old.get_model("cases", "CaseEvent").objects.create(
        case=case, kind="created", at=now, actor_id=reporter.pk, to_status="dilaporkan"
    )
    for values in children:
        old.get_model("cases", "Child").objects.create(case=case, **{"sex": "P", **values})
    return case


@pytest.mark.django_db(transaction=True)
def test_the_move_to_persons_keeps_every_case_merges_by_nik_and_goes_back(before_the_move):
    old = before_the_move
    User = old.get_model("accounts", "User")
    reporter = User.objects.create(username="pelapor", role="petugas")
    nik = "6171064203140001"
    first = old_case(
        old,
        number=1,
        reporter=reporter,
        consent=True,
        children=[
            {"name": "Siti Lama", "nik": nik, "birth_date": dt.date(2014, 3, 2), "guardian_name": "Ibu Siti"},
            {
                "name": "Budi",
                "sex": "L",
                "estimated_age": 7,
                "guardian_name": "Ibu Siti",
                "guardian_contact": "0812",
            },
        ],
    )
    second = old_case(
        old,
        number=2,
        reporter=reporter,
        consent=False,
        children=[
            {"name": "Siti Baru", "nik": nik, "birth_date": dt.date(2014, 3, 2), "guardian_name": "ibu siti"}
        ],
    )

    migrate(latest())

    assert Case.objects.count() == 2 and CaseEvent.objects.count() == 2
    siti_rows = Child.objects.filter(person__nik=nik).select_related("person", "case")
    assert {r.case_id for r in siti_rows} == {first.pk, second.pk}
    assert len({r.person_id for r in siti_rows}) == 1  # one child, one record
    assert siti_rows[0].person.name == "Siti Baru"  # the latest entry's identity is kept
    budi = Child.objects.select_related("person", "guardian", "case").get(person__name="Budi")
    assert budi.person.birth_year == 2018 and budi.age_on(budi.case.incident_date) == 7
    assert (budi.guardian.name, budi.guardian.contact) == ("Ibu Siti", "0812")
    assert FamilyLink.objects.filter(person=budi.person, relative=budi.guardian, relation="wali").exists()
    # Siti's guardian named twice (in two spellings) is one person.
    assert len({r.guardian_id for r in siti_rows}) == 1
    assert Person.objects.count() == 4  # Siti, Budi, Siti's guardian, Budi's guardian

    ticked = Case.objects.get(pk=first.pk)
    assert ticked.family_informed and not Case.objects.get(pk=second.pk).family_informed
    consents = Consent.objects.filter(case=ticked).prefetch_related("items")
    assert consents.count() == 2  # one per child
    for consent in consents:
        assert consent.given_by == "tidak_diketahui" and consent.decided_on is None
        assert [(i.purpose, i.answer) for i in consent.items.all()] == [("tindak_lanjut", "diberikan")]
    assert not Consent.objects.filter(case_id=second.pk).exists()

    # And back: the identities return to the Child rows, the consent to its box.
    back = migrate(BEFORE_THE_MOVE)
    OldChild = back.get_model("cases", "Child")
    row = OldChild.objects.get(name="Budi")
    assert (row.sex, row.estimated_age, row.guardian_name, row.guardian_contact) == (
        "L",
        7,
        "Ibu Siti",
        "0812",
    )
    assert sorted(OldChild.objects.filter(nik=nik).values_list("case_id", flat=True)) == [first.pk, second.pk]
    assert back.get_model("cases", "Case").objects.get(pk=first.pk).consent is True
    assert back.get_model("cases", "Case").objects.get(pk=second.pk).consent is False
    assert not back.get_model("cases", "Person").objects.exists()
