import pytest

from cadres.models import Cadre, CadreActivity
from tests import factories as f
from training import demo
from training.models import Attendance, Training

pytestmark = pytest.mark.django_db


def test_it_seeds_the_2022_training_once(bob, dave):
    training = demo.seed_demo_training()
    assert training is not None
    assert demo.seed_demo_training() is None
    assert Training.objects.count() == 1
    assert training.title == demo.DEMO_TITLE
    assert training.venue == "BAPPEDA Kota Pontianak, Ruang Rapat Abdul Muis"
    assert [d.date.isoformat() for d in training.days.all()] == ["2022-11-23", "2022-11-24"]
    assert training.days.first().agenda_items.count() >= 4
    kinds = list(training.participants.values_list("kind", flat=True))
    assert kinds.count("kpad") == 1 and kinds.count("guest") == 2 and kinds.count("cadre") >= 20
    assert Cadre.objects.count() >= 25  # made its own synthetic cadres: the roster was empty
    present = Attendance.objects.filter(present=True).count()
    assert present > training.participants.count()  # most came on both days
    assert training.participants.filter(certificate_code__isnull=False).exists()
    assert not training.participants.filter(pre_score__isnull=True).exists()
    assert CadreActivity.objects.filter(kind="training").exists()


def test_it_uses_the_existing_roster(bob):
    Cadre.objects.create(name="Kader Ada", sex="P", kelurahan=f.kelurahan(f.BANSIR_LAUT), cohort=2018)
    training = demo.seed_demo_training()
    assert Cadre.objects.count() == 1
    assert training.participants.filter(cadre__name="Kader Ada").exists()
