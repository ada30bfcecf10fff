"""The bench's people: staff, KPAD, ~5,000 cadres with logins and roster rows, their trainings.

Fixed in size whatever the number of cases (a city has its cadres; more cases do not make more
of them). Users share one password hash, computed once by the caller with Django's hasher.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from .synth_copy import F, N, T, day, esc, ts

PETUGAS = 40
KPAD = 5
KADERS = 5_000
ROSTER_ONLY = 400  # cadres on the Dinas' roster without a SIGAP login
COHORTS = {2017: 12, 2018: 12, 2019: 13, 2020: 8, 2021: 10, 2022: 14, 2023: 12, 2024: 11, 2025: 8}
DAY = 86_400.0

USERNAMES = {
    "petugas": "bench-petugas",
    "petugas_kecamatan": "bench-petugas-utara",
    "kader": "bench-kader",
    "kpad": "bench-kpad",
    "admin": "bench-admin",
}
UTARA = "61.71.04"  # Pontianak Utara: the kecamatan of the limited petugas and of bench-kader


@dataclass
class Kader:
    user_id: int
    cadre_id: int
    kelurahan_id: int
    cohort: int
    until: float  # active until this moment (then silent); now for those still active
    last: float | None = None  # latest activity, kept as activities are written

    def touch(self, at: float) -> None:
        if self.last is None or at > self.last:
            self.last = at


@dataclass
class People:
    admin: int = 0
    system: int = 0  # sigap-sistem, the actor of automatic escalations (cases.escalation.system_user)
    petugas: list[int] = field(default_factory=list)
    # petugas id -> kecamatan id (None: the whole city)
    petugas_area: dict[int, int | None] = field(default_factory=dict)
    supervisors: list[int] = field(default_factory=list)
    kpad: list[int] = field(default_factory=list)
    kaders: list[Kader] = field(default_factory=list)
    by_user: dict[int, Kader] = field(default_factory=dict)
    by_kelurahan: dict[int, list[Kader]] = field(default_factory=dict)
    active_by_kelurahan: dict[int, list[Kader]] = field(default_factory=dict)
    workers_by_kecamatan: dict[int, list[int]] = field(default_factory=dict)
    bench_kader: Kader | None = None
    roster_only: list[tuple[int, int, int]] = field(default_factory=list)  # cadre id, kelurahan, cohort


def _user(
    t,
    rng,
    *,
    username,
    role,
    pwd,
    joined,
    first,
    last,
    kelurahan=N,
    kecamatan=N,
    supervisor=F,
    superuser=F,
    active=T,
) -> int:
    pk = t.new_id()
    t.add(
        (
            pk,
            pwd,
            N,
            superuser,
            username,
            esc(first),
            esc(last),
            f"{username}@bench.invalid",
            superuser,
            active,
            ts(joined),
            role,
            kelurahan,
            kecamatan,
            f"08{rng.randint(11, 59)}{rng.randint(10**7, 10**8 - 1)}",
            supervisor,
        )
    )
    return pk


def make_people(
    tables,
    rng: random.Random,
    names,
    *,
    pwd: str,
    now: float,
    kelurahan: list[dict],
    kecamatan: dict[str, int],
) -> People:
    t = tables["user"]
    people = People()
    start = now - 6 * 365 * DAY
    people.admin = _user(
        t,
        rng,
        username=USERNAMES["admin"],
        role="admin",
        pwd=pwd,
        joined=start,
        first="Admin",
        last="Bench",
        superuser=T,
    )
    # Inactive, with an unusable password: as cases.escalation.system_user() creates it.
    people.system = _user(
        t,
        rng,
        username="sigap-sistem",
        role="admin",
        pwd="!bench-unusable",  # noqa: S106 - "!" makes it unusable, as set_unusable_password does
        joined=start,
        first="SIGAP",
        last="",
        active=F,
    )
    kec_ids = sorted(kecamatan.values())
    utara = kecamatan[UTARA]
    for i in range(PETUGAS):
        if i == 0:
            username, area = USERNAMES["petugas"], None
        elif i == 1:
            username, area = USERNAMES["petugas_kecamatan"], utara
        else:
            username = f"bench-petugas-{i + 1:02d}"
            area = kec_ids[i % len(kec_ids)] if i % 3 == 0 else None  # a third limited to a kecamatan
        supervisor = T if i in (2, 5, 8) else F
        sex = rng.choice("LP")
        pk = _user(
            t,
            rng,
            username=username,
            role="petugas",
            pwd=pwd,
            joined=start + rng.uniform(0, 900) * DAY,
            first=names.first(rng, sex),
            last=names.last_name(rng),
            kecamatan=area if area else N,
            supervisor=supervisor,
        )
        people.petugas.append(pk)
        people.petugas_area[pk] = area
        if supervisor == T:
            people.supervisors.append(pk)
    for kec in kec_ids:
        people.workers_by_kecamatan[kec] = [p for p, a in people.petugas_area.items() if a in (None, kec)]
    for i in range(KPAD):
        username = USERNAMES["kpad"] if i == 0 else f"bench-kpad-{i + 1}"
        sex = rng.choice("LP")
        people.kpad.append(
            _user(
                t,
                rng,
                username=username,
                role="kpad",
                pwd=pwd,
                joined=start,
                first=names.first(rng, sex),
                last=names.last_name(rng),
            )
        )
    # Kaders: spread over the kelurahan by weight, each with a cohort; bench-kader in Pontianak
    # Utara, trained in 2019 and still active.
    weights = [k["weight"] for k in kelurahan]
    utara_kel = [k for k in kelurahan if k["kecamatan_code"] == UTARA]
    cohorts, cohort_w = list(COHORTS), list(COHORTS.values())
    cadre_id = 0
    for i in range(KADERS):
        if i == 0:
            kel, cohort, username = utara_kel[0], 2019, USERNAMES["kader"]
        else:
            kel = rng.choices(kelurahan, weights)[0]
            cohort = rng.choices(cohorts, cohort_w)[0]
            username = f"bench-kader-{i + 1:04d}"
        sex = "P" if rng.random() < 0.8 else "L"
        joined = max(_year_start(cohort) + rng.uniform(0, 200) * DAY, start)
        user_id = _user(
            t,
            rng,
            username=username,
            role="kader",
            pwd=pwd,
            joined=joined,
            first=names.first(rng, sex),
            last=names.last_name(rng),
            kelurahan=kel["id"],
        )
        cadre_id += 1
        # The older the cohort the fewer still active (the Dinas' complaint); the silent ones fell
        # silent some time between their training and now, so the inactive-cadre job has a
        # real share to flag (silent > 90 days) beside those flagged before.
        active_share = 0.35 + 0.06 * (cohort - 2017)
        if i == 0 or rng.random() < active_share:
            until = now
        else:
            until = rng.uniform(max(_year_start(cohort) + 120 * DAY, start), now - 30 * DAY)
        kader = Kader(user_id=user_id, cadre_id=cadre_id, kelurahan_id=kel["id"], cohort=cohort, until=until)
        people.kaders.append(kader)
        people.by_user[user_id] = kader
        people.by_kelurahan.setdefault(kel["id"], []).append(kader)
        if until == now:
            people.active_by_kelurahan.setdefault(kel["id"], []).append(kader)
    people.bench_kader = people.kaders[0]
    for kel in kelurahan:  # every kelurahan has someone active to report its cases
        if kel["id"] not in people.active_by_kelurahan:
            people.active_by_kelurahan[kel["id"]] = people.by_kelurahan.get(kel["id"], people.kaders[:1])[:1]
    for _i in range(ROSTER_ONLY):
        cadre_id += 1
        kel = rng.choices(kelurahan, weights)[0]
        people.roster_only.append((cadre_id, kel["id"], rng.choices(cohorts, cohort_w)[0]))
    return people


def _year_start(year: int) -> float:
    import datetime as dt

    return dt.datetime(year, 1, 15, tzinfo=dt.UTC).timestamp()


def write_cadres(tables, rng: random.Random, names, people: People, *, now: float, kel_by_id: dict) -> dict:
    """The roster rows, written last: their last activity is the latest activity written for them.
    Returns counts by state for the log."""
    t = tables["cadre"]
    cutoff = now - 90 * DAY
    counts = {"aktif": 0, "tidak_aktif": 0, "berhenti": 0, "silent_unflagged": 0}
    serial = 0

    def row(cadre_id, kel_id, cohort, user_id, last, created):
        nonlocal serial
        serial += 1
        sex = "P" if rng.random() < 0.8 else "L"
        kec = kel_by_id[kel_id]["kecamatan_code"]
        born = f"{rng.randint(1965, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        birth_day = rng.randint(1, 28) + (40 if sex == "P" else 0)
        nik = f"6171{kec[-2:]}{birth_day:02d}{rng.randint(1, 12):02d}{rng.randint(65, 99):02d}{serial:04d}"
        inactive_since = N
        if last is not None and last < cutoff:
            # Most of the long-silent were flagged (and many struck off) by earlier runs of the
            # job; a third were not yet: the job's first run here has real work.
            r = rng.random()
            if r < 0.3:
                status = "aktif"
                counts["silent_unflagged"] += 1
            elif r < 0.8:
                status, inactive_since = "tidak_aktif", ts(last + 90 * DAY)
            else:
                status = "berhenti"
        elif last is None:
            status = "berhenti" if rng.random() < 0.3 else "tidak_aktif"
        else:
            status = "aktif"
        counts[status] += 1
        t.add(
            (
                cadre_id,
                esc(names.name(rng, sex)),
                nik,
                sex,
                born,
                f"08{rng.randint(11, 59)}{rng.randint(10**7, 10**8 - 1)}",
                esc(names.address(rng, kec)),
                kel_id,
                cohort,
                status,
                user_id,
                ts(last) if last is not None else N,
                inactive_since,
                ts(created),
                ts(now),
            )
        )

    for k in people.kaders:
        row(k.cadre_id, k.kelurahan_id, k.cohort, k.user_id, k.last, _year_start(k.cohort))
    for cadre_id, kel_id, cohort in people.roster_only:
        row(cadre_id, kel_id, cohort, N, None, _year_start(cohort))
    t.next_id = people.roster_only[-1][0] + 1 if people.roster_only else len(people.kaders) + 1
    return counts


TRAINING_TOPICS = (
    "Konsep dasar perlindungan anak",
    "Mengenali tanda kekerasan terhadap anak",
    "Alur pelaporan dan rujukan di Kota Pontianak",
    "Pendampingan anak korban dan keluarganya",
    "Kerahasiaan data anak",
    "Praktik pencatatan kasus di SIGAP",
)
VENUES = ("Aula DP2KBP3A Kota Pontianak", "Hotel Kapuas Palace", "Aula Kantor Camat", "Balai Kelurahan")


def write_trainings(tables, rng: random.Random, people: People, *, now: float) -> None:
    """Each cohort's basic training (three days, groups of ~50) and, for those still active, a
    one-day refresher each year since; attendance counts as the cadre's activity."""
    tr, days, agenda = tables["training"], tables["trainingday"], tables["agendaitem"]
    part, att, act = tables["participant"], tables["attendance"], tables["cadreactivity"]
    by_cohort: dict[int, list[Kader]] = {}
    for k in people.kaders:
        by_cohort.setdefault(k.cohort, []).append(k)
    marker = people.petugas[0]
    sessions: list[tuple[float, int, str, list[Kader]]] = []
    for cohort, kaders in sorted(by_cohort.items()):
        rng.shuffle(kaders)
        for g in range(0, len(kaders), 50):
            start = _year_start(cohort) + rng.uniform(10, 100) * DAY
            sessions.append(
                (start, 3, f"Pelatihan Kader Pendamping Anak Angkatan {cohort}", kaders[g : g + 50])
            )
    for year in range(2019, 2026 + 1):
        start_year = _year_start(year) + 200 * DAY
        if start_year >= now:
            continue
        alive = [k for k in people.kaders if k.cohort < year and k.until > start_year]
        rng.shuffle(alive)
        for g in range(0, len(alive), 60):
            start = start_year + rng.uniform(0, 120) * DAY
            if start < now:
                sessions.append((start, 1, f"Penyegaran Kader {year}", alive[g : g + 60]))
    for start, n_days, title, group in sessions:
        training_id = tr.new_id()
        tr.add(
            (
                training_id,
                esc(title),
                "DP2KBP3A Kota Pontianak",
                rng.choice(VENUES),
                "",
                marker,
                ts(start - 20 * DAY),
                ts(start - 20 * DAY),
            )
        )
        day_ids = []
        for d in range(n_days):
            day_id = days.new_id()
            day_ids.append((day_id, start + d * DAY))
            days.add((day_id, training_id, day(start + d * DAY)))
            for h, topic in enumerate(rng.sample(TRAINING_TOPICS, 4)):
                agenda.add(
                    (
                        agenda.new_id(),
                        day_id,
                        f"{8 + 2 * h:02d}:00:00",
                        f"{9 + 2 * h:02d}:30:00",
                        topic,
                        "Narasumber DP2KBP3A",
                    )
                )
        for k in group:
            pid = part.new_id()
            present_all = True
            rows = []
            for day_id, at in day_ids:
                present = rng.random() < 0.93
                present_all &= present
                aid = att.new_id()
                rows.append((aid, pid, day_id, T if present else F, marker, ts(at + 9 * 3600)))
                if present:
                    act.add(
                        (
                            act.new_id(),
                            k.cadre_id,
                            "training",
                            ts(at + 9 * 3600),
                            esc(title[:200]),
                            "training.attendance",
                            str(aid),
                        )
                    )
                    k.touch(at + 9 * 3600)
            pre = rng.randint(30, 80)
            code = "".join(rng.choices(string.ascii_uppercase + string.digits, k=12)) if present_all else None
            part.add(
                (
                    pid,
                    training_id,
                    "cadre",
                    k.cadre_id,
                    N,
                    "",
                    "",
                    pre,
                    min(100, pre + rng.randint(0, 35)),
                    code if code else N,
                    ts(start - 5 * DAY),
                )
            )
            for r in rows:
                att.add(r)


OUTREACH = (
    ("sosialisasi", "Sosialisasi pencegahan kekerasan terhadap anak di posyandu.", 3, 40),
    ("kunjungan_rumah", "Kunjungan rumah keluarga rentan di lingkungan RT.", 1, 6),
    ("penjangkauan", "Penjangkauan anak putus sekolah bersama ketua RW.", 1, 10),
)


def write_outreach(tables, rng: random.Random, people: People, *, now: float) -> None:
    """Outreach of the last two years, about once a month while a cadre is active."""
    out, act = tables["outreach"], tables["cadreactivity"]
    since = now - 730 * DAY
    for k in people.kaders:
        at = max(since, _year_start(k.cohort) + 100 * DAY) + rng.uniform(0, 30) * DAY
        end = min(k.until, now - 3600)
        while at < end:
            kind, note, lo, hi = OUTREACH[rng.randrange(3)]
            oid = out.new_id()
            out.add(
                (oid, k.cadre_id, kind, day(at), k.kelurahan_id, note, rng.randint(lo, hi), k.user_id, ts(at))
            )
            act.add((act.new_id(), k.cadre_id, "outreach", ts(at), note[:200], "cadres.outreach", str(oid)))
            k.touch(at)
            at += rng.uniform(15, 50) * DAY
