"""Writes to trainings. Each service takes the actor, owns its transaction and writes an audit row.

No personal data in audit details: ids and counts only.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.policy import Cap, user_can
from accounts.services import audit_record
from cadres.models import Cadre, CadreActivity
from cadres.services import cadre_activity_record
from core.time import at_local_time

from .models import AgendaItem, Attendance, Participant, Training, TrainingDay
from .selectors import full_attendance_participants

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # base32 without the look-alikes I, O, 0, 1
CODE_LENGTH = 10


class TrainingError(Exception):
    """A change the rules refuse; the message is for the user."""


def _days_sync(*, training: Training, dates: Iterable[dt.date]) -> None:
    wanted = set(dates)
    existing = {d.date: d for d in training.days.all()}
    for date, day in existing.items():
        if date not in wanted:
            if day.attendances.filter(present=True).exists():
                raise TrainingError(date)
            day.delete()
    TrainingDay.objects.bulk_create(
        [TrainingDay(training=training, date=d) for d in sorted(wanted - set(existing))]
    )


@transaction.atomic
def training_create(
    *,
    actor: User,
    title: str,
    organiser: str,
    venue: str,
    dates: Iterable[dt.date],
    description: str = "",
    ip: str | None = None,
) -> Training:
    training = Training.objects.create(
        title=title, organiser=organiser, venue=venue, description=description, created_by=actor
    )
    _days_sync(training=training, dates=dates)
    audit_record(actor=actor, action="training.create", target=training, ip=ip)
    return training


@transaction.atomic
def training_update(
    *,
    actor: User,
    training: Training,
    title: str,
    organiser: str,
    venue: str,
    dates: Iterable[dt.date],
    description: str = "",
    ip: str | None = None,
) -> Training:
    """Change a training. A day that already has attendance cannot be removed (TrainingError)."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    training.title, training.organiser, training.venue = title, organiser, venue
    training.description = description
    training.save()
    _days_sync(training=training, dates=dates)
    audit_record(actor=actor, action="training.update", target=training, ip=ip)
    return training


@transaction.atomic
def agenda_item_add(
    *,
    actor: User,
    day: TrainingDay,
    start_time: dt.time,
    topic: str,
    end_time: dt.time | None = None,
    resource_person: str = "",
    ip: str | None = None,
) -> AgendaItem:
    item = AgendaItem.objects.create(
        day=day, start_time=start_time, end_time=end_time, topic=topic, resource_person=resource_person
    )
    audit_record(
        actor=actor, action="training.agenda_add", target=day.training, ip=ip, details={"item": item.pk}
    )
    return item


@transaction.atomic
def agenda_item_delete(*, actor: User, item: AgendaItem, ip: str | None = None) -> None:
    training, pk = item.day.training, item.pk
    item.delete()
    audit_record(actor=actor, action="training.agenda_delete", target=training, ip=ip, details={"item": pk})


@transaction.atomic
def participants_add_cadres(
    *, actor: User, training: Training, cadres: Iterable[Cadre], ip: str | None = None
) -> int:
    """Add cadres as participants; those already in are skipped. Returns how many were added."""
    already = set(training.participants.filter(cadre__isnull=False).values_list("cadre_id", flat=True))
    new = [
        Participant(training=training, kind=Participant.Kind.CADRE, cadre=c)
        for c in {c.pk: c for c in cadres}.values()
        if c.pk not in already
    ]
    Participant.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(
            actor=actor,
            action="training.participants_add",
            target=training,
            ip=ip,
            details={"kind": Participant.Kind.CADRE, "cadres": sorted(p.cadre_id for p in new)},
        )
    return len(new)


@transaction.atomic
def participant_add_kpad(
    *, actor: User, training: Training, user: User, ip: str | None = None
) -> Participant:
    if not user_can(user, Cap.REVIEW_ESCALATIONS):
        raise TrainingError("not kpad")
    participant, created = Participant.objects.get_or_create(
        training=training, user=user, defaults={"kind": Participant.Kind.KPAD}
    )
    if created:
        audit_record(
            actor=actor,
            action="training.participants_add",
            target=training,
            ip=ip,
            details={"kind": Participant.Kind.KPAD, "participant": participant.pk},
        )
    return participant


@transaction.atomic
def participant_add_guest(
    *, actor: User, training: Training, name: str, institution: str = "", ip: str | None = None
) -> Participant:
    participant = Participant.objects.create(
        training=training, kind=Participant.Kind.GUEST, guest_name=name, guest_institution=institution
    )
    audit_record(
        actor=actor,
        action="training.participants_add",
        target=training,
        ip=ip,
        details={"kind": Participant.Kind.GUEST, "participant": participant.pk},
    )
    return participant


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant, ip: str | None = None) -> None:
    """Remove a participant who has not attended; someone who attended stays on record."""
    participant = Participant.objects.select_for_update().select_related("training").get(pk=participant.pk)
    if participant.attendances.filter(present=True).exists():
        raise TrainingError("attended")
    training, pk = participant.training, participant.pk
    participant.delete()
    audit_record(
        actor=actor, action="training.participant_remove", target=training, ip=ip, details={"participant": pk}
    )


