"""N synthetic cases over five and a half years, each with what a case has: children (each a
Person, with a guardian), alleged perpetrators and the victim-perpetrator pairs, violence types
per child and per case, a timeline, services, referrals, assessments, a plan with its tasks,
approvals, accompanying cadres and, for part of the old cases, KPAD's escalations.

A case lives in time from its report: verified hours or days later, assessed, handled for
weeks or months (services, notes, cadre visits, perhaps a referral), then closed; the
moment it reaches now it stops where it stands, so the open cases (about a tenth) are the
recent ones and a few stuck old ones, with the statuses that follows. Escalations exist only
for cases older than half a year: the open cases were never swept, which is what the
benchmark's first sweep measures.

Python's ``random`` with a fixed seed and pools of words drawn once: no ORM, no Faker per row.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from cases.demo import (
    CATEGORY_WEIGHTS,
    NARRATIVES,
    PLACE_WEIGHTS,
    RELATION_WEIGHTS,
    RISK_WEIGHTS,
    VIOLENCE_WEIGHTS,
)
from cases.messages import CRITICAL_RISK
from demo.year import (
    ASSESSMENT_REASONS,
    CHILD_VIEWS,
    FOLLOW_UP_NOTES,
    KADER_VISIT_NOTES,
    KPAD_ANSWERS,
    KPAD_REQUESTS,
    REFERRALS,
    SAFETY_FINDINGS,
    SERVICE_NEEDS,
    SERVICE_TEXTS,
    VERIFY_NOTES,
)

from .synth_copy import F, N, T, day, esc, js, ts
from .synth_people import People

DAY = 86_400.0
HOUR = 3_600.0
YEARS = 5.5
MARKER = "[Data bench sintetis]"
NUMBER_PREFIX = "SGP"
REPEAT_SHARE = 0.03  # children who were in another case within the year before
REPEAT_WINDOW = 330 * DAY
BENCH_KADER_SHARE = 2_800 / 200_000  # of all cases, bench-kader reported or accompanies
IMMEDIATE = {"seksual", "trafficking", "eksploitasi"}
SOURCES = {"kader": 36, "walk_in": 18, "hotline": 20, "sekolah": 9, "polisi": 8, "kpad": 3, "rujukan": 6}
CHILDREN = {1: 76, 2: 18, 3: 6}  # ~1.3 a case
PERPETRATORS = {0: 12, 1: 68, 2: 16, 3: 4}  # ~1.1 a case
SERVICES = {0: 5, 1: 25, 2: 40, 3: 30}
AGES = list(range(18))
AGE_W = [2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 9, 10, 11, 11, 10, 9, 8]
OCCUPATIONS = ("buruh", "swasta", "wiraswasta", "tidak_bekerja", "petani_nelayan", "pns", "tidak_diketahui")
LEVELS = ("tidak_ada", "rendah", "sedang", "tinggi")
GOALS = esc("Anak aman dari kekerasan\nAnak mendapat pemulihan psikologis\nAnak tetap bersekolah")
CLOSING = {"layanan_tuntas": 70, "reintegrasi": 18, "dialihkan": 6, "pindah": 6}
NO_FOLLOW_UP = {"tidak_terbukti": 60, "tidak_terjangkau": 30, "duplikat": 10}
RARE_SURNAMES = ("Simanjorang", "Tampubolon", "Lumbantoruan", "Pardosi", "Sinambela", "Hutabarat")


class Picker:
    """A weighted choice by bisect on cumulative weights (rng.choices is slow per call)."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        total = 0.0
        self.cum = []
        for w in weights.values():
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


