import datetime as dt

import pytest

from accounts.models import AuditEvent
from cadres.models import Cadre, CadreActivity
from training import services
from training.models import Attendance, Participant
from training.selectors import certificate_by_code, full_attendance_participants

from .conftest import attend

pytestmark = pytest.mark.django_db


def test_it_keeps_one_record_when_a_participant_is_marked_twice(training, participants, bob, bella):
    day = training.days.first()
    services.attendance_mark(participant=participants[0], day=day, actor=bob)
    services.attendance_mark(participant=participants[0], day=day, actor=bella)
    record = Attendance.objects.get(participant=participants[0], day=day)
    assert record.present is True
    assert record.marked_by == bob  # the second tap changed nothing


def test_it_unmarks_a_participant(training, participants, bob, bella):
    day = training.days.first()
    services.attendance_mark(participant=participants[0], day=day, actor=bob)
    services.attendance_mark(participant=participants[0], day=day, actor=bella, present=False)
    record = Attendance.objects.get(participant=participants[0], day=day)
    assert record.present is False
    assert record.marked_by == bella
    assert Attendance.objects.filter(present=True).count() == 0


def test_it_records_the_cadres_training_activity_once(training, participants, bob):
    day = training.days.first()
    cadre_participant = participants[0]
    for present in (True, True, False, True):
        services.attendance_mark(participant=cadre_participant, day=day, actor=bob, present=present)
    activities = CadreActivity.objects.filter(cadre=cadre_participant.cadre)
    assert activities.count() == 1
    activity = activities.get()
    assert activity.kind == CadreActivity.Kind.TRAINING
    assert activity.summary == training.title
    assert activity.source_type == "training.attendance"
    assert activity.at.date() == day.date
    cadre_participant.cadre.refresh_from_db()
    assert cadre_participant.cadre.last_activity_at == activity.at


def test_it_records_no_cadre_activity_for_guests_and_kpad(training, participants, bob):
    for p in participants[3:]:
        attend(training, p, bob)
    assert CadreActivity.objects.count() == 0


def test_it_refuses_a_day_of_another_training(training, participants, bob):
    other = services.training_create(
        actor=bob, title="Lain", organiser="X", venue="Y", dates=[dt.date(2023, 1, 1)]
    )
    with pytest.raises(services.TrainingError):
        services.attendance_mark(participant=participants[0], day=other.days.get(), actor=bob)


def test_it_gives_certificates_only_for_full_attendance(training, participants, bob):
    first_day = training.days.first()
    attend(training, participants[0], bob)
    attend(training, participants[1], bob, days=[first_day])
    attend(training, participants[4], bob)  # the guest
    services.attendance_mark(participant=participants[2], day=training.days.last(), actor=bob)
    services.attendance_mark(participant=participants[2], day=first_day, actor=bob)
    services.attendance_mark(participant=participants[2], day=first_day, actor=bob, present=False)
    holders = list(services.certificates_issue(actor=bob, training=training))
    assert [p.pk for p in holders] == [participants[0].pk, participants[4].pk]
    codes = [p.certificate_code for p in holders]
    assert all(len(c) == 10 and c.isalnum() and c.isupper() for c in codes)
    assert len(set(codes)) == 2
    assert Participant.objects.filter(certificate_code__isnull=False).count() == 2
    # Issuing again keeps the codes.
    assert [p.certificate_code for p in services.certificates_issue(actor=bob, training=training)] == codes


def test_it_invalidates_a_certificate_when_attendance_is_withdrawn(training, participants, bob):
    attend(training, participants[0], bob)
    code = services.certificates_issue(actor=bob, training=training).get().certificate_code
    assert certificate_by_code(code) == participants[0]
    assert certificate_by_code(code.lower()) == participants[0]
    services.attendance_mark(participant=participants[0], day=training.days.first(), actor=bob, present=False)
    assert certificate_by_code(code) is None


