"""A year of SIGAP, lived through the real services, for the demo. Synthetic only.

The demo has to read like a real year: a case reported in September was verified hours or
days later, assessed, served month after month, perhaps referred, then closed; KPAD
acknowledged its escalations (mostly in time), asked questions and recommended; a few cases
stalled, a few reports still wait for triage, some reviews are overdue. Only then do the
figures computed from it (the dashboard's medians, the recap's services per month, KPAD's
queue) mean anything.

How: each case is a *story*, a generator that performs one step through the services and
yields the moment its next step is due. ``Year`` runs the steps of every story in time
order, each inside ``time_machine.travel`` to its moment and in its own savepoint, so
every row a service writes (timeline events, audit rows, notifications, escalations, cadre
activity, ``auto_now`` columns) carries the moment of the step, never the moment the demo
ran. The daily routines run as celery beat would run them: the escalation sweep, KPAD's
reminders and digest, the inactive-cadre check, and people reading their inbox. KPAD's
answers are stories too, started when an escalation appears. A step due after now is not
run: the year ends today, with each case where its story stands.

The whole year is one transaction: all of it or nothing. Deterministic for a given seed and
end; idempotent through ``demo_cases_exist``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.policy import Cap, user_can
from accounts.selectors import users_with_capability
from accounts.services import notification_mark_read
from cadres import demo as cadres_demo
from cadres.models import Cadre, Outreach
from cadres.services import flag_inactive_cadres, outreach_log
from cases import casework_selectors, casework_services, escalation, person_services, selectors, services
from cases import kpad_services as kpad
from cases.demo import (
    DEMO_MARKER,
    ESCALATE_AT_ONCE,
    NameBook,
    case_fields,
    demo_cases_exist,
    synthetic_child,
    synthetic_perpetrators,
)
from cases.models import (
    Case,
    ClosureReason,
    Escalation,
    ProtectionCategory,
    ReferralInstitution,
    Risk,
    ServiceType,
    Source,
    Status,
    ViolenceType,
)
from core.validators import age_on
from kelurahan.models import Kelurahan

YEAR_DAYS = 365
SEED_COUNT = 108  # about nine reports a month, as the Dinas sees
SEED = 2026

Story = Generator[dt.datetime, None, None]

# --- Time: office hours, daytime -------------------------------------------------------------------

OFFICE_OPENS, OFFICE_CLOSES = dt.time(7, 30), dt.time(16, 0)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _at(day: dt.date, clock: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, clock))


def office(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """The moment itself if the Dinas' office is open then (Mon-Fri 07:30-16:00 WIB), else a
    moment in the first working hours after it: staff act on working days."""
    local = _local(moment)
    if local.weekday() < 5 and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
        return moment
    day = local.date() if local.time() < OFFICE_OPENS else local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return _at(day, OFFICE_OPENS) + dt.timedelta(minutes=rng.randint(0, 120))


def on_duty(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Like ``office``, but a petugas is on duty for new reports on Saturday mornings too
    (piket pengaduan, 08:00-12:00), so a report made on Friday evening is not left until Monday."""
    local = _local(moment)
    weekday, clock = local.weekday(), local.time()
    if weekday == 5 and dt.time(8) <= clock < dt.time(12):
        return moment
    if (weekday == 4 and clock >= OFFICE_CLOSES) or (weekday == 5 and clock < dt.time(8)):
        saturday = local.date() + dt.timedelta(days=5 - weekday)
        return _at(saturday, dt.time(8)) + dt.timedelta(minutes=rng.randint(0, 180))
    return office(moment, rng)


