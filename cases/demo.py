"""Synthetic cases for the demo and for load tests. Synthetic only: no real case data, ever.

The synthetic people and case facts shared by the two generators, and the second of them:

* ``demo.year.seed_demo_cases`` lives a year of about a hundred cases through the real
  services (see there), so their timelines, audit rows and KPAD reviews are real and dated
  in the past. It is idempotent: it does nothing once any demo case exists.
* ``bulk_demo_cases`` adds N cases with bulk inserts (100 000 in a few minutes on
  PostgreSQL), still numbering them from ``CaseNumberSequence``: each batch reserves a block
  of numbers for its year with one locked update, inside the batch's transaction, so
  concurrent intakes keep getting unique numbers and the batch's numbers are contiguous.

Every demo case's narrative starts with ``DEMO_MARKER`` so demo cases can be told apart.
Names come from Faker's id_ID locale; NIKs have Pontianak's region code, a plausible birth
date part and a random serial; addresses are on real streets of the case's kecamatan.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.policy import Cap
from accounts.selectors import users_with_capability
from kelurahan.demo_streets import demo_address
from kelurahan.models import Kelurahan

from . import services
from .models import (
    CLOSED_STATUSES,
    Case,
    CaseCadre,
    CaseEvent,
    CaseNumberSequence,
    Child,
    ChildViolence,
    ClosureReason,
    FamilyLink,
    Perpetrator,
    Person,
    PlaceType,
    ProtectionCategory,
    Relation,
    Risk,
    SchoolLevel,
    Source,
    Status,
    VictimPerpetrator,
    ViolenceType,
)
from .models import CaseViolence as Violence

DEMO_MARKER = "[Data demo sintetis]"

VIOLENCE_WEIGHTS = {
    ViolenceType.FISIK: 28,
    ViolenceType.PSIKIS: 18,
    ViolenceType.SEKSUAL: 30,
    ViolenceType.EKSPLOITASI: 7,
    ViolenceType.TRAFFICKING: 2,
    ViolenceType.PENELANTARAN: 12,
    ViolenceType.LAINNYA: 3,
}
CATEGORY_WEIGHTS = {
    ProtectionCategory.NONE: 50,
    ProtectionCategory.PERLAKUAN_SALAH: 15,
    ProtectionCategory.ABH_KORBAN: 10,
    ProtectionCategory.HAK_ASUH: 6,
    ProtectionCategory.PUTUS_SEKOLAH: 6,
    ProtectionCategory.NAFKAH: 5,
    ProtectionCategory.PORNOGRAFI: 4,
    ProtectionCategory.EKSPLOITASI_EKONOMI: 4,
}
RISK_WEIGHTS = {Risk.RENDAH: 25, Risk.SEDANG: 40, Risk.TINGGI: 25, Risk.KRITIS: 10}
PLACE_WEIGHTS = {
    PlaceType.RUMAH_TANGGA: 50,
    PlaceType.SEKOLAH: 12,
    PlaceType.FASILITAS_UMUM: 12,
    PlaceType.TEMPAT_KERJA: 3,
    PlaceType.ONLINE: 15,
    PlaceType.LAINNYA: 8,
}
RELATION_WEIGHTS = {
    Relation.ORANG_TUA: 25,
    Relation.KELUARGA: 20,
    Relation.TETANGGA: 15,
    Relation.PACAR: 18,
    Relation.GURU: 5,
    Relation.MAJIKAN: 2,
    Relation.TIDAK_DIKENAL: 10,
    Relation.LAINNYA: 5,
}
STATUS_WEIGHTS_RECENT = {
    Status.DILAPORKAN: 20,
    Status.DIVERIFIKASI: 15,
    Status.ASESMEN: 15,
    Status.DITANGANI: 25,
    Status.DIRUJUK: 10,
    Status.SELESAI: 10,
    Status.DITUTUP: 5,
}
STATUS_WEIGHTS_OLD = {
    Status.DITANGANI: 5,
    Status.DIRUJUK: 5,
    Status.SELESAI: 70,
    Status.DITUTUP: 20,
}
ESCALATE_AT_ONCE = {ViolenceType.SEKSUAL, ViolenceType.TRAFFICKING, ViolenceType.EKSPLOITASI}
ONLINE_PROSTITUTION_SHARE = 0.04
NARRATIVES = (
    "Anak dilaporkan mengalami kekerasan di lingkungan tempat tinggal. Kader menerima laporan dari tetangga.",
    "Pihak sekolah melaporkan perubahan perilaku anak dan dugaan kekerasan yang dialami di rumah.",
    "Orang tua melapor bahwa anak dihubungi orang tidak dikenal melalui media sosial dan diminta foto.",
    "Anak ditemukan tidak bersekolah selama beberapa bulan dan bekerja membantu berjualan hingga malam.",
    "Warga melihat anak sering ditinggal sendirian tanpa makanan yang cukup.",
    "Anak bercerita kepada guru tentang perlakuan kasar dari anggota keluarga.",
)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class NameBook:
    """Pools of Indonesian names from Faker's id_ID (drawing from pools is fast at 100 000 cases)."""

    def __init__(self, seed: int | None, size: int = 400):
        from faker import Faker

        fake = Faker("id_ID")
        if seed is not None:
            fake.seed_instance(seed)
        self.male = list({fake.first_name_male() for _ in range(size)})
        self.female = list({fake.first_name_female() for _ in range(size)})
        self.last = list({fake.last_name() for _ in range(size)})

    def name(self, rng: random.Random, sex: str) -> str:
        first = rng.choice(self.female if sex == "P" else self.male)
        return f"{first} {rng.choice(self.last)}" if rng.random() < 0.8 else first