def test_it_has_no_full_attendance_without_days(bob):
    training = services.training_create(actor=bob, title="T", organiser="O", venue="V", dates=[])
    assert list(full_attendance_participants(training=training)) == []


def test_it_sets_the_cohort_of_the_cadres_who_attended_every_day_only(training, participants, bob):
    attend(training, participants[0], bob)
    attend(training, participants[1], bob, days=[training.days.first()])
    attend(training, participants[3], bob)  # KPAD: not a cadre
    other = Cadre.objects.create(
        name="Bukan Peserta", sex="P", kelurahan=participants[0].cadre.kelurahan, cohort=2017
    )
    count = services.training_form_cohort(training=training, year=2022, actor=bob)
    assert count == 1
    cohorts = dict(Cadre.objects.values_list("name", "cohort"))
    assert cohorts == {"Ani Lestari": 2022, "Budi Santoso": 2018, "Citra Dewi": 2019, other.name: 2017}
    event = AuditEvent.objects.get(action="training.form_cohort")
    assert event.actor == bob
    assert event.details == {"year": 2022, "count": 1, "cadre_ids": [participants[0].cadre_id]}


def test_it_refuses_to_remove_a_day_with_attendance(training, participants, bob):
    attend(training, participants[0], bob)
    with pytest.raises(services.TrainingError):
        services.training_update(
            actor=bob, training=training, title="T", organiser="O", venue="V", dates=[dt.date(2022, 11, 23)]
        )
    assert training.days.count() == 2


def test_it_adds_each_cadre_once(training, cadres, bob):
    assert services.participants_add_cadres(actor=bob, training=training, cadres=cadres) == 3
    assert services.participants_add_cadres(actor=bob, training=training, cadres=cadres + cadres) == 0
    assert training.participants.count() == 3


def test_it_refuses_a_score_outside_0_to_100_and_saves_none_of_the_scores(training, participants, bob):
    scores = [(participants[0], 60, 80), (participants[1], 101, None)]
    with pytest.raises(services.TrainingError):
        services.training_scores_save(actor=bob, training=training, scores=scores)
    participants[0].refresh_from_db()
    assert participants[0].pre_score is None  # all or nothing


def test_it_saves_scores_with_an_audit_row_naming_participants_only(training, participants, bob):
    assert (
        services.training_scores_save(actor=bob, training=training, scores=[(participants[0], 60, 85)]) == 1
    )
    participants[0].refresh_from_db()
    assert (participants[0].pre_score, participants[0].post_score) == (60, 85)
    [row] = AuditEvent.objects.filter(action="training.scores")
    assert (row.actor, row.target_id, row.details) == (
        bob,
        str(training.pk),
        {"participants": [participants[0].pk]},
    )


def test_every_training_write_is_audited_with_its_actor(training, participants, bob):
    day = training.days.first()
    item = services.agenda_item_add(actor=bob, day=day, start_time=dt.time(9), topic="Pembukaan")
    services.agenda_item_delete(actor=bob, item=item)
    services.attendance_mark(participant=participants[0], day=day, actor=bob)
    services.attendance_mark(participant=participants[0], day=day, actor=bob)  # a repeated tap: no new row
    services.participant_remove(actor=bob, participant=participants[2])
    actions = list(
        AuditEvent.objects.filter(target_type="training.training", target_id=str(training.pk))
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert [a for a, _who in actions] == [
        "training.create",
        "training.participants_add",
        "training.participants_add",
        "training.participants_add",
        "training.agenda_add",
        "training.agenda_delete",
        "training.attendance",
        "training.participant_remove",
    ]
    assert {who for _a, who in actions} == {"bob"}
    assert "Tamu Uji" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_it_keeps_participants_who_attended(training, participants, bob):
    attend(training, participants[0], bob)
    with pytest.raises(services.TrainingError):
        services.participant_remove(actor=bob, participant=participants[0])
    services.participant_remove(actor=bob, participant=participants[1])
    assert training.participants.count() == 4
