"""A synthetic cadre roster for the demo. Synthetic only: no real cadre, ever.

About 150 cadres of the cohorts 2017, 2018, 2019 and 2022 spread over the 29 kelurahan, the
older cohorts with fewer still active (the Dinas' complaint), a few kelurahan left without
an active cadre, and the demo users ``kader`` and ``kader2`` linked to roster entries in
their kelurahan. Idempotent: the roster is seeded once; the links are made whenever missing.

``roster_outreach`` is the roster's part of the demo's year (``demo.year`` runs it):
the active cadres' outreach, reported to the Dinas and entered week by week, some cadres
falling silent during the year (the inactive-cadre check flags them) and a few coming back.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Generator

from django.db import transaction
from django.utils import timezone

from accounts.policy import Cap
from accounts.selectors import users_with_capability
from kelurahan.demo_streets import demo_address
from kelurahan.models import Kelurahan

from .models import Cadre, CadreActivity, CadreStatus, Outreach, Sex
from .services import outreach_log

SEED = 2022
COHORTS = {2017: 40, 2018: 38, 2019: 36, 2022: 36}
# Share still active per cohort.
ACTIVE_SHARE = {2017: 0.2, 2018: 0.3, 2019: 0.4, 2022: 0.75}
# These kelurahan get no active cadre, so the overview shows gaps.
GAP_CODES = ("61.71.02.1007", "61.71.03.1004", "61.71.05.1003")
DEMO_ACCOUNTS = ("kader", "kader2")


def _nik(rng: random.Random, *, kecamatan_code: str, sex: str, born: dt.date, serial: int) -> str:
    day = born.day + (40 if sex == Sex.P else 0)
    return f"6171{kecamatan_code[-2:]}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@transaction.atomic
def seed_demo_cadres() -> int:
    """Seed the roster once and link the demo kader users. Returns the number of cadres created."""
    created = 0
    if not Cadre.objects.exists():
        created = _seed_roster()
    link_demo_users()
    return created


def _seed_roster() -> int:
    from faker import Faker

    fake = Faker("id_ID")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("code"))
    if not kelurahan:
        return 0
    now = timezone.now()
    cadres, last_activity = [], []
    serial = 0
    for cohort, count in COHORTS.items():
        for i in range(count):
            k = kelurahan[(i * 7 + cohort) % len(kelurahan)]
            sex = Sex.P if rng.random() < 0.8 else Sex.L
            born = dt.date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
            serial += 1
            active = rng.random() < ACTIVE_SHARE[cohort] and k.code not in GAP_CODES
            if active:
                status, seen = CadreStatus.AKTIF, now - dt.timedelta(days=rng.randint(1, 50))
            elif rng.random() < 0.15:
                status, seen = CadreStatus.BERHENTI, None
            else:
                status = CadreStatus.TIDAK_AKTIF
                seen = now - dt.timedelta(days=rng.randint(120, 1500)) if rng.random() < 0.6 else None
            first = fake.first_name_female() if sex == Sex.P else fake.first_name_male()
            cadres.append(
                Cadre(
                    name=f"{first} {fake.last_name()}",
                    nik=_nik(rng, kecamatan_code=k.kecamatan.code, sex=sex, born=born, serial=serial),
                    sex=sex,
                    birth_date=born,
                    phone=f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}",
                    address=demo_address(rng, kecamatan_code=k.kecamatan.code),
                    kelurahan=k,
                    cohort=cohort,
                    status=status,
                    last_activity_at=seen,
                )
            )
            last_activity.append(seen)
    Cadre.objects.bulk_create(cadres)
    saved = Cadre.objects.filter(nik__in=[c.nik for c in cadres]).only("id", "nik", "last_activity_at")
    CadreActivity.objects.bulk_create(
        [
            CadreActivity(
                cadre=c,
                kind=CadreActivity.Kind.OUTREACH,
                at=c.last_activity_at,
                summary="Sosialisasi perlindungan anak (data demo)",
                source_type="demo",
                source_id=str(c.pk),
            )
            for c in saved
            if c.last_activity_at
        ]
    )
    return len(cadres)


OUTREACH_NOTES = {
    Outreach.Kind.SOSIALISASI: "Sosialisasi pencegahan kekerasan terhadap anak di posyandu.",
    Outreach.Kind.KUNJUNGAN_RUMAH: "Kunjungan rumah keluarga rentan di lingkungan RT.",
    Outreach.Kind.PENJANGKAUAN: "Penjangkauan anak putus sekolah bersama ketua RW.",
}


def roster_outreach(
    *, actor, start: dt.datetime, end: dt.datetime, seed: int = SEED
) -> Generator[dt.datetime, None, None]:
    """A story for the demo's year: each Monday the Dinas enters the outreach that cadres
    without a login reported during the week before (a WhatsApp message, the monthly
    meeting). Most active cadres keep a rhythm of two to eight weeks all year; one in five
    falls silent at some point, and a few of those come back months later."""
    rng = random.Random(seed + 1)  # noqa: S311 - demo data, not security
    cadres = list(
        Cadre.objects.filter(user__isnull=True, status=CadreStatus.AKTIF).select_related("kelurahan")
    )
    year = (end - start).total_seconds()
    rhythm: dict[int, tuple[float, dt.datetime | None, dt.datetime | None]] = {}
    due: dict[int, dt.datetime] = {}
    for cadre in cadres:
        interval = rng.uniform(14, 56)
        silent_from = back_at = None
        roll = rng.random()
        if roll < 0.3:
            silent_from = start + dt.timedelta(seconds=year * rng.uniform(0.05, 0.8))
            if roll < 0.08:
                back_at = silent_from + dt.timedelta(days=rng.uniform(100, 160))
        rhythm[cadre.pk] = (interval, silent_from, back_at)
        seen = cadre.last_activity_at or start
        due[cadre.pk] = max(start + dt.timedelta(days=rng.uniform(0, 7)), seen + dt.timedelta(days=interval))
    monday = timezone.localdate(start) + dt.timedelta(days=7 - timezone.localdate(start).weekday())
    moment = timezone.make_aware(dt.datetime.combine(monday, dt.time(10, 0)))
    while True:
        yield moment
        for cadre in cadres:
            interval, silent_from, back_at = rhythm[cadre.pk]
            while due[cadre.pk] <= moment:
                happened = due[cadre.pk]
                due[cadre.pk] = happened + dt.timedelta(days=interval * rng.uniform(0.6, 1.4))
                if silent_from and silent_from <= happened and not (back_at and happened >= back_at):
                    continue
                kind = rng.choice(list(OUTREACH_NOTES))
                outreach_log(
                    cadre=cadre,
                    actor=actor,
                    kind=kind,
                    date=timezone.localdate(happened),
                    kelurahan=cadre.kelurahan,
                    people_reached=rng.randint(8, 45)
                    if kind == Outreach.Kind.SOSIALISASI
                    else rng.randint(1, 6),
                    note=OUTREACH_NOTES[kind],
                )
        moment += dt.timedelta(days=7)


def demo_roster_entry(kelurahan) -> dict:
    """What the demo says of a demo kader's cadre when creating the account: an active cadre of
    the kelurahan without a login (so the account carries that cadre's history), else a 2022
    cadre to put on the roster."""
    cadre = Cadre.objects.filter(kelurahan=kelurahan, user__isnull=True, status=CadreStatus.AKTIF).first()
    return {"cadre_id": cadre.pk} if cadre is not None else {"sex": Sex.P, "cohort": 2022}


def link_demo_users() -> None:
    """The demo kaders' roster entries carry their account's name (and older demo databases,
    whose accounts were made before the roster, get linked here)."""
    kaders = users_with_capability(Cap.ACCOMPANY_CASES).filter(username__in=DEMO_ACCOUNTS)
    for user in kaders.select_related("kelurahan"):
        cadre = (
            Cadre.objects.filter(user=user).first()
            or Cadre.objects.filter(
                kelurahan=user.kelurahan, user__isnull=True, status=CadreStatus.AKTIF
            ).first()
        )
        if cadre is None:
            cadre = Cadre(
                name=user.get_full_name() or user.username,
                sex=Sex.P,
                kelurahan=user.kelurahan,
                cohort=2022,
                status=CadreStatus.AKTIF,
                phone=user.phone,
            )
        cadre.user = user
        cadre.name = user.get_full_name() or cadre.name
        cadre.save()