def _at_of(day: TrainingDay) -> dt.datetime:
    """The moment a training day counts as the cadre's activity: 09:00 local time that day."""
    return at_local_time(day.date, dt.time(9, 0))


@transaction.atomic
def attendance_mark(
    *, participant: Participant, day: TrainingDay, actor: User, present: bool = True, ip: str | None = None
) -> Attendance:
    """Mark a participant present (or not) on a day. Marking twice keeps one row.

    A cadre marked present gets one "training" activity for that day, however often this runs.
    """
    if day.training_id != participant.training_id:
        raise TrainingError("day of another training")
    now = timezone.now()
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                participant=participant,
                day=day,
                defaults={"present": present, "marked_by": actor, "marked_at": now},
            )
    except IntegrityError:  # a concurrent tap created it first
        attendance, created = Attendance.objects.get(participant=participant, day=day), False
    changed = created
    if not created and attendance.present != present:
        attendance.present = present
        attendance.marked_by = actor
        attendance.marked_at = now
        attendance.save(update_fields=["present", "marked_by", "marked_at"])
        changed = True
    if changed:
        audit_record(
            actor=actor,
            action="training.attendance",
            target=participant.training,
            ip=ip,
            details={"participant": participant.pk, "day": day.date.isoformat(), "present": present},
        )
    if present and participant.kind == Participant.Kind.CADRE and participant.cadre_id:
        cadre_activity_record(
            cadre=participant.cadre,
            kind=CadreActivity.Kind.TRAINING,
            at=_at_of(day),
            summary=participant.training.title,
            source=("training.attendance", attendance.pk),
        )
    return attendance


def _check_score(value: int | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise TrainingError("score out of range")


@transaction.atomic
def training_scores_save(
    *,
    actor: User,
    training: Training,
    scores: Iterable[tuple[Participant, int | None, int | None]],
    ip: str | None = None,
) -> int:
    """Set the pre/post-test scores of several participants of one training: all or none.
    Returns how many participants' scores were set."""
    rows = list(scores)
    for participant, pre_score, post_score in rows:
        if participant.training_id != training.pk:
            raise TrainingError("participant of another training")
        _check_score(pre_score)
        _check_score(post_score)
    for participant, pre_score, post_score in rows:
        Participant.objects.filter(pk=participant.pk).update(pre_score=pre_score, post_score=post_score)
    if rows:
        audit_record(
            actor=actor,
            action="training.scores",
            target=training,
            ip=ip,
            details={"participants": sorted(p.pk for p, _pre, _post in rows)},
        )
    return len(rows)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _issue_codes(participants) -> list[int]:
    """Give each participant without a code a fresh one; the ids of those who got one."""
    issued = []
    for participant in participants.filter(certificate_code__isnull=True):
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    if Participant.objects.filter(pk=participant.pk, certificate_code__isnull=True).update(
                        certificate_code=_new_code()
                    ):
                        issued.append(participant.pk)
                break
            except IntegrityError:  # a code collision: draw again
                continue
    return issued


def certificates_issue(*, actor: User, training: Training, ip: str | None = None) -> QuerySet[Participant]:
    """Give a verification code to every participant who attended every day (once; codes stay).

    Returns the holders. An audit row records the codes given, when any were."""
    issued = _issue_codes(full_attendance_participants(training=training))
    if issued:
        audit_record(
            actor=actor,
            action="training.certificates_issue",
            target=training,
            ip=ip,
            details={"participants": issued},
        )
    return full_attendance_participants(training=training).select_related("cadre__kelurahan", "user")


def certificate_issue_own(
    *, actor: User, participant: Participant, ip: str | None = None
) -> Participant | None:
    """A participant's own certificate (a kader downloading theirs): the code is given as the
    petugas' page would give it, for this one participant. None unless they attended every day."""
    training = participant.training
    complete = full_attendance_participants(training=training).filter(pk=participant.pk)
    if not complete.exists():
        return None
    issued = _issue_codes(complete)
    if issued:
        audit_record(
            actor=actor,
            action="training.certificates_issue",
            target=training,
            ip=ip,
            details={"participants": issued},
        )
    return complete.select_related("training", "cadre__kelurahan", "user").get()


@transaction.atomic
def training_form_cohort(*, training: Training, year: int, actor: User, ip: str | None = None) -> int:
    """Set the cohort of the cadres who attended every day of the training. Returns how many."""
    cadre_ids = sorted(
        full_attendance_participants(training=training)
        .filter(kind=Participant.Kind.CADRE)
        .values_list("cadre_id", flat=True)
    )
    count = Cadre.objects.filter(pk__in=cadre_ids).update(cohort=year, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="training.form_cohort",
        target=training,
        ip=ip,
        details={"year": year, "count": count, "cadre_ids": cadre_ids},
    )
    return count
