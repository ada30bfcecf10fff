"""The demo training: 23–24 Nov 2022 at BAPPEDA Kota Pontianak. Synthetic participants only.

Idempotent: does nothing once the demo training exists. Uses the roster's demo cadres when
there are any (calling the roster's own generator first when it is importable), otherwise
makes 25 synthetic cadres of its own.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from accounts.policy import Cap
from accounts.selectors import users_with_capability
from cadres.models import Cadre
from kelurahan.models import Kelurahan

from . import services
from .models import Training

DEMO_TITLE = "Pelatihan Peningkatan Kapasitas Kader Pendamping Anak dalam Penanganan Kasus"
DEMO_VENUE = "BAPPEDA Kota Pontianak, Ruang Rapat Abdul Muis"
DEMO_ORGANISER = "DP2KBP3A Kota Pontianak"
DEMO_DAYS = (dt.date(2022, 11, 23), dt.date(2022, 11, 24))

# day index, start, end, topic, resource person (synthetic names)
DEMO_AGENDA = (
    (0, "08:00", "08:30", "Registrasi peserta dan pre-test", "Panitia DP2KBP3A"),
    (0, "08:30", "09:00", "Pembukaan dan arahan Kepala Dinas", "Kepala DP2KBP3A Kota Pontianak"),
    (0, "09:00", "10:30", "Kebijakan perlindungan anak dan peran kader", "Dra. Lestari Wulandari, M.Si."),
    (
        0,
        "10:45",
        "12:00",
        "Mengenali bentuk kekerasan dan eksploitasi anak, termasuk daring",
        "Agus Prasetyo, S.Psi.",
    ),
    (0, "13:00", "15:00", "Alur pengaduan dan layanan UPTD PPA", "Rahmawati, S.H."),
    (0, "15:15", "16:30", "Praktik: pendampingan korban dan keluarga", "Tim Psikolog UPTD PPA"),
    (1, "08:00", "09:30", "Anak berhadapan dengan hukum dan diversi", "Bripka Yudi Hartono (Unit PPA)"),
    (1, "09:45", "11:30", "Pencatatan kasus dan rujukan di SIGAP", "Tim SIGAP DP2KBP3A"),
    (1, "11:30", "12:00", "Pemilihan pengurus kader", "Panitia DP2KBP3A"),
    (1, "13:00", "14:30", "Kerja sama kader dan KPAD dalam penjangkauan", "Komisioner KPAD Kota Pontianak"),
    (1, "14:30", "15:30", "Post-test, evaluasi dan penutupan", "Panitia DP2KBP3A"),
)

DEMO_GUESTS = (
    ("Yohana Sitompul", "LBH APIK Kalimantan Barat"),
    ("Ridwan Saputra", "Dinas Sosial Kota Pontianak"),
)

SYNTHETIC_FIRST = (
    "Siti",
    "Nur",
    "Dewi",
    "Rina",
    "Sri",
    "Eka",
    "Wati",
    "Ani",
    "Yuni",
    "Lina",
    "Budi",
    "Agus",
    "Hadi",
)
SYNTHETIC_LAST = (
    "Rahayu",
    "Lestari",
    "Hasanah",
    "Saputri",
    "Wahyuni",
    "Handayani",
    "Pratiwi",
    "Susanti",
    "Kurnia",
)


def _ensure_cadres() -> list[Cadre]:
    if not Cadre.objects.exists():
        try:  # the roster's own demo generator, when it exists
            from cadres import demo as cadres_demo
        except ImportError:
            cadres_demo = None
        generator = next(
            (
                getattr(cadres_demo, n)
                for n in ("seed_demo_cadres", "seed_demo_roster", "seed")
                if hasattr(cadres_demo, n)
            ),
            None,
        )
        if generator is not None:
            try:
                generator()
            except TypeError:  # it wants arguments we cannot guess: make our own
                pass
    if not Cadre.objects.exists():
        rng = random.Random(2022)  # noqa: S311 - synthetic demo names, not security
        kelurahan = list(Kelurahan.objects.order_by("code"))
        Cadre.objects.bulk_create(
            [
                Cadre(
                    name=f"{rng.choice(SYNTHETIC_FIRST)} {rng.choice(SYNTHETIC_LAST)} (demo {i + 1})",
                    sex="L" if i % 5 == 0 else "P",
                    kelurahan=kelurahan[i % len(kelurahan)],
                    cohort=(2017, 2018, 2019)[i % 3],
                    phone=f"08990000{i:04d}",
                )
                for i in range(25)
            ]
        )
    return list(Cadre.objects.select_related("kelurahan").order_by("kelurahan__code", "pk"))


def _pick_cadres(cadres: list[Cadre], n: int = 30) -> list[Cadre]:
    """About one per kelurahan first, then more, up to n: a plausible mixed class."""
    seen, first, rest = set(), [], []
    for cadre in cadres:
        (rest if cadre.kelurahan_id in seen else first).append(cadre)
        seen.add(cadre.kelurahan_id)
    return (first + rest)[:n]


@transaction.atomic
def seed_demo_training() -> Training | None:
    """Create the 2022 demo training with its agenda, participants, attendance and scores."""
    if Training.objects.filter(title=DEMO_TITLE, days__date=DEMO_DAYS[0]).exists():
        return None
    actor = users_with_capability(Cap.MANAGE_TRAINING).order_by("pk").first()
    if actor is None:
        return None
    training = services.training_create(
        actor=actor,
        title=DEMO_TITLE,
        organiser=DEMO_ORGANISER,
        venue=DEMO_VENUE,
        dates=DEMO_DAYS,
        description="Data demo (sintetis).",
    )
    days = list(training.days.order_by("date"))
    for index, start, end, topic, person in DEMO_AGENDA:
        services.agenda_item_add(
            actor=actor,
            day=days[index],
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
            topic=topic,
            resource_person=person,
        )
    services.participants_add_cadres(actor=actor, training=training, cadres=_pick_cadres(_ensure_cadres()))
    for user in users_with_capability(Cap.REVIEW_ESCALATIONS).order_by("pk")[:2]:
        services.participant_add_kpad(actor=actor, training=training, user=user)
    for name, institution in DEMO_GUESTS:
        services.participant_add_guest(actor=actor, training=training, name=name, institution=institution)
    rng = random.Random(20221123)  # noqa: S311 - synthetic demo data
    scores = []
    for i, participant in enumerate(training.participants.select_related("cadre", "training").order_by("pk")):
        # Most attend both days; every seventh misses day two, every eleventh both.
        for d, day in enumerate(days):
            if i % 11 == 10 or (d == 1 and i % 7 == 6):
                continue
            services.attendance_mark(participant=participant, day=day, actor=actor)
        pre = rng.randint(40, 75)
        scores.append((participant, pre, min(100, pre + rng.randint(5, 25))))
    services.training_scores_save(actor=actor, training=training, scores=scores)
    services.certificates_issue(actor=actor, training=training)
    return training
