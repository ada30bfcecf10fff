"""The inactive-cadre job, with time frozen: flags after CADRE_INACTIVE_DAYS without activity,
un-flags when activity resumes, records why, tells petugas in one digest, and runs in a fixed
number of queries whatever the number of cadres."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, Notification
from cadres import services, tasks
from cadres.models import Cadre, CadreStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Pontianak")
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=WIB)


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def make_cadre(*, at=T0, kelurahan_code=f.BANSIR_LAUT, name="Kader Uji", **fields) -> Cadre:
    """A roster entry created at ``at`` (created_at is set by the database clock, so travel there)."""
    with time_machine.travel(at, tick=False):
        return Cadre.objects.create(
            name=name, sex="P", cohort=2018, kelurahan=f.kelurahan(kelurahan_code), **fields
        )


def record(cadre, at, source_id=1):
    return services.cadre_activity_record(
        cadre=cadre, kind="training", at=at, source=("training.attendance", source_id)
    )


def run(at, **kwargs):
    with time_machine.travel(at, tick=False):
        return services.flag_inactive_cadres(now=at, **kwargs)


def audit(action):
    return AuditEvent.objects.filter(action=action)


@pytest.fixture(autouse=True)
def ninety_days(settings):
    settings.CADRE_INACTIVE_DAYS = 90


def test_it_flags_a_cadre_after_91_days_without_activity_but_not_after_89(bob):
    cadre = make_cadre()
    record(cadre, T0)

    assert run(days(89)).flagged == 0
    cadre.refresh_from_db()
    assert cadre.inactive_since is None

    result = run(days(91))
    assert (result.flagged, result.unflagged) == (1, 0)
    cadre.refresh_from_db()
    assert cadre.inactive_since == days(91)
    # The Dinas' own administrative status is theirs; the job only sets its flag.
    assert cadre.status == CadreStatus.AKTIF
    [row] = audit("cadre.flag_inactive")
    assert (row.target_type, row.target_id, row.actor) == ("cadres.cadre", str(cadre.pk), None)
    assert row.details["reason"] == "no activity for 90 days since 2026-01-05"


def test_a_cadre_who_never_did_anything_is_flagged_counting_from_their_entry(bob):
    cadre = make_cadre()
    assert run(days(89)).flagged == 0
    assert run(days(91)).flagged == 1
    cadre.refresh_from_db()
    assert cadre.inactive_since == days(91)


def test_only_active_cadres_are_flagged(bob):
    make_cadre(status=CadreStatus.BERHENTI, name="Berhenti")
    make_cadre(status=CadreStatus.TIDAK_AKTIF, name="Tidak aktif")
    assert run(days(200)).flagged == 0
    assert not Cadre.objects.filter(inactive_since__isnull=False).exists()


def test_it_unflags_a_cadre_once_activity_resumes(bob):
    cadre = make_cadre()
    record(cadre, T0, 1)
    run(days(91))

    # Still flagged while nothing new happened.
    assert run(days(95)).unflagged == 0
    record(cadre, days(100), 2)
    result = run(days(100.5))
    assert (result.flagged, result.unflagged) == (0, 1)
    cadre.refresh_from_db()
    assert cadre.inactive_since is None
    [row] = audit("cadre.unflag_inactive")
    assert row.target_id == str(cadre.pk)
    assert row.details["reason"] == "activity again on 2026-04-15"


def test_an_old_activity_recorded_late_does_not_unflag(bob):
    cadre = make_cadre()
    run(days(91))
    record(cadre, days(-10))  # something from before the flag, entered late
    assert run(days(92)).unflagged == 0
    cadre.refresh_from_db()
    assert cadre.inactive_since == days(91)


def test_a_second_run_at_the_same_time_changes_nothing_and_sends_nothing(bob):
    make_cadre()
    first = run(days(91))
    assert (first.flagged, first.notified) == (1, 1)
    audits, notes = AuditEvent.objects.count(), Notification.objects.count()

    second = run(days(91))
    assert (second.flagged, second.unflagged, second.notified) == (0, 0, 0)
    assert AuditEvent.objects.count() == audits
    assert Notification.objects.count() == notes
    # Nor the next day.
    assert run(days(92)).notified == 0
    assert Notification.objects.count() == notes


def test_the_digest_goes_to_petugas_only_with_the_counts_and_a_link(
    alice, bob, bella, charlie, dave, django_capture_on_commit_callbacks
):
    for i in range(3):
        make_cadre(name=f"Kader {i}")  # Bansir Laut, Pontianak Tenggara
    with django_capture_on_commit_callbacks(execute=True):
        result = run(days(91))
    assert (result.flagged, result.notified) == (3, 1)

    # bob (city-wide) gets one digest; bella is limited to Pontianak Utara, where nothing changed.
    [note] = Notification.objects.all()
    assert note.user == bob
    assert note.kind == "cadres.inactive"
    assert "3" in note.display_title
    assert note.url == "/kader/?status=flagged"
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_a_petugas_limited_to_a_kecamatan_gets_that_kecamatans_counts(bob, bella):
    make_cadre(kelurahan_code=f.SIANTAN_HULU, name="Utara")  # Pontianak Utara: bella's
    make_cadre(name="Tenggara 1")
    make_cadre(name="Tenggara 2")
    result = run(days(91))
    assert (result.flagged, result.notified) == (3, 2)
    by_user = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(by_user) == {"bob", "bella"}
    assert "3" in by_user["bob"].display_title and "1" in by_user["bella"].display_title
    assert "3" not in by_user["bella"].display_title


def test_nothing_to_change_sends_no_digest(bob):
    cadre = make_cadre()
    record(cadre, days(80))
    assert run(days(91)).notified == 0
    assert not Notification.objects.exists()


def _population(n: int, *, base: dt.datetime) -> None:
    """n cadres to flag and n flagged cadres to un-flag, spread over two kecamatan."""
    for i in range(n):
        code = f.BANSIR_LAUT if i % 2 else f.SIANTAN_HULU
        make_cadre(at=base, kelurahan_code=code, name=f"Sepi {i}")
        returning = make_cadre(at=base, kelurahan_code=code, name=f"Kembali {i}")
        Cadre.objects.filter(pk=returning.pk).update(inactive_since=base)
        record(returning, base + dt.timedelta(days=100), i)


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_job_takes_the_same_number_of_queries_for_3_and_for_30_cadres(bob, bella, dry_run):
    counts = {}
    for n in (3, 30):
        Cadre.objects.all().delete()
        Notification.objects.all().delete()
        _population(n, base=T0)
        with CaptureQueriesContext(connection) as queries:
            result = run(days(101), dry_run=dry_run)
        assert (result.flagged, result.unflagged) == (n, n)
        counts[n] = len(queries)
    assert counts[3] == counts[30], counts
    # (The digests to petugas: 2 notify calls, each a savepoint, its rows and its outbox job.)
    assert counts[30] <= (4 if dry_run else 16)


def test_the_celery_task_runs_the_service(bob, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cadre = make_cadre()
    with time_machine.travel(days(91), tick=False):
        outcome = tasks.flag_inactive_cadres_task.delay().get()
    assert outcome == {"flagged": 1, "unflagged": 0, "notified": 1}
    cadre.refresh_from_db()
    assert cadre.inactive_since == days(91)


def test_the_task_is_named_for_the_beat_schedule_and_bounded(settings):
    task = tasks.flag_inactive_cadres_task
    assert task.name == "cadres.tasks.flag_inactive_cadres_task"
    assert task.name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert task.acks_late is True
    assert 0 < task.soft_time_limit < task.time_limit


def test_the_command_prints_the_counts_and_a_dry_run_changes_nothing(bob):
    cadre = make_cadre()
    out = io.StringIO()
    with time_machine.travel(days(91), tick=False):
        call_command("flag_inactive_cadres", "--dry-run", stdout=out)
    assert "would flag 1 cadre(s)" in out.getvalue()
    cadre.refresh_from_db()
    assert cadre.inactive_since is None
    assert not Notification.objects.exists()

    out = io.StringIO()
    with time_machine.travel(days(91), tick=False):
        call_command("flag_inactive_cadres", stdout=out)
    assert "Flagged 1 cadre(s) inactive, un-flagged 0" in out.getvalue()
    assert "1 petugas notified" in out.getvalue()
    cadre.refresh_from_db()
    assert cadre.inactive_since == days(91)
