"""Every child becomes a Person; every case keeps its children, events and consent.

* One Person per NIK where children share a NIK (the same child in several cases), else one
  per child. Where children with one NIK differ, the most recently entered child's identity
  is kept (the latest correction); every Child row, and so every case, stays.
* An estimated age becomes the estimated year of birth it implies on the incident date, so
  the age shown for that case does not change.
* A named parent/guardian becomes a Person of their own, with their contact, tied to the
  child as guardian (the old form did not say which), and named on the Child row.
* ``Case.consent`` was "the family agrees that this report is recorded and followed up".
  Where it was ticked: a consent record per child, "follow-up by the Dinas: given", by a
  giver not recorded, and the family counted as told of the report.

Batches of BATCH rows, so a city's whole history migrates in bounded memory. Reversible:
going back copies the identities onto the Child rows again.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 2000


def _birth_year(child):
    if child.birth_date is not None or child.estimated_age is None:
        return None
    return child.case.incident_date.year - child.estimated_age


def persons_from_children(apps, schema_editor):
    Child = apps.get_model("cases", "Child")
    Person = apps.get_model("cases", "Person")
    FamilyLink = apps.get_model("cases", "FamilyLink")
    while True:
        # Newest first, so where NIKs match the latest entry's identity is the one kept.
        rows = list(
            Child.objects.filter(person__isnull=True)
            .select_related("case")
            .order_by("-id")[:BATCH]
        )
        if not rows:
            break
        niks = {c.nik for c in rows if c.nik}
        by_nik = {p.nik: p for p in Person.objects.filter(nik__in=niks, merged_into__isnull=True)}
        new_persons = []
        for child in rows:
            person = by_nik.get(child.nik) if child.nik else None
            if person is None:
                person = Person(
                    name=child.name,
                    sex=child.sex,
                    birth_date=child.birth_date,
                    birth_year=_birth_year(child),
                    nik=child.nik,
                    created_by_id=child.case.reported_by_id,
                )
                new_persons.append(person)
                if child.nik:
                    by_nik[child.nik] = person
            child.person = person
        Person.objects.bulk_create(new_persons)
        for child in rows:
            child.person_id = child.person.pk

        # Guardians: one Person per child record and guardian name, reused across its cases.
        person_ids = {c.person_id for c in rows if c.guardian_name.strip()}
        guardians = {
            (link.person_id, link.relative.name.strip().upper()): link.relative
            for link in FamilyLink.objects.filter(person_id__in=person_ids, relation="wali").select_related(
                "relative"
            )
        }
        new_guardians, new_links = [], []
        for child in rows:
            name = child.guardian_name.strip()
            if not name:
                continue
            key = (child.person_id, name.upper())
            guardian = guardians.get(key)
            if guardian is None:
                guardian = Person(
                    name=name, contact=child.guardian_contact, created_by_id=child.case.reported_by_id
                )
                guardians[key] = guardian
                new_guardians.append(guardian)
                new_links.append((child.person_id, guardian))
            child.guardian = guardian
        Person.objects.bulk_create(new_guardians)
        FamilyLink.objects.bulk_create(
            [FamilyLink(person_id=pid, relative_id=g.pk, relation="wali") for pid, g in new_links]
        )
        for child in rows:
            if child.guardian is not None:
                child.guardian_id = child.guardian.pk
        Child.objects.bulk_update(rows, ["person", "guardian"])


def consent_records(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Child = apps.get_model("cases", "Child")
    Consent = apps.get_model("cases", "Consent")
    ConsentItem = apps.get_model("cases", "ConsentItem")
    Case.objects.filter(consent=True).update(family_informed=True)
    last = 0
    while True:
        rows = list(
            Child.objects.filter(case__consent=True, pk__gt=last).select_related("case").order_by("id")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1].pk
        consents = [
            Consent(
                case_id=c.case_id,
                child_id=c.pk,
                given_by="tidak_diketahui",
                recorded_by_id=c.case.reported_by_id,
                recorded_at=c.case.reported_at,
            )
            for c in rows
        ]
        Consent.objects.bulk_create(consents)
        ConsentItem.objects.bulk_create(
            [ConsentItem(consent_id=c.pk, purpose="tindak_lanjut", answer="diberikan") for c in consents]
        )


def identities_back_on_children(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Child = apps.get_model("cases", "Child")
    Person = apps.get_model("cases", "Person")
    ConsentItem = apps.get_model("cases", "ConsentItem")
    given = ConsentItem.objects.filter(
        consent__case=OuterRef("pk"), purpose="tindak_lanjut", answer="diberikan"
    )
    Case.objects.filter(Exists(given)).update(consent=True)
    last = 0
    while True:
        rows = list(
            Child.objects.filter(pk__gt=last).select_related("case", "person", "guardian").order_by("id")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1].pk
        for child in rows:
            person = child.person
            child.name = person.name
            child.sex = person.sex or "P"
            child.birth_date = person.birth_date
            child.estimated_age = (
                max(child.case.incident_date.year - person.birth_year, 0) if person.birth_year else None
            )
            child.nik = person.nik
            child.guardian_name = child.guardian.name if child.guardian else ""
            child.guardian_contact = child.guardian.contact if child.guardian else ""
        Child.objects.bulk_update(
            rows,
            ["name", "sex", "birth_date", "estimated_age", "nik", "guardian_name", "guardian_contact"],
        )
    apps.get_model("cases", "Consent").objects.all().delete()
    apps.get_model("cases", "DoNotTell").objects.all().delete()
    apps.get_model("cases", "Perpetrator").objects.update(person=None)
    Child.objects.update(person=None, guardian=None)
    apps.get_model("cases", "FamilyLink").objects.all().delete()
    Person.objects.update(merged_into=None)
    Person.objects.all().delete()


def forward(apps, schema_editor):
    persons_from_children(apps, schema_editor)
    consent_records(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_persons")]

    operations = [migrations.RunPython(forward, identities_back_on_children, elidable=False)]
