import datetime as dt

import pytest

from cadres.models import Cadre
from tests import factories as f
from training import services


def make_cadre(name: str, *, code: str = f.BANSIR_LAUT, cohort: int = 2017, **extra) -> Cadre:
    return Cadre.objects.create(name=name, sex="P", kelurahan=f.kelurahan(code), cohort=cohort, **extra)


@pytest.fixture
def training(bob):
    return services.training_create(
        actor=bob,
        title="Pelatihan Uji Kader",
        organiser="DP2KBP3A Kota Pontianak",
        venue="Aula Uji",
        dates=[dt.date(2022, 11, 23), dt.date(2022, 11, 24)],
    )


@pytest.fixture
def cadres(db):
    return [
        make_cadre("Ani Lestari", nik="6171010101010001", phone="081200000001", cohort=2017),
        make_cadre("Budi Santoso", code=f.SIANTAN_HULU, cohort=2018),
        make_cadre("Citra Dewi", code=f.BANSIR_DARAT, cohort=2019),
    ]


@pytest.fixture
def participants(training, cadres, dave, bob):
    services.participants_add_cadres(actor=bob, training=training, cadres=cadres)
    services.participant_add_kpad(actor=bob, training=training, user=dave)
    services.participant_add_guest(actor=bob, training=training, name="Tamu Uji", institution="LSM Uji")
    return list(training.participants.select_related("cadre", "training").order_by("pk"))


def attend(training, participant, actor, days=None):
    for day in days or training.days.all():
        services.attendance_mark(participant=participant, day=day, actor=actor)