class Names:
    """Pools of Indonesian names (Faker's id_ID, drawn once) and synthetic addresses."""

    def __init__(self, seed: int, kecamatan_codes: list[str]):
        from cases.demo import NameBook
        from kelurahan.demo_streets import demo_address

        book = NameBook(seed, size=600)
        self.male = [esc(n) for n in sorted(book.male)]
        self.female = [esc(n) for n in sorted(book.female)]
        self.last = [esc(n) for n in sorted(book.last)]
        rng = random.Random(seed)  # noqa: S311 - synthetic addresses
        self.addresses = {
            code: [esc(demo_address(rng, kecamatan_code=code)) for _ in range(300)]
            for code in kecamatan_codes
        }
        pool = [n.lower() for n in self.male + self.female + self.last]
        # A surname none of the pools contains, given to a handful of children only: the child-name
        # search of the benchmark finds a realistic few, not thousands.
        self.rare = next(s for s in RARE_SURNAMES if not any(s.lower() in n or n in s.lower() for n in pool))

    def first(self, rng, sex: str) -> str:
        pool = self.female if sex == "P" else self.male
        return pool[int(rng.random() * len(pool))]

    def last_name(self, rng) -> str:
        return self.last[int(rng.random() * len(self.last))]

    def name(self, rng, sex: str) -> str:
        first = self.first(rng, sex)
        return f"{first} {self.last_name(rng)}" if rng.random() < 0.8 else first

    def address(self, rng, kecamatan_code: str) -> str:
        pool = self.addresses[kecamatan_code]
        return pool[int(rng.random() * len(pool))]


def school_for(age: int, rng) -> str:
    if age <= 2:
        return "belum_sekolah"
    if age <= 3:
        return "paud"
    if age <= 5:
        return "tk"
    if age <= 11:
        return "sd"
    if age >= 13 and rng.random() < 0.1:
        return "putus_sekolah"
    return "smp" if age <= 14 else "sma_smk"


@dataclass
class Facts:
    """What the loader reports back and what the fixture needs."""

    per_year: dict[int, int] = field(default_factory=dict)
    open_cases: int = 0
    rare_children: int = 0
    case_number: str = ""
    escalations: int = 0