def synthetic_nik(rng: random.Random, *, kecamatan_code: str, birth_date: dt.date, sex: str) -> str:
    """16 digits: the kecamatan's region code, the birth date (day + 40 for girls), a random serial."""
    region = kecamatan_code.replace(".", "")[:6]
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{rng.randint(1, 9999):04d}"


def synthetic_child(
    rng: random.Random, names: NameBook, *, kecamatan_code: str, on: dt.date
) -> services.ChildData:
    sex = rng.choice("LP")
    age = rng.choices(range(18), weights=[2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 9, 10, 11, 11, 10, 9, 8])[0]
    born = on - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    known = rng.random() < 0.8
    school = (
        SchoolLevel.BELUM_SEKOLAH
        if age <= 2
        else SchoolLevel.PAUD
        if age <= 3
        else SchoolLevel.TK
        if age <= 5
        else SchoolLevel.SD
        if age <= 11
        else SchoolLevel.SMP
        if age <= 14
        else SchoolLevel.SMA
    )
    if age >= 13 and rng.random() < 0.1:
        school = SchoolLevel.PUTUS_SEKOLAH
    return services.ChildData(
        name=names.name(rng, sex),
        sex=sex,
        birth_date=born if known else None,
        estimated_age=None if known else age,
        nik=synthetic_nik(rng, kecamatan_code=kecamatan_code, birth_date=born, sex=sex)
        if known and rng.random() < 0.6
        else "",
        school_level=school,
        guardian_name=names.name(rng, rng.choice("LP")),
        guardian_contact=f"08{rng.randint(1000000000, 9999999999)}",
    )


def synthetic_perpetrators(rng: random.Random) -> list[services.PerpetratorData]:
    result = []
    for _ in range(rng.choices((0, 1, 2), weights=(20, 65, 15))[0]):
        relation = _pick(rng, RELATION_WEIGHTS)
        age = rng.randint(13, 65) if relation == Relation.PACAR else rng.randint(18, 65)
        result.append(
            services.PerpetratorData(relation=relation, sex=rng.choice("LLLP"), age=age, is_child=age < 18)
        )
    return result


def case_fields(rng: random.Random, names: NameBook, *, kelurahan: Kelurahan, on: dt.date) -> dict:
    """The case's own fields and its violence types, with the mixes the Dinas sees."""
    prostitution = rng.random() < ONLINE_PROSTITUTION_SHARE
    if prostitution:
        kinds = [ViolenceType.EKSPLOITASI, ViolenceType.SEKSUAL]
        place = PlaceType.ONLINE
    else:
        kinds = list(dict.fromkeys(_pick(rng, VIOLENCE_WEIGHTS) for _ in range(rng.choice((1, 1, 1, 2)))))
        place = _pick(rng, PLACE_WEIGHTS)
    return {
        "violence_types": kinds,
        "incident_date": on - dt.timedelta(days=rng.randint(0, 14)),
        "place_type": place,
        "address": ""
        if place == PlaceType.ONLINE
        else demo_address(rng, kecamatan_code=kelurahan.kecamatan.code),
        "kelurahan": kelurahan,
        "online": prostitution or place == PlaceType.ONLINE,
        "online_prostitution": prostitution,
        "protection_category": (
            ProtectionCategory.EKSPLOITASI_SEKSUAL if prostitution else _pick(rng, CATEGORY_WEIGHTS)
        ),
        "risk": Risk.TINGGI if prostitution and rng.random() < 0.7 else _pick(rng, RISK_WEIGHTS),
        "narrative": f"{DEMO_MARKER} {rng.choice(NARRATIVES)}",
        "family_informed": rng.random() < 0.7,
    }