def daytime(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """The moment if it is daytime (07:00-20:00), else the next morning: cadres visit families by day."""
    local = _local(moment)
    if dt.time(7) <= local.time() < dt.time(20):
        return moment
    day = local.date() if local.time() < dt.time(7) else local.date() + dt.timedelta(days=1)
    return _at(day, dt.time(7, 30)) + dt.timedelta(minutes=rng.randint(0, 240))


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


# The last days of the year always hold: fresh reports nobody has verified yet, reports whose
# triage slipped (escalated as untriaged, still waiting for KPAD), a case just verified and one
# in assessment. So every step of the lifecycle has a case in it today, whatever the draw.
FRESH, SLIPPED, VERIFIED, ASSESSING = "fresh", "slipped", "verified", "assessing"
SPECIAL_AGES = (
    (FRESH, hours(11)),
    (FRESH, hours(26)),
    (SLIPPED, days(6.2)),
    (SLIPPED, days(9.3)),
    (VERIFIED, days(3.6)),
    (ASSESSING, days(8.4)),
)

NEGLECT_NARRATIVE = "Warga melihat anak sering ditinggal sendirian tanpa makanan yang cukup."

# --- The scheduler -----------------------------------------------------------------------------


class Year:
    """Runs stories step by step in time order, each step at its moment and in its transaction."""

    def __init__(self, *, end: dt.datetime):
        self.end = end
        self._queue: list[tuple[dt.datetime, int, Story]] = []
        self._order = itertools.count()
        # Escalations that existed before the demo are not the demo's to answer.
        self._seen_escalation = Escalation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self._escalations_expected = False
        self.on_escalation: Callable[[Escalation], None] | None = None

    def expect_escalations(self) -> None:
        """Called by a step that may have opened escalations (an intake, the sweep)."""
        self._escalations_expected = True

    def start(self, story: Story, *, at: dt.datetime) -> None:
        if at <= self.end:
            heapq.heappush(self._queue, (at, next(self._order), story))

    def run(self) -> int:
        steps = 0
        while self._queue:
            at, _order, story = heapq.heappop(self._queue)
            with time_machine.travel(at, tick=False):
                with transaction.atomic():
                    following = next(story, None)
                if self._escalations_expected:
                    self._notice_escalations()
            steps += 1
            if following is not None:
                self.start(story, at=max(following, at))
        return steps

    def _notice_escalations(self) -> None:
        """Start KPAD's story for each escalation opened by the step just run."""
        self._escalations_expected = False
        new = list(Escalation.objects.filter(pk__gt=self._seen_escalation).order_by("pk"))
        if new:
            self._seen_escalation = new[-1].pk
            for found in new:
                if self.on_escalation is not None:
                    self.on_escalation(found)


# --- What happens in a case ------------------------------------------------------------------------

VERIFY_NOTES = (
    "Laporan dikonfirmasi melalui telepon dengan pelapor.",
    "Petugas menghubungi keluarga; laporan dapat ditindaklanjuti.",
    "Verifikasi bersama kader setempat dan ketua RT.",
    "Pelapor datang ke kantor; kronologi dicatat dan diverifikasi.",
)
ASSESS_NOTES = (
    "Asesmen awal bersama psikolog UPTD PPA; rencana layanan disusun.",
    "Asesmen kebutuhan anak dan keluarga selesai; rencana layanan disepakati dengan orang tua.",
    "Asesmen di rumah anak bersama kader; anak perlu pendampingan psikologis dan kesehatan.",
)
FOLLOW_UP_NOTES = (
    "Koordinasi dengan pihak sekolah tentang kehadiran dan kondisi anak.",
    "Keluarga dihubungi melalui telepon; kondisi anak stabil.",
    "Konseling lanjutan dijadwalkan minggu depan.",
    "Orang tua datang ke kantor untuk konsultasi pengasuhan.",
    "Koordinasi dengan ketua RT dan kader untuk pemantauan di lingkungan rumah.",
)
KADER_VISIT_NOTES = (
    "Kunjungan rumah; keluarga bersedia didampingi.",
    "Kunjungan rumah; anak sudah kembali bersekolah.",
    "Kunjungan rumah; anak tampak lebih tenang, orang tua kooperatif.",
    "Mendampingi anak dan ibu ke puskesmas.",
)
# service type -> (providers, outcomes)
SERVICE_TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ServiceType.PENGADUAN: (
        ("UPTD PPA Kota Pontianak",),
        ("Pengaduan diterima dan dicatat; keluarga diberi informasi layanan.",),
    ),
    ServiceType.KESEHATAN: (
        ("RSUD Sultan Syarif Mohamad Alkadrie", "Puskesmas setempat"),
        ("Pemeriksaan kesehatan; tidak ada luka serius.", "Visum et repertum dilakukan; hasil ke Unit PPA."),
    ),
    ServiceType.PSIKOLOGIS: (
        ("Psikolog UPTD PPA Kota Pontianak",),
        ("Sesi konseling; anak mulai terbuka.", "Konseling lanjutan; kecemasan anak berkurang."),
    ),
    ServiceType.BANTUAN_HUKUM: (
        ("LBH APIK Kalimantan Barat", "Posbakum Pengadilan Negeri Pontianak"),
        ("Konsultasi hukum untuk keluarga.", "Pendampingan saat pemeriksaan di kepolisian."),
    ),
    ServiceType.PENEGAKAN_HUKUM: (
        ("Unit PPA Satreskrim Polresta Pontianak",),
        (
            "Laporan polisi dibuat; anak didampingi saat pemeriksaan.",
            "Berkas perkara dilimpahkan ke kejaksaan.",
        ),
    ),
    ServiceType.REHABILITASI: (
        ("Dinas Sosial Kota Pontianak",),
        ("Anak mengikuti program rehabilitasi sosial.", "Bantuan sosial dan pendampingan keluarga."),
    ),
    ServiceType.REINTEGRASI: (
        ("Dinas Sosial Kota Pontianak", "Sekolah asal anak"),
        ("Anak kembali bersekolah dengan pendampingan.", "Anak kembali diasuh keluarga besar."),
    ),
    ServiceType.TOKOH_AGAMA: (
        ("Tokoh agama setempat",),
        ("Pendampingan rohani bagi anak dan keluarga.",),
    ),
    ServiceType.MEDIASI: (
        ("DP2KBP3A Kota Pontianak",),
        (
            "Mediasi keluarga; disepakati pengasuhan bersama.",
            "Mediasi; orang tua bersepakat soal nafkah anak.",
        ),
    ),
    ServiceType.PEMULANGAN: (
        ("Dinas Sosial Kota Pontianak",),
        ("Anak dipulangkan ke keluarga dengan pendampingan.",),
    ),
}
# The services a case needs, by its kinds of violence (the first match wins).
SERVICE_NEEDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ViolenceType.TRAFFICKING, (ServiceType.PEMULANGAN, ServiceType.PENEGAKAN_HUKUM, ServiceType.PSIKOLOGIS)),
    (ViolenceType.SEKSUAL, (ServiceType.KESEHATAN, ServiceType.PSIKOLOGIS, ServiceType.PENEGAKAN_HUKUM)),
    (ViolenceType.EKSPLOITASI, (ServiceType.PSIKOLOGIS, ServiceType.REHABILITASI, ServiceType.BANTUAN_HUKUM)),
    (ViolenceType.FISIK, (ServiceType.KESEHATAN, ServiceType.PSIKOLOGIS, ServiceType.MEDIASI)),
    (ViolenceType.PENELANTARAN, (ServiceType.REHABILITASI, ServiceType.REINTEGRASI, ServiceType.TOKOH_AGAMA)),
    (ViolenceType.PSIKIS, (ServiceType.PSIKOLOGIS, ServiceType.TOKOH_AGAMA, ServiceType.MEDIASI)),
    (ViolenceType.LAINNYA, (ServiceType.PSIKOLOGIS, ServiceType.MEDIASI)),
)
REFERRALS: dict[str, tuple[str, str]] = {
    ViolenceType.SEKSUAL: (ReferralInstitution.UNIT_PPA, "Untuk proses hukum dan pemeriksaan."),
    ViolenceType.TRAFFICKING: (ReferralInstitution.UNIT_PPA, "Dugaan TPPO; perlu penyidikan."),
    ViolenceType.EKSPLOITASI: (ReferralInstitution.DINSOS, "Untuk rehabilitasi sosial anak."),
    ViolenceType.FISIK: (ReferralInstitution.RSUD, "Pemeriksaan dan perawatan luka."),
    ViolenceType.PENELANTARAN: (
        ReferralInstitution.DINSOS,
        "Anak membutuhkan pengasuhan alternatif sementara.",
    ),
    ViolenceType.PSIKIS: (ReferralInstitution.UPTD_PPA, "Konseling psikologis lanjutan."),
    ViolenceType.LAINNYA: (ReferralInstitution.LBH, "Pendampingan hukum bagi keluarga."),
}
ASSESSMENT_REASONS = (
    "Terduga pelaku masih tinggal serumah dengan anak.",
    "Anak sudah aman bersama kerabat; dampak psikologis perlu dipantau.",
    "Kejadian berulang dan keluarga belum melindungi anak.",
    "Anak terlindungi di rumah; kebutuhan terbesar pada pemulihan dan sekolah.",
)
SAFETY_FINDINGS = (
    "Terduga pelaku masih bisa menemui anak.",
    "Anak tinggal sementara di rumah kerabat yang aman.",
    "Lingkungan rumah aman; ada tetangga yang bisa dihubungi bila darurat.",
)
CHILD_VIEWS = (
    "Anak ingin tetap bersekolah dan tinggal bersama nenek.",
    "Anak takut bertemu terduga pelaku dan ingin ditemani saat pemeriksaan.",
    "Anak ingin ibunya diberi tahu lebih dahulu sebelum ada kunjungan.",
)
REFERRAL_NOTES = (
    "Koordinasi dengan lembaga rujukan tentang perkembangan anak.",
    "Lembaga rujukan mengabarkan pemeriksaan masih berjalan.",
    "Mendampingi anak dan orang tua ke lembaga rujukan.",
)
CLOSING_NOTES = {
    ClosureReason.SERVICES_COMPLETE: "Layanan tuntas sesuai rencana; pemantauan oleh kader.",
    ClosureReason.REINTEGRATED: "Anak kembali ke keluarga dan bersekolah; kasus diakhiri.",
    ClosureReason.HANDED_OVER: "Penanganan dilanjutkan oleh Dinas Sosial Provinsi.",
    ClosureReason.MOVED: "Keluarga pindah ke luar kota; data diteruskan ke dinas setempat.",
}
NO_FOLLOW_UP_NOTES = {
    ClosureReason.UNFOUNDED: "Hasil klarifikasi ke keluarga dan sekolah: laporan tidak terbukti.",
    ClosureReason.NO_CONTACT: "Keluarga tidak dapat dihubungi setelah tiga kali kunjungan.",
    ClosureReason.DUPLICATE: "Laporan ganda dari hotline; sudah tercatat pada kasus lain.",
}
KPAD_REQUESTS = (
    "Mohon informasi perkembangan pemeriksaan oleh Unit PPA.",
    "Mohon dikirim ringkasan hasil asesmen awal.",
    "Apakah anak sudah mendapat pendampingan psikologis?",
    "Bagaimana kondisi anak saat ini dan siapa yang mengasuhnya?",
)
KPAD_ANSWERS = (
    "Pemeriksaan sedang berjalan; anak didampingi petugas dan psikolog.",
    "Asesmen awal selesai; rencana layanan sudah disusun bersama keluarga.",
    "Sudah, dua sesi konseling; jadwal berikutnya minggu depan.",
    "Anak diasuh neneknya; kader memantau setiap minggu.",
)
KPAD_RECOMMENDATIONS = (
    "Pastikan pendampingan psikologis berlanjut dan koordinasi dengan sekolah.",
    "Dorong proses hukum dan jauhkan anak dari kontak dengan terduga pelaku.",
    "Libatkan keluarga besar dalam pengasuhan dan pantau lewat kader.",
    "Perlu koordinasi dengan Dinas Sosial untuk dukungan ekonomi keluarga.",
)
KPAD_CLOSING = (
    "Penanganan oleh Dinas sudah memadai; telaah ditutup.",
    "Kasus ditangani sesuai rekomendasi; KPAD menutup telaah.",
    "Anak sudah mendapat layanan yang dibutuhkan; telaah selesai.",
)