class CaseWriter:
    def __init__(self, tables, rng: random.Random, names: Names, people: People, *, now: float, kelurahan):
        self.t = tables
        self.rng = rng
        self.names = names
        self.people = people
        self.now = now
        self.kelurahan = kelurahan
        self.kel_pick = Picker({i: k["weight"] for i, k in enumerate(kelurahan)})
        self.bench_kel = next(k for k in kelurahan if k["id"] == people.bench_kader.kelurahan_id)
        self.violence = Picker(VIOLENCE_WEIGHTS)
        self.category = Picker(CATEGORY_WEIGHTS)
        self.risk = Picker(RISK_WEIGHTS)
        self.place = Picker(PLACE_WEIGHTS)
        self.relation = Picker(RELATION_WEIGHTS)
        self.source = Picker(SOURCES)
        self.children_n = Picker(CHILDREN)
        self.perps_n = Picker(PERPETRATORS)
        self.services_n = Picker(SERVICES)
        self.age = Picker(dict(zip(AGES, AGE_W, strict=True)))
        self.closing = Picker(CLOSING)
        self.no_follow_up = Picker(NO_FOLLOW_UP)
        self.narratives = [esc(f"{MARKER} {n}") for n in NARRATIVES]
        self.verify_notes = [esc(n) for n in VERIFY_NOTES]
        self.follow_notes = [esc(n) for n in FOLLOW_UP_NOTES]
        self.visit_notes = [esc(n) for n in KADER_VISIT_NOTES]
        self.recent: list[tuple[float, int, int | None, str]] = []  # (reported, person, guardian, sex)
        self.recent_start = 0
        self.facts = Facts()
        self.rare_p = 0.0

    # --- helpers ---

    def _kader_for(self, kel_id: int, at: float):
        rng = self.rng
        pool = self.people.by_kelurahan.get(kel_id)
        if pool:
            k = pool[int(rng.random() * len(pool))]
            if k.until >= at and k.user_id != self.people.bench_kader.user_id:
                return k
        active = self.people.active_by_kelurahan[kel_id]
        k = active[int(rng.random() * len(active))]
        if k.user_id == self.people.bench_kader.user_id and len(active) > 1:
            k = active[0] if active[0] is not k else active[1]
        return k

    def _event(
        self, case_id, kind, at, actor, from_status="", to_status="", code="", params=None, note="", visit=N
    ):
        t = self.t["caseevent"]
        eid = t.new_id()
        t.add(
            (
                eid,
                case_id,
                kind,
                ts(at),
                actor,
                from_status,
                to_status,
                code,
                js(params) if params else "{}",
                note,
                visit,
            )
        )
        return eid

    # --- one case ---

    def write(self, n_cases: int, log) -> Facts:
        rng, now = self.rng, self.now
        start = now - YEARS * 365 * DAY
        self.rare_p = 20 / (1.3 * n_cases)
        # More reports each year (density grows toward now), sorted: ids and numbers follow time.
        moments = sorted(start + YEARS * 365 * DAY * (rng.random() ** (1 / 1.35)) for _ in range(n_cases))
        seq: dict[int, int] = {}
        report_every = max(n_cases // 10, 1)
        for i, at in enumerate(moments, 1):
            year = _local_year(at)
            seq[year] = seq.get(year, 0) + 1
            self._case(i, at, year, seq[year])
            if i % report_every == 0:
                log(f"  cases: {i:,}/{n_cases:,}")
        self.facts.per_year = seq
        return self.facts

    def _case(self, case_id: int, at: float, year: int, sequence: int) -> None:
        rng, now, t, people = self.rng, self.now, self.t, self.people
        bench = rng.random() < BENCH_KADER_SHARE
        kel = self.bench_kel if bench and rng.random() < 0.85 else self.kelurahan[self.kel_pick(rng)]
        kec = kel["kecamatan_code"]
        # --- what was reported ---
        prostitution = rng.random() < 0.04
        if prostitution:
            kinds, place = ["eksploitasi", "seksual"], "online"
        else:
            kinds = list(dict.fromkeys(self.violence(rng) for _ in range(1 if rng.random() < 0.75 else 2)))
            place = self.place(rng)
        online = prostitution or place == "online"
        source = "kader" if bench and rng.random() < 0.55 else self.source(rng)
        reporter_kader = None
        if source == "kader":
            reporter_kader = people.bench_kader if bench else self._kader_for(kel["id"], at)
            reporter = reporter_kader.user_id
        else:
            reporter = None  # a petugas records it: chosen below among those of the area
        workers = people.workers_by_kecamatan[kel["kecamatan_id"]]
        worker = workers[int(rng.random() * len(workers))]
        if reporter is None:
            reporter = worker if rng.random() < 0.5 else workers[int(rng.random() * len(workers))]
        supervisor = people.supervisors[int(rng.random() * len(people.supervisors))]

        # --- its life: stage moments, cut at now ---
        stuck = rng.random() < 0.045  # never closed: stuck at some stage, no activity since
        no_follow_up = rng.random() < 0.2
        triage = at + (rng.uniform(1, 48) if rng.random() < 0.93 else rng.uniform(48, 120)) * HOUR
        events: list[tuple] = []  # (at, kind, actor, from, to, code, params, note, visit)
        events.append((at, "created", reporter, "", "dilaporkan", "", None, "", N))
        status, triaged, closed, closure = "dilaporkan", None, None, ""
        assessed = None
        referral = None
        services: list[tuple[float, str]] = []
        kader_follow = None  # the accompanying cadre (CaseCadre) other than a reporting kader
        if bench and source != "kader":
            kader_follow = people.bench_kader
        elif rng.random() < 0.12:
            kader_follow = self._kader_for(kel["id"], at)
        stop_stage = rng.randrange(4) if stuck else 99
        if triage < now and stop_stage > 0:
            status, triaged = "diverifikasi", triage
            events.append(
                (
                    triage,
                    "status",
                    worker,
                    "dilaporkan",
                    "diverifikasi",
                    "",
                    None,
                    self.verify_notes[int(rng.random() * 4)],
                    N,
                )
            )
            if no_follow_up and not stuck:
                close_at = triage + rng.uniform(3, 30) * DAY
                if close_at < now:
                    status, closed, closure = "ditutup", close_at, self.no_follow_up(rng)
                    events.append((close_at, "status", worker, "diverifikasi", "ditutup", "", None, "", N))
            else:
                assess_at = triage + rng.uniform(1, 10) * DAY
                if assess_at < now and stop_stage > 1:
                    status, assessed = "asesmen", assess_at
                    events.append((assess_at, "status", worker, "diverifikasi", "asesmen", "", None, "", N))
                    handle_at = assess_at + rng.uniform(2, 14) * DAY
                    if handle_at < now and stop_stage > 2:
                        status = "ditangani"
                        events.append((handle_at, "status", worker, "asesmen", "ditangani", "", None, "", N))
                        status, closed, closure, services, referral = self._handling(
                            events, handle_at, worker, kinds, kader_follow or reporter_kader, stuck
                        )
        # The last move, or a cadre visit after it, is the case's last activity.
        events.sort(key=lambda e: e[0])
        last_activity = events[-1][0]
        risk = "belum_dinilai" if assessed is None and rng.random() < 0.7 else self.risk(rng)
        if prostitution and rng.random() < 0.7:
            risk = "tinggi"
        immediate = bool(set(kinds) & IMMEDIATE) or risk == "kritis"
        is_open = closed is None
        number = f"{NUMBER_PREFIX}-{year}-{sequence:05d}"

        # --- escalations: old cases only (never-swept open cases are the benchmark's work) ---
        escalated_at = N
        if immediate and at < now - 180 * DAY and rng.random() < 0.8:
            grounds = sorted(set(kinds) & IMMEDIATE) + ([CRITICAL_RISK] if risk == "kritis" else [])
            escalated_at = self._escalation(case_id, at, is_open, closed, grounds)

        informed = rng.random() < 0.7
        t["case"].add(
            (
                case_id,
                number,
                year,
                sequence,
                status,
                day(at - rng.uniform(0, 14) * DAY),
                N
                if rng.random() < 0.6
                else f"{rng.randint(6, 21):02d}:{rng.choice(('00', '15', '30', '45'))}:00",
                place,
                "" if place == "online" else self.names.address(rng, kec),
                kel["id"],
                T if online else F,
                T if prostitution else F,
                "eksploitasi_seksual" if prostitution else self.category(rng),
                risk,
                self.narratives[int(rng.random() * len(self.narratives))],
                source,
                "" if source == "kader" else self.names.name(rng, rng.choice("LP")),
                "" if source == "kader" else f"08{rng.randint(10**9, 10**10 - 1)}",
                T if informed else F,
                "Ibu kandung" if informed else "",
                day(triage) if informed and triaged else N,
                reporter,
                worker if triaged else N,
                closure,
                escalated_at,
                ts(at),
                ts(triaged) if triaged else N,
                ts(closed) if closed else N,
                ts(last_activity),
                ts(last_activity),
                1,
            )
        )
        if is_open:
            self.facts.open_cases += 1
            if kel["kecamatan_code"] == "61.71.04" and triaged and len(events) >= 4:
                self.facts.case_number = number
        for k in kinds:
            t["caseviolence"].add((t["caseviolence"].new_id(), case_id, k))

        # --- children, their persons and guardians ---
        children = self._children(case_id, at, kel, kinds, online, prostitution, reporter, worker, closed)
        # --- perpetrators and the pairs ---
        perps = []
        for _ in range(self.perps_n(rng)):
            relation = self.relation(rng)
            age = rng.randint(13, 65) if relation == "pacar_teman" else rng.randint(18, 65)
            pid = t["perpetrator"].new_id()
            perps.append((pid, relation))
            t["perpetrator"].add(
                (
                    pid,
                    case_id,
                    relation,
                    "L" if rng.random() < 0.8 else "P",
                    age,
                    T if age < 18 else F,
                    "",
                    OCCUPATIONS[int(rng.random() * 7)],
                    "wni",
                    N,
                )
            )
        for n, child_id in enumerate(children):
            for pid, relation in perps:
                rel = relation if n == 0 or rng.random() < 0.7 else self.relation(rng)
                t["victimperpetrator"].add((t["victimperpetrator"].new_id(), child_id, pid, rel))

        # --- cadres on the case, and the cadre activity it counts ---
        cc = t["casecadre"]
        if reporter_kader is not None:
            cc.add((cc.new_id(), case_id, reporter_kader.user_id, ts(at), reporter_kader.user_id))
            self._activity(
                reporter_kader, "case_report", at, f"Melaporkan kasus {number}", "cases.case", case_id
            )
        if kader_follow is not None and kader_follow is not reporter_kader and triaged:
            cc.add((cc.new_id(), case_id, kader_follow.user_id, ts(triaged + HOUR), worker))

        # --- services, referral ---
        for s_at, s_type in services:
            providers, outcomes = SERVICE_TEXTS[s_type]
            sid = t["service"].new_id()
            t["service"].add(
                (sid, case_id, s_type, esc(providers[0]), day(s_at), esc(outcomes[0]), worker, ts(s_at))
            )
            for child_id in children:
                t["service_children"].add((t["service_children"].new_id(), sid, child_id))
        referral_id = None
        if referral is not None:
            r_at, inst, reason, answered, done = referral
            referral_id = t["referral"].new_id()
            r_status = "selesai" if done else "diterima" if answered else "dikirim"
            t["referral"].add(
                (
                    referral_id,
                    case_id,
                    inst,
                    "",
                    day(r_at),
                    esc(reason),
                    r_status,
                    "",
                    day(answered) if answered else N,
                    "Layanan di lembaga rujukan selesai." if done else "",
                    day(done) if done else N,
                    worker,
                    ts(r_at),
                    ts(done or answered or r_at),
                )
            )

        # --- assessment, plan and its tasks, approvals ---
        if assessed is not None:
            self._casework(
                case_id,
                children,
                assessed,
                risk,
                worker,
                supervisor,
                closed,
                closure,
                status,
                kader_follow,
                now,
            )

        # --- the timeline ---
        for e in events:
            e_at, kind, actor, fr, to, code, params, note, visit = e
            eid = self._event(case_id, kind, e_at, actor, fr, to, code, params, note, visit)
            if kind == "visit":
                k = self.people.by_user[actor]
                self._activity(
                    k, "case_follow_up", e_at, f"Tindak lanjut kasus {number}", "cases.caseevent", eid
                )

    def _handling(self, events, handle_at, worker, kinds, kader, stuck):
        """Weeks or months of handling: services, notes, visits, perhaps a referral, then the
        closure, all cut at now (or, for a stuck case, left after the first moves)."""
        rng, now = self.rng, self.now
        status = "ditangani"
        services: list[tuple[float, str]] = []
        needs = next((s for k, s in SERVICE_NEEDS if k in kinds), SERVICE_NEEDS[-1][1])
        n_services = self.services_n(rng)
        duration = math.exp(rng.gauss(math.log(55), 0.7)) * DAY
        end = handle_at + duration
        at = handle_at
        referral = None
        wants_referral = rng.random() < 0.55
        for i in range(n_services):
            at += rng.uniform(3, 20) * DAY
            if at >= now or (stuck and i > 0):
                break
            s_type = needs[i % len(needs)]
            services.append((at, s_type))
            providers, _ = SERVICE_TEXTS[s_type]
            events.append(
                (
                    at,
                    "service",
                    worker,
                    "",
                    "",
                    "service.added",
                    {"service": s_type, "provider": providers[0]},
                    "",
                    N,
                )
            )
        if wants_referral and not stuck:
            r_at = handle_at + rng.uniform(2, 10) * DAY
            if r_at < now:
                inst, reason = next((REFERRALS[k] for k in kinds if k in REFERRALS), REFERRALS["lainnya"])
                events.append(
                    (r_at, "referral", worker, "", "", "referral.sent", {"institution": inst}, "", N)
                )
                events.append((r_at + 60, "status", worker, "ditangani", "dirujuk", "", None, "", N))
                status = "dirujuk"
                answered = r_at + rng.uniform(1, 8) * DAY
                done = None
                if answered < now:
                    done = answered + rng.uniform(10, 40) * DAY
                    if done < now:
                        events.append(
                            (
                                done,
                                "status",
                                worker,
                                "dirujuk",
                                "ditangani",
                                "",
                                None,
                                "Kembali ditangani Dinas setelah rujukan.",
                                N,
                            )
                        )
                        status = "ditangani"
                        end = max(end, done + DAY)
                    else:
                        done = None
                else:
                    answered = None
                referral = (r_at, inst, reason, answered, done)
        # Follow-ups: a note by the worker or a visit by the accompanying cadre.
        for _ in range(rng.choice((0, 1, 1, 2)) if not stuck else 0):
            f_at = handle_at + rng.uniform(0.1, 1) * duration
            if f_at >= now:
                continue
            if kader is not None and rng.random() < 0.5:
                events.append(
                    (
                        f_at,
                        "visit",
                        kader.user_id,
                        "",
                        "",
                        "",
                        None,
                        self.visit_notes[int(rng.random() * 4)],
                        day(f_at),
                    )
                )
            else:
                events.append(
                    (f_at, "note", worker, "", "", "", None, self.follow_notes[int(rng.random() * 5)], N)
                )
        if stuck or end >= now or status == "dirujuk":
            return status, None, "", services, referral
        last = max(e[0] for e in events)
        end = max(end, last + HOUR)
        if end >= now:
            return status, None, "", services, referral
        closure = self.closing(rng)
        events.append((end, "status", worker, status, "selesai", "", None, "", N))
        return "selesai", end, closure, services, referral

    def _children(self, case_id, at, kel, kinds, online, prostitution, reporter, worker, closed) -> list[int]:
        rng, t, names = self.rng, self.t, self.names
        # Drop the children reported too long ago to count as "the year before".
        recent = self.recent
        while self.recent_start < len(recent) and recent[self.recent_start][0] < at - REPEAT_WINDOW:
            self.recent_start += 1
        if self.recent_start > 200_000:
            del recent[: self.recent_start]
            self.recent_start = 0
        ids = []
        trafficking = "trafficking" in kinds
        for _ in range(self.children_n(rng)):
            if rng.random() < REPEAT_SHARE and self.recent_start < len(recent):
                _r, person_id, guardian_id, _sex = recent[rng.randrange(self.recent_start, len(recent))]
                age = None
            else:
                sex = "L" if rng.random() < 0.45 else "P"
                age = self.age(rng)
                born = at - (age * 365 + rng.uniform(0, 364)) * DAY
                known = rng.random() < 0.8
                person_id = t["person"].new_id()
                if rng.random() < self.rare_p:
                    name = f"{names.first(rng, sex)} {names.rare}"
                    self.facts.rare_children += 1
                else:
                    name = names.name(rng, sex)
                nik = ""
                if known and rng.random() < 0.6:
                    nik = f"617{rng.randint(100, 199)}{rng.randint(10**9, 10**10 - 1)}"
                t["person"].add(
                    (
                        person_id,
                        name,
                        sex,
                        day(born) if known else N,
                        N if known else _local_year(at) - age,
                        nik,
                        "",
                        ts(at),
                        reporter,
                        N,
                        N,
                        N,
                    )
                )
                guardian_id = None
                if rng.random() < 0.85:
                    guardian_id = t["person"].new_id()
                    g_sex = "P" if rng.random() < 0.65 else "L"
                    t["person"].add(
                        (
                            guardian_id,
                            names.name(rng, g_sex),
                            g_sex,
                            N,
                            N,
                            "",
                            f"08{rng.randint(10**9, 10**10 - 1)}",
                            ts(at),
                            reporter,
                            N,
                            N,
                            N,
                        )
                    )
                    fl = t["familylink"]
                    fl.add(
                        (
                            fl.new_id(),
                            person_id,
                            guardian_id,
                            "orang_tua" if rng.random() < 0.7 else "wali",
                            ts(at),
                            reporter,
                        )
                    )
                recent.append((at, person_id, guardian_id, sex))
            child_id = t["child"].new_id()
            ids.append(child_id)
            school = school_for(age if age is not None else 10, rng)
            entered = closed is not None and closed < self.now - 45 * DAY and rng.random() < 0.8
            disabled = rng.random() < 0.03
            t["child"].add(
                (
                    child_id,
                    case_id,
                    person_id,
                    T if online else F,
                    T if prostitution else F,
                    school,
                    "pelajar" if school in ("sd", "smp", "sma_smk") else "",
                    "",
                    "wni",
                    "ya" if disabled else "tidak" if rng.random() < 0.6 else "",
                    "fisik" if disabled else "",
                    "",
                    self.names.address(rng, kel["kecamatan_code"]),
                    kel["id"],
                    "janji_kerja" if trafficking else "",
                    "antar_provinsi" if trafficking else "",
                    "",
                    ts(closed - 10 * DAY) if entered else N,
                    worker if entered else N,
                    f"SIMFONI-{child_id:08d}" if entered else "",
                    ts(closed) if entered else N,
                    worker if entered else N,
                    guardian_id if guardian_id else N,
                )
            )
            for k in kinds:
                t["childviolence"].add((t["childviolence"].new_id(), child_id, k))
        return ids

    def _activity(self, kader, kind, at, summary, source_type, source_id) -> None:
        act = self.t["cadreactivity"]
        act.add((act.new_id(), kader.cadre_id, kind, ts(at), summary, source_type, str(source_id)))
        kader.touch(at)

    def _escalation(self, case_id, at, is_open, closed, grounds) -> str:
        """An immediate escalation at the report (as the intake's task opens it), acknowledged by
        KPAD within hours, resolved weeks later (or still under review for an open case)."""
        rng, t, now = self.rng, self.t, self.now
        kpad = self.people.kpad[int(rng.random() * len(self.people.kpad))]
        opened = at + 300
        ack = opened + rng.uniform(3, 30) * HOUR
        resolved = ack + rng.uniform(10, 45) * DAY
        state = "resolved"
        if is_open and rng.random() < 0.5:
            state, resolved = "acknowledged", None
        elif resolved >= now:
            state, resolved = "acknowledged", None
        eid = t["escalation"].new_id()
        reason = {"grounds": grounds}
        t["escalation"].add(
            (
                eid,
                case_id,
                "immediate",
                js(reason),
                "",
                state,
                ts(opened),
                N,
                ts(ack),
                kpad,
                ts(resolved) if resolved else N,
                kpad if resolved else N,
                N,
            )
        )
        self._event(
            case_id,
            "escalation",
            opened,
            self.people.system,
            code="escalation.opened_by_rule",
            params={"rule": "immediate", "reason": {"rule": "immediate", "params": reason}},
        )
        self._event(case_id, "kpad", ack, kpad, code="kpad.acknowledged", params={"rule": "immediate"})
        if rng.random() < 0.3:
            km = t["kpadmessage"]
            asked = ack + rng.uniform(1, 4) * DAY
            km.add(
                (
                    km.new_id(),
                    eid,
                    "request",
                    esc(rng.choice(KPAD_REQUESTS)),
                    kpad,
                    ts(asked),
                    esc(rng.choice(KPAD_ANSWERS)),
                    self.people.petugas[0],
                    ts(asked + DAY),
                )
            )
            self._event(case_id, "kpad", asked, kpad, code="kpad.request")
        self.facts.escalations += 1
        return ts(opened)

    def _casework(
        self, case_id, children, assessed, risk, worker, supervisor, closed, closure, status, kader, now
    ) -> None:
        rng, t = self.rng, self.t
        overall = risk if risk != "belum_dinilai" else "sedang"
        for child_id in children:
            t["assessment"].add(
                (
                    t["assessment"].new_id(),
                    case_id,
                    child_id,
                    day(assessed),
                    LEVELS[int(rng.random() * 4)],
                    esc(SAFETY_FINDINGS[int(rng.random() * 3)]),
                    LEVELS[int(rng.random() * 4)],
                    "",
                    LEVELS[int(rng.random() * 4)],
                    "Anak tampak cemas dan sulit tidur sejak kejadian.",
                    LEVELS[int(rng.random() * 4)],
                    "",
                    LEVELS[int(rng.random() * 4)],
                    "",
                    LEVELS[int(rng.random() * 4)],
                    "",
                    overall,
                    esc(ASSESSMENT_REASONS[int(rng.random() * 4)]),
                    esc(CHILD_VIEWS[int(rng.random() * 3)]),
                    worker,
                    ts(assessed),
                )
            )
        plan_id = t["serviceplan"].new_id()
        t["serviceplan"].add((plan_id, case_id, 1, GOALS, day(assessed + 60 * DAY), worker, ts(assessed)))
        decided = assessed + rng.uniform(2, 30) * HOUR
        plan_pending = status == "asesmen" and decided >= now
        ap = t["approval"]
        ap.add(
            (
                ap.new_id(),
                case_id,
                "rencana",
                plan_id,
                "",
                "",
                "menunggu" if plan_pending else "disetujui",
                worker,
                ts(assessed),
                N if plan_pending else supervisor,
                N if plan_pending else ts(decided),
                "" if plan_pending else "Rencana disetujui.",
                "",
            )
        )
        tasks = [
            ("Kunjungan rumah dan pemantauan keamanan anak", "petugas", worker, ""),
            ("Konseling psikologis untuk anak", "lembaga", N, "uptd_ppa"),
        ]
        if kader is not None:
            tasks.append(("Dampingi anak dan keluarga, laporkan perkembangan", "kader", kader.user_id, ""))
        ct = t["casetask"]
        for title, kind, owner, inst in tasks:
            due = assessed + rng.uniform(5, 25) * DAY
            if closed is not None:
                done_at = min(closed - HOUR, due + rng.uniform(-4, 4) * DAY)
                state, done = "selesai", max(done_at, assessed + HOUR)
            elif due < now and rng.random() < 0.7:
                state, done = "selesai", due
            else:
                state, done = "terbuka", None  # some overdue: the stalled rule's second ground
            ct.add(
                (
                    ct.new_id(),
                    case_id,
                    "rencana",
                    plan_id,
                    N,
                    N,
                    title,
                    kind,
                    owner,
                    inst,
                    day(due),
                    state,
                    "Sudah dilaksanakan." if done else "",
                    ts(done) if done else N,
                    (owner if kind != "lembaga" else worker) if done else N,
                    worker,
                    ts(assessed),
                )
            )
        if closed is not None and closure and status == "selesai":
            ap.add(
                (
                    ap.new_id(),
                    case_id,
                    "penutupan",
                    N,
                    closure,
                    "Layanan tuntas.",
                    "disetujui",
                    worker,
                    ts(closed - 6 * HOUR),
                    supervisor,
                    ts(closed),
                    "Disetujui.",
                    "",
                )
            )


_YEARS: dict[int, int] = {}


def _local_year(epoch: float) -> int:
    d = int(epoch + 7 * 3600) // 86400
    year = _YEARS.get(d)
    if year is None:
        import datetime as dt

        year = _YEARS[d] = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).year
    return year