def demo_cases_exist() -> bool:
    return Case.objects.filter(narrative__startswith=DEMO_MARKER).exists()


# --- N cases with bulk inserts ---------------------------------------------------------------------


def reserve_case_numbers(*, year: int, count: int) -> int:
    """Take `count` consecutive numbers of `year` with one locked update of the year's counter;
    returns the first. Call inside the transaction that inserts the cases, so the block is
    given out only if the cases are saved."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first


def bulk_demo_cases(
    n: int,
    *,
    batch_size: int = 2000,
    years: float = 3.0,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `n` synthetic cases over the last `years` years, in batches of bulk inserts."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    names = NameBook(seed)
    kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("code"))
    workers = list(users_with_capability(Cap.HANDLE_CASES).values_list("pk", flat=True))
    if not kelurahan or not workers:
        raise ValueError("bulk_demo_cases needs the kelurahan and at least one active petugas")
    kaders_by_kelurahan: dict[int, list[int]] = {}
    for pk, kel in users_with_capability(Cap.ACCOMPANY_CASES).values_list("pk", "kelurahan_id"):
        kaders_by_kelurahan.setdefault(kel, []).append(pk)
    now = timezone.now()
    moments = sorted(now - dt.timedelta(days=rng.uniform(0, 365 * years)) for _ in range(n))
    done = 0
    for start in range(0, n, batch_size):
        batch = moments[start : start + batch_size]
        with transaction.atomic():
            for year, group in itertools.groupby(batch, key=lambda at: timezone.localtime(at).year):
                group = list(group)
                first = reserve_case_numbers(year=year, count=len(group))
                _insert(
                    group,
                    year=year,
                    first=first,
                    rng=rng,
                    names=names,
                    kelurahan=kelurahan,
                    workers=workers,
                    kaders_by_kelurahan=kaders_by_kelurahan,
                    now=now,
                )
        done += len(batch)
        if progress:
            progress(done)
    return done


def _insert(moments, *, year, first, rng, names, kelurahan, workers, kaders_by_kelurahan, now) -> None:
    cases, extras = [], []
    for i, at in enumerate(moments):
        kel = rng.choice(kelurahan)
        local_day = timezone.localdate(at)
        fields = case_fields(rng, names, kelurahan=kel, on=local_day)
        kinds = fields.pop("violence_types")
        kaders = kaders_by_kelurahan.get(kel.pk)
        by_kader = bool(kaders) and rng.random() < 0.4
        reporter = rng.choice(kaders) if by_kader else rng.choice(workers)
        old = (now - at).days > 365
        status = _pick(rng, STATUS_WEIGHTS_OLD if old else STATUS_WEIGHTS_RECENT)
        triaged = at + dt.timedelta(hours=rng.uniform(1, 72)) if status != Status.DILAPORKAN else None
        closed = None
        if status in CLOSED_STATUSES:
            closed = min(at + dt.timedelta(days=rng.uniform(1, 180)), now)
            triaged = triaged if status == Status.SELESAI else None
        worker = rng.choice(workers) if triaged else None
        escalate = (set(kinds) & ESCALATE_AT_ONCE or fields["risk"] == Risk.KRITIS) and rng.random() < 0.8
        case = Case(
            number=f"{services.NUMBER_PREFIX}-{year}-{first + i:05d}",
            year=year,
            sequence=first + i,
            status=status,
            source=Source.KADER if by_kader else rng.choice([s for s in Source][1:]),
            reporter_name="" if by_kader else names.name(rng, rng.choice("LP")),
            reported_by_id=reporter,
            case_worker_id=worker,
            closure_reason=(
                rng.choice([ClosureReason.SERVICES_COMPLETE, ClosureReason.REINTEGRATED])
                if status == Status.SELESAI
                else ClosureReason.UNFOUNDED
                if status == Status.DITUTUP
                else ""
            ),
            escalated_at=at + dt.timedelta(minutes=5) if escalate else None,
            reported_at=at,
            triaged_at=triaged,
            closed_at=closed,
            last_activity_at=closed or triaged or at,
            **fields,
        )
        children = [
            synthetic_child(rng, names, kecamatan_code=kel.kecamatan.code, on=local_day)
            for _ in range(rng.choices((1, 2, 3), weights=(70, 22, 8))[0])
        ]
        cases.append(case)
        extras.append((kinds, children, synthetic_perpetrators(rng), by_kader))
    Case.objects.bulk_create(cases)
    violences, children, perpetrators, cadres, events = [], [], [], [], []
    persons, guardians = [], []  # (case, child data, person), (person, guardian)
    for case, (kinds, kids, perps, by_kader) in zip(cases, extras, strict=True):
        violences += [Violence(case_id=case.pk, kind=k) for k in kinds]
        for c in kids:
            estimated = c.birth_date is None and c.estimated_age is not None
            birth_year = case.incident_date.year - c.estimated_age if estimated else None
            person = Person(name=c.name, sex=c.sex, birth_date=c.birth_date, birth_year=birth_year, nik=c.nik)
            persons.append((case, c, person))
            if c.guardian_name:
                guardians.append((person, Person(name=c.guardian_name, contact=c.guardian_contact)))
        perpetrators += [
            Perpetrator(case_id=case.pk, relation=p.relation, sex=p.sex, age=p.age, is_child=p.is_child)
            for p in perps
        ]
        if by_kader:
            cadres.append(
                CaseCadre(case_id=case.pk, user_id=case.reported_by_id, assigned_by_id=case.reported_by_id)
            )
        events.append(
            CaseEvent(
                case_id=case.pk,
                kind=CaseEvent.Kind.CREATED,
                at=case.reported_at,
                actor_id=case.reported_by_id,
                to_status=Status.DILAPORKAN,
            )
        )
        if case.status != Status.DILAPORKAN:
            events.append(
                CaseEvent(
                    case_id=case.pk,
                    kind=CaseEvent.Kind.STATUS,
                    at=case.last_activity_at,
                    actor_id=case.case_worker_id or case.reported_by_id,
                    from_status=Status.DILAPORKAN,
                    to_status=case.status,
                )
            )
        if case.escalated_at:
            events.append(
                CaseEvent(
                    case_id=case.pk,
                    kind=CaseEvent.Kind.ESCALATION,
                    at=case.escalated_at,
                    actor_id=case.reported_by_id,
                )
            )
    Violence.objects.bulk_create(violences)
    Person.objects.bulk_create([p for _case, _data, p in persons] + [g for _p, g in guardians])
    guardian_of = {id(p): g for p, g in guardians}
    FamilyLink.objects.bulk_create(
        [FamilyLink(person=p, relative=g, relation=FamilyLink.Relation.GUARDIAN) for p, g in guardians]
    )
    children = [
        Child(
            case_id=case.pk,
            person=person,
            guardian=guardian_of.get(id(person)),
            school_level=data.school_level,
            disability=data.disability,
            online=case.online,
            online_prostitution=case.online_prostitution,
        )
        for case, data, person in persons
    ]
    Child.objects.bulk_create(children)
    Perpetrator.objects.bulk_create(perpetrators)
    # Coded per victim, as SIMFONI does: each child the case's types, a pair with each perpetrator.
    kinds_of = {case.pk: kinds for case, (kinds, *_rest) in zip(cases, extras, strict=True)}
    perpetrators_of: dict[int, list[Perpetrator]] = {}
    for p in perpetrators:
        perpetrators_of.setdefault(p.case_id, []).append(p)
    ChildViolence.objects.bulk_create(
        [ChildViolence(child=child, kind=k) for child in children for k in kinds_of[child.case_id]]
    )
    VictimPerpetrator.objects.bulk_create(
        [
            VictimPerpetrator(child=child, perpetrator=p, relation=p.relation)
            for child in children
            for p in perpetrators_of.get(child.case_id, [])
        ]
    )
    CaseCadre.objects.bulk_create(cadres)
    CaseEvent.objects.bulk_create(events)