@dataclass
class CasePlan:
    """What will happen in one case, drawn before its story starts."""

    reported_at: dt.datetime
    kelurahan: Kelurahan
    reporter: User
    # "complete", "no_follow_up", "duplicate", "untriaged", "stalled", "verified", "assessing"
    fate: str
    triage_after: dt.timedelta
    services: int
    referral: bool
    gap: dt.timedelta | None  # one long silence somewhere in the handling
    kpad_waits: bool = False  # KPAD has not acknowledged its escalations yet: overdue today
    children: list[services.ChildData] = field(default_factory=list)


@dataclass
class Cast:
    petugas: User
    kpad: User | None
    kaders: Sequence[User]
    supervisor: User | None = None  # Kasubid PP & PA: approves the plans and the closures

    def kader_of(self, kelurahan_id: int) -> User | None:
        return next((k for k in self.kaders if k.kelurahan_id == kelurahan_id), None)


class DemoYear:
    """The demo's year: plans the cases, tells their stories, and KPAD's, to the end."""

    def __init__(self, *, cast: Cast, end: dt.datetime, count: int = SEED_COUNT, seed: int = SEED):
        self.cast = cast
        self.end = end
        self.start_at = end - days(YEAR_DAYS)
        self.count = count
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.names = NameBook(seed)
        self.year = Year(end=end)
        self.year.on_escalation = self._kpad_story_for
        # Escalations KPAD leaves waiting (the queue's overdue ones): chosen by case.
        self.kpad_waits_on: set[int] = set()

    # --- Planning ---

    def _reporters(self, kelurahan: list[Kelurahan]) -> list[tuple[Kelurahan, User]]:
        """Every kelurahan gets cases; the demo kaders report a share in their own kelurahan."""
        plan = []
        kader_reports = max(4, self.count // 8)
        for i in range(self.count):
            if self.cast.kaders and i < kader_reports:
                kader = self.cast.kaders[i % len(self.cast.kaders)]
                plan.append((kader.kelurahan, kader))
            else:
                plan.append((kelurahan[(i - kader_reports) % len(kelurahan)], self.cast.petugas))
        self.rng.shuffle(plan)
        return plan

    def _moments(self) -> list[tuple[dt.datetime, str]]:
        """Report moments over the year, a little more frequent lately (cases grow each year),
        at the hours people report: mostly by day, some in the evening. The last days hold two
        fresh reports nobody has verified yet and two whose triage slipped."""
        span = (self.end - self.start_at).total_seconds()
        moments = []
        for _ in range(self.count - len(SPECIAL_AGES)):
            share = self.rng.random() ** 0.85
            day = _local(self.start_at + dt.timedelta(seconds=span * share)).date()
            clock = dt.time(self.rng.choices((8, 10, 13, 15, 19), weights=(3, 4, 3, 3, 1))[0], 0)
            moment = _at(day, clock) + dt.timedelta(minutes=self.rng.randint(0, 110))
            moments.append((min(moment, self.end - hours(30)), ""))
        moments += [(self.end - age, special) for special, age in SPECIAL_AGES]
        return sorted(moments)

    def _triage_delay(self, risk: str) -> dt.timedelta:
        if risk == Risk.KRITIS:
            return hours(self.rng.uniform(0.5, 3))
        if risk == Risk.TINGGI:
            return hours(self.rng.uniform(1, 8))
        if risk == Risk.SEDANG:
            return hours(self.rng.uniform(2, 24))
        return hours(self.rng.uniform(4, 40))

    def plan(self) -> list[tuple[CasePlan, dict]]:
        kelurahan = list(Kelurahan.objects.select_related("kecamatan").order_by("code"))
        plans = []
        earlier_children: list[services.ChildData] = []
        moments = self._moments()
        for (at, special), (kel, reporter) in zip(moments, self._reporters(kelurahan), strict=True):
            fields = case_fields(self.rng, self.names, kelurahan=kel, on=timezone.localdate(at))
            if special == SLIPPED:
                # A report left this long is one nobody read as urgent.
                fields.update(
                    violence_types=[ViolenceType.PENELANTARAN],
                    risk=Risk.RENDAH,
                    online_prostitution=False,
                    protection_category=ProtectionCategory.PERLAKUAN_SALAH,
                    narrative=f"{DEMO_MARKER} {NEGLECT_NARRATIVE}",
                )
            children = [
                synthetic_child(
                    self.rng, self.names, kecamatan_code=kel.kecamatan.code, on=timezone.localdate(at)
                )
                for _ in range(self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0])
            ]
            # Now and then a child already known from an earlier case is reported again (linked
            # to their record by the reporter, or merged by the petugas: see _known_children).
            day = timezone.localdate(at)
            known = [c for c in earlier_children if c.nik and c.birth_date and age_on(c.birth_date, day) < 18]
            if known and self.rng.random() < 0.04:
                children[0] = self.rng.choice(known)
            earlier_children += children
            fresh = self.end - at
            roll = self.rng.random()
            if special in (FRESH, SLIPPED):
                fate = "untriaged"
            elif special:
                fate = special
            elif roll < 0.03:
                fate = "duplicate"
            elif roll < 0.12:
                fate = "no_follow_up"
            elif roll < 0.2 and days(25) < fresh < days(80):
                fate = "stalled"
            else:
                fate = "complete"
            triage = self._triage_delay(fields["risk"])
            if fate == "untriaged":
                triage = days(30)  # beyond the end: still dilaporkan today
            elif self.rng.random() < 0.06:
                triage = days(self.rng.uniform(2.2, 4))  # a report that slipped: the untriaged rule fires
            kinds = fields["violence_types"]
            plan = CasePlan(
                reported_at=at,
                kelurahan=kel,
                reporter=reporter,
                fate=fate,
                triage_after=triage,
                services=self.rng.choices((1, 2, 3, 4, 5), weights=(15, 30, 30, 15, 10))[0],
                referral=self.rng.random() < (0.6 if set(kinds) & ESCALATE_AT_ONCE else 0.25),
                gap=days(self.rng.uniform(16, 35)) if self.rng.random() < 0.12 else None,
                kpad_waits=special == SLIPPED,
                children=children,
            )
            plans.append((plan, fields))
        return plans

    # --- Running ---

    def run(self) -> int:
        # The sweep logs each run that escalates: fine once every 15 minutes, noise 365 times over.
        logger = logging.getLogger(escalation.__name__)
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            return self._run()
        finally:
            logger.setLevel(level)

    def _run(self) -> int:
        plans = self.plan()
        for plan, fields in plans:
            self.year.start(self._case_story(plan, fields), at=plan.reported_at)
        self.year.start(self._daily_routines(), at=_at(timezone.localdate(self.start_at), dt.time(1)))
        self.year.start(self._inbox_reading(), at=_at(timezone.localdate(self.start_at), dt.time(15, 30)))
        self.year.start(
            cadres_demo.roster_outreach(actor=self.cast.petugas, start=self.start_at, end=self.end),
            at=self.start_at,
        )
        for kader in self.cast.kaders:
            self.year.start(self._outreach_story(kader), at=office(self.start_at + days(5), self.rng))
        self.year.run()
        return len(plans)

    def _known_children(self, plan: CasePlan) -> tuple[list[services.ChildData], list]:
        """The plan's children as the reporter enters them: a child whose record they may see
        linked to it (the intake offers it); the records they may not see, for the petugas."""
        children, repeats = [], []
        for child in plan.children:
            if child.nik:
                found = selectors.matching_persons(user=plan.reporter, nik=child.nik)
                if found.visible:
                    child = replace(child, person=found.visible[0])
                elif found.elsewhere:
                    repeats.append(
                        selectors.matching_persons(user=self.cast.petugas, nik=child.nik).visible[0]
                    )
            children.append(child)
        return children, repeats

    def _case_story(self, plan: CasePlan, fields: dict) -> Story:
        rng, cast, petugas = self.rng, self.cast, self.cast.petugas
        fields = dict(fields)
        kinds = fields.pop("violence_types")
        by_kader = user_can(plan.reporter, Cap.ACCOMPANY_CASES)
        children, repeats = self._known_children(plan)
        case = services.case_create(
            actor=plan.reporter,
            violence_types=kinds,
            children=children,
            perpetrators=synthetic_perpetrators(rng),
            source=Source.KADER if by_kader else rng.choice([s for s in Source][1:]),
            reporter_name="" if by_kader else self.names.name(rng, rng.choice("LP")),
            **fields,
        )
        for known in repeats:
            # The reporter could not see the child's record: the petugas merges the two.
            new = case.children.get(person__nik=known.nik).person
            person_services.person_merge(actor=petugas, keep=known, other=new, reason="NIK yang sama.")
        # The immediate rule, at this moment (the on-commit task then finds it done).
        escalation.escalate_on_intake(case_id=case.pk, now=timezone.now())
        self.year.expect_escalations()
        if plan.kpad_waits:
            self.kpad_waits_on.add(case.pk)
        kader = cast.kader_of(case.kelurahan_id)
        if by_kader:
            yield daytime(timezone.now() + hours(rng.uniform(18, 60)), rng)
            services.case_add_visit(
                actor=plan.reporter,
                case=case,
                visit_date=timezone.localdate(),
                note=rng.choice(KADER_VISIT_NOTES),
            )
        if plan.fate == "duplicate":
            yield office(plan.reported_at + hours(rng.uniform(2, 20)), rng)
            services.case_change_status(
                actor=petugas,
                case=case,
                to=Status.DITUTUP,
                closure_reason=ClosureReason.DUPLICATE,
                note=NO_FOLLOW_UP_NOTES[ClosureReason.DUPLICATE],
            )
            return
        urgent = case.risk in (Risk.KRITIS, Risk.TINGGI)
        triage_at = plan.reported_at + plan.triage_after
        yield triage_at if case.risk == Risk.KRITIS else on_duty(triage_at, rng)
        case = services.case_change_status(
            actor=petugas, case=case, to=Status.DIVERIFIKASI, note=rng.choice(VERIFY_NOTES)
        )
        if kader and not by_kader and rng.random() < 0.6:
            services.case_assign_cadre(actor=petugas, case=case, cadre=kader)
            kader_follows = True
        else:
            kader_follows = by_kader
        if plan.fate == "no_follow_up":
            yield office(timezone.now() + days(rng.uniform(2, 9)), rng)
            reason = rng.choice([ClosureReason.UNFOUNDED, ClosureReason.UNFOUNDED, ClosureReason.NO_CONTACT])
            services.case_change_status(
                actor=petugas,
                case=case,
                to=Status.DITUTUP,
                closure_reason=reason,
                note=NO_FOLLOW_UP_NOTES[reason],
            )
            return
        if plan.fate == VERIFIED:
            return  # waits for its assessment today
        later = hours(rng.uniform(4, 30)) if urgent else days(rng.uniform(2, 10))
        yield office(timezone.now() + later, rng)
        case = services.case_change_status(actor=petugas, case=case, to=Status.ASESMEN)
        services.case_add_note(actor=petugas, case=case, note=rng.choice(ASSESS_NOTES))
        services.case_add_service(
            actor=petugas,
            case=case,
            service_type=ServiceType.PENGADUAN,
            provider=SERVICE_TEXTS[ServiceType.PENGADUAN][0][0],
            date=timezone.localdate(),
            outcome=SERVICE_TEXTS[ServiceType.PENGADUAN][1][0],
        )
        yield office(timezone.now() + days(rng.uniform(1, 4)), rng)
        self._assess(case)
        if plan.fate == ASSESSING:
            return  # its service plan is still being drawn up today
        yield office(timezone.now() + days(rng.uniform(1, 6)), rng)
        service_plan = self._plan(case, kinds, kader=kader if kader_follows else None)
        yield from self._approve_plan(service_plan)
        if urgent:
            yield office(timezone.now() + days(rng.uniform(1, 4)), rng)
            self._conference(case, kader=kader if kader_follows else None)
        yield office(timezone.now() + days(rng.uniform(1, 5)), rng)
        case = services.case_change_status(actor=petugas, case=case, to=Status.DITANGANI)
        needs = next((s for kind, s in SERVICE_NEEDS if kind in kinds), SERVICE_NEEDS[-1][1])
        gap_after = rng.randrange(plan.services) if plan.gap else None
        for number in range(plan.services):
            yield from self._service(case, needs[number % len(needs)])
            if plan.fate == "stalled" and number == 0:
                return  # nobody picks the case up again (its tasks go overdue): the stalled rule will notice
            if number == 0:
                yield from self._settle_tasks(case, due_only=True)
            if plan.referral and number == 0:
                yield from self._referral(case, kinds)
                case.refresh_from_db()
            silence = plan.gap if number == gap_after else None
            yield from self._follow_ups(case, kader=kader if kader_follows else None, until=silence)
        yield from self._settle_tasks(case)
        yield office(timezone.now() + days(rng.uniform(3, 14)), rng)
        case.refresh_from_db()
        reason = rng.choices(list(CLOSING_NOTES), weights=(70, 18, 6, 6))[0]
        yield from self._close(case, reason)

    # --- Case work: assessment, plan, tasks, conference, approvals ---

    def _assess(self, case: Case) -> None:
        rng = self.rng
        urgent = case.risk in (Risk.KRITIS, Risk.TINGGI)
        for child in case.children.all():
            level = "tinggi" if urgent else rng.choice(("rendah", "sedang"))
            casework_services.assessment_record(
                actor=self.cast.petugas,
                case=case,
                child=child,
                assessed_on=timezone.localdate(),
                overall_risk=case.risk if urgent or rng.random() < 0.8 else Risk.SEDANG,
                risk_reason=rng.choice(ASSESSMENT_REASONS),
                safety_level=level,
                safety_finding=rng.choice(SAFETY_FINDINGS),
                psychosocial_level=rng.choice(("rendah", "sedang", "tinggi")),
                psychosocial_finding="Anak tampak cemas dan sulit tidur sejak kejadian.",
                family_level=rng.choice(("tidak_ada", "rendah", "sedang")),
                family_finding="Pengasuhan sementara oleh nenek dari pihak ibu.",
                child_view=rng.choice(CHILD_VIEWS),
            )

    def _plan(self, case: Case, kinds: list[str], *, kader: User | None):
        rng, petugas = self.rng, self.cast.petugas
        today = timezone.localdate()
        institution = next((REFERRALS[k][0] for k in kinds if k in REFERRALS), ReferralInstitution.UPTD_PPA)
        actions = [
            casework_services.ActionData(
                title="Kunjungan rumah dan pemantauan keamanan anak",
                owner_kind="petugas",
                owner_user=petugas,
                due_on=today + dt.timedelta(days=rng.randint(5, 12)),
            ),
            casework_services.ActionData(
                title="Konseling psikologis untuk anak",
                owner_kind="lembaga",
                owner_institution=institution,
                due_on=today + dt.timedelta(days=rng.randint(10, 25)),
            ),
        ]
        if kader is not None:
            actions.append(
                casework_services.ActionData(
                    title="Dampingi anak dan keluarga, laporkan perkembangan",
                    owner_kind="kader",
                    owner_user=kader,
                    due_on=today + dt.timedelta(days=rng.randint(7, 20)),
                )
            )
        return casework_services.plan_create(
            actor=petugas,
            case=case,
            goals="Anak aman dari kekerasan\nAnak mendapat pemulihan psikologis\nAnak tetap bersekolah",
            actions=actions,
        )

    def _approve_plan(self, service_plan) -> Story:
        supervisor = self.cast.supervisor
        pending = service_plan.approvals.filter(state="menunggu").first()
        if supervisor is None or pending is None:
            return
        yield office(timezone.now() + hours(self.rng.uniform(2, 30)), self.rng)
        casework_services.approval_decide(
            actor=supervisor, approval=pending, approve=True, note="Rencana disetujui."
        )

    def _conference(self, case: Case, *, kader: User | None) -> None:
        rng, petugas = self.rng, self.cast.petugas
        today = timezone.localdate()
        casework_services.conference_record(
            actor=petugas,
            case=case,
            held_on=today,
            institutions=["uptd_ppa", rng.choice(["unit_ppa", "rsud", "dinas_sosial"])],
            kpad_present=case.escalated_at is not None,
            cadres=[kader] if kader is not None else [],
            summary="Pembahasan kondisi anak dan pembagian peran antarlembaga.",
            decisions=[
                casework_services.ActionData(
                    title="Koordinasi jadwal pemeriksaan dengan lembaga",
                    owner_kind="petugas",
                    owner_user=petugas,
                    due_on=today + dt.timedelta(days=rng.randint(3, 8)),
                ),
                casework_services.ActionData(
                    title="Pendampingan hukum bagi keluarga",
                    owner_kind="lembaga",
                    owner_institution="lbh",
                    due_on=today + dt.timedelta(days=rng.randint(10, 20)),
                ),
            ],
        )

    def _settle_tasks(self, case: Case, *, due_only: bool = False) -> Story:
        """The case's open tasks are done, each by its owner (the institution's by the case
        worker, who hears of it): all of them before the closure, or those already due."""
        rng = self.rng
        tasks = case.tasks.filter(state__in=("terbuka", "berjalan")).select_related("owner_user")
        if due_only:
            tasks = tasks.filter(due_on__lte=timezone.localdate())
        for task in list(tasks.order_by("due_on", "pk")):
            actor = task.owner_user if task.owner_kind == "kader" else self.cast.petugas
            yield daytime(timezone.now() + hours(rng.uniform(2, 40)), rng)
            casework_services.task_set_state(
                actor=actor, task=task, state="selesai", note="Sudah dilaksanakan."
            )

    def _close(self, case: Case, reason: str) -> Story:
        """The case worker asks for the completion; the supervisor approves it."""
        petugas, supervisor = self.cast.petugas, self.cast.supervisor
        if supervisor is None:
            return
        approval = casework_services.closure_request(
            actor=petugas, case=case, closure_reason=reason, note=CLOSING_NOTES[reason]
        )
        yield office(timezone.now() + hours(self.rng.uniform(2, 30)), self.rng)
        blockers = casework_selectors.closure_blockers(case=case)
        casework_services.approval_decide(
            actor=supervisor,
            approval=approval,
            approve=True,
            note=CLOSING_NOTES[reason],
            override_reason="Layanan lanjutan dipantau lembaga penerima." if blockers else "",
        )

    def _service(self, case: Case, service_type: str) -> Story:
        rng = self.rng
        yield office(timezone.now() + days(rng.uniform(2, 12)), rng)
        providers, outcomes = SERVICE_TEXTS[service_type]
        # Entered on the day or a day or two after the service took place.
        given_on = timezone.localdate() - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        services.case_add_service(
            actor=self.cast.petugas,
            case=case,
            service_type=service_type,
            provider=rng.choice(providers),
            date=given_on,
            outcome=rng.choice(outcomes),
        )

    def _referral(self, case: Case, kinds: list[str]) -> Story:
        rng, petugas = self.rng, self.cast.petugas
        institution, reason = next(
            (REFERRALS[k] for k in kinds if k in REFERRALS), REFERRALS[ViolenceType.LAINNYA]
        )
        yield office(timezone.now() + days(rng.uniform(1, 5)), rng)
        referral = services.case_refer(
            actor=petugas, case=case, institution=institution, date=timezone.localdate(), reason=reason
        )
        case = services.case_change_status(actor=petugas, case=case, to=Status.DIRUJUK)
        # Most institutions answer within days; some keep silent past SIGAP_REFERRAL_ANSWER_DAYS
        # and the case worker gets a reminder task (the daily routine).
        wait = days(rng.uniform(1, 6) if rng.random() < 0.7 else rng.uniform(9, 15))
        if self.end - timezone.now() < days(25):
            # The last weeks' referrals are still waiting for the institution's answer today
            # (past SIGAP_REFERRAL_ANSWER_DAYS, with a reminder task): the year ends first.
            wait = days(40)
        yield office(timezone.now() + wait, rng)
        casework_services.referral_answer(
            actor=petugas, referral=referral, accepted=True, answered_on=timezone.localdate()
        )
        # The institution takes weeks (a police investigation, months); the case worker keeps
        # in touch meanwhile, so the case does not look stalled.
        for _ in range(rng.randint(2, 5)):
            yield office(timezone.now() + days(rng.uniform(5, 12)), rng)
            services.case_add_note(actor=petugas, case=case, note=rng.choice(REFERRAL_NOTES))
        yield office(timezone.now() + days(rng.uniform(5, 12)), rng)
        casework_services.referral_outcome(
            actor=petugas,
            referral=referral,
            outcome="Layanan di lembaga rujukan selesai; anak kembali didampingi Dinas.",
            outcome_on=timezone.localdate(),
        )
        services.case_change_status(
            actor=petugas, case=case, to=Status.DITANGANI, note="Kembali ditangani Dinas setelah rujukan."
        )

    def _follow_ups(self, case: Case, *, kader: User | None, until: dt.timedelta | None) -> Story:
        """Between two services: a note by the case worker, a home visit by the cadre, at
        most twelve days apart (so the stalled rule stays quiet), or one long silence."""
        rng = self.rng
        if until is not None:
            yield office(timezone.now() + until, rng)
            services.case_add_note(
                actor=self.cast.petugas,
                case=case,
                note="Kasus kembali ditindaklanjuti setelah sempat tertunda.",
            )
            return
        for _ in range(rng.choice((1, 1, 2))):
            if kader is not None and rng.random() < 0.5:
                yield daytime(timezone.now() + days(rng.uniform(3, 11)), rng)
                services.case_add_visit(
                    actor=kader,
                    case=case,
                    visit_date=timezone.localdate(),
                    note=rng.choice(KADER_VISIT_NOTES),
                )
            else:
                yield office(timezone.now() + days(rng.uniform(3, 11)), rng)
                services.case_add_note(actor=self.cast.petugas, case=case, note=rng.choice(FOLLOW_UP_NOTES))

    # --- KPAD ---

    def _kpad_story_for(self, found: Escalation) -> None:
        if self.cast.kpad is None:
            return
        self.year.start(self._kpad_story(found.pk), at=found.opened_at + hours(self.rng.uniform(3, 30)))

    def _kpad_story(self, escalation_id: int) -> Story:
        rng, commissioner, petugas = self.rng, self.cast.kpad, self.cast.petugas
        found = Escalation.objects.get(pk=escalation_id)
        age = self.end - found.opened_at
        if found.case_id in self.kpad_waits_on or (days(3) < age < days(12) and rng.random() < 0.5):
            return  # still waiting for KPAD today: overdue in the queue
        late = rng.random() < 0.15
        yield office(timezone.now() + (days(rng.uniform(3, 5)) if late else hours(rng.uniform(0, 30))), rng)
        found.refresh_from_db()
        if found.state != Escalation.State.OPEN:
            return
        kpad.kpad_acknowledge(actor=commissioner, escalation=found)
        if rng.random() < 0.4:
            yield office(timezone.now() + days(rng.uniform(1, 4)), rng)
            message = kpad.kpad_request_information(
                actor=commissioner, escalation=found, text=rng.choice(KPAD_REQUESTS)
            )
            yield office(timezone.now() + days(rng.uniform(0.5, 3)), rng)
            escalation.kpad_request_answer(actor=petugas, message=message, answer=rng.choice(KPAD_ANSWERS))
        if rng.random() < 0.6:
            yield office(timezone.now() + days(rng.uniform(2, 10)), rng)
            kpad.kpad_recommend(actor=commissioner, escalation=found, text=rng.choice(KPAD_RECOMMENDATIONS))
        yield office(timezone.now() + days(rng.uniform(10, 45)), rng)
        kpad.kpad_resolve(actor=commissioner, escalation=found, note=rng.choice(KPAD_CLOSING))

    # --- Routines ---

    def _daily_routines(self) -> Story:
        """What beat runs each night and morning: the inactive-cadre check (01:00), KPAD's
        digest (07:00) and reminders (08:00), and the escalation sweep (here once a day, at
        07:30: the rules count in hours and days, not in quarters of an hour)."""
        while True:
            flag_inactive_cadres(now=timezone.now())
            yield timezone.now() + hours(6)
            kpad.kpad_send_daily_digest()
            yield timezone.now() + hours(0.5)
            escalation.escalation_sweep()
            self.year.expect_escalations()
            yield timezone.now() + hours(0.5)
            kpad.kpad_send_reminders()
            casework_services.referral_reminders()
            casework_services.task_digest_send()
            yield timezone.now() + hours(17)

    def _inbox_reading(self) -> Story:
        """People read their inbox on working days; the last week's messages are still unread."""
        users = [
            *users_with_capability(Cap.HANDLE_CASES),
            *users_with_capability(Cap.REVIEW_ESCALATIONS),
            *users_with_capability(Cap.ACCOMPANY_CASES),
        ]
        while timezone.now() < self.end - days(7):
            if _local(timezone.now()).weekday() < 5:
                for user in users:
                    notification_mark_read(user=user)
            yield timezone.now() + days(1)

    def _outreach_story(self, kader: User) -> Story:
        """The demo kaders' own outreach, two or three times a month."""
        rng = self.rng
        cadre = Cadre.objects.filter(user=kader).first()
        if cadre is None:
            return
        notes = {
            Outreach.Kind.SOSIALISASI: "Sosialisasi pencegahan kekerasan anak di posyandu.",
            Outreach.Kind.KUNJUNGAN_RUMAH: "Kunjungan rumah keluarga rentan.",
            Outreach.Kind.PENJANGKAUAN: "Penjangkauan anak putus sekolah di lingkungan RW.",
        }
        while True:
            kind = rng.choice(list(notes))
            outreach_log(
                cadre=cadre,
                actor=kader,
                kind=kind,
                date=timezone.localdate(),
                kelurahan=kader.kelurahan,
                people_reached=rng.randint(3, 40) if kind == Outreach.Kind.SOSIALISASI else rng.randint(1, 6),
                note=notes[kind],
            )
            yield daytime(timezone.now() + days(rng.uniform(8, 16)), rng)


def seed_demo_cases(
    *,
    petugas: User,
    kaders: Sequence[User],
    kpad_user: User | None = None,
    supervisor: User | None = None,
    count: int = SEED_COUNT,
    seed: int = SEED,
    end: dt.datetime | None = None,
) -> int:
    """A year of demo cases, ending now, through the services. Does nothing (returns 0)
    when demo cases exist already."""
    if demo_cases_exist():
        return 0
    cast = Cast(petugas=petugas, kpad=kpad_user, kaders=list(kaders), supervisor=supervisor)
    # All of the year or none of it: a demo cut short would pass for complete on the next run.
    with transaction.atomic():
        return DemoYear(cast=cast, end=end or timezone.now(), count=count, seed=seed).run()
