"""Reads for trainings. Trainings are city-wide: petugas with Cap.MANAGE_TRAINING see them all."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q, QuerySet

from accounts.models import Role, User
from accounts.policy import area_filter
from cadres.models import Cadre

from .models import Participant, Training, TrainingDay


def trainings_list() -> QuerySet[Training]:
    return Training.objects.annotate(
        first_day=Min("days__date"),
        last_day=Max("days__date"),
        participant_count=Count("participants", distinct=True),
    ).order_by("-first_day", "-id")


def participants_of(*, training: Training) -> QuerySet[Participant]:
    return training.participants.select_related("cadre__kelurahan", "user").order_by("kind", "id")


def full_attendance_participants(*, training: Training) -> QuerySet[Participant]:
    """Participants present on every day of the training (none when it has no days)."""
    day_count = TrainingDay.objects.filter(training=training).count()
    if day_count == 0:
        return Participant.objects.none()
    return (
        Participant.objects.filter(training=training)
        .annotate(days_present=Count("attendances", filter=Q(attendances__present=True)))
        .filter(days_present=day_count)
        .order_by("id")
    )


def cadres_for_picking(*, user: User) -> QuerySet[Cadre]:
    """The cadres a petugas may add to a training: the roster, within the petugas' area if any."""
    qs = Cadre.objects.select_related("kelurahan__kecamatan")
    area = area_filter(user, kelurahan_path="kelurahan")
    return qs.filter(area) if area is not None else qs


def kpad_members() -> QuerySet[User]:
    return User.objects.filter(role=Role.KPAD, is_active=True).order_by("first_name", "username")


def certificate_by_code(code: str) -> Participant | None:
    """A valid certificate: the code exists and its holder still attended every day."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    participant = (
        Participant.objects.select_related("training", "cadre", "user").filter(certificate_code=code).first()
    )
    if participant is None:
        return None
    if not full_attendance_participants(training=participant.training).filter(pk=participant.pk).exists():
        return None
    return participant


def attendance_counts(*, training: Training) -> dict[int, int]:
    """Present count per day id."""
    rows = (
        TrainingDay.objects.filter(training=training)
        .annotate(n=Count("attendances", filter=Q(attendances__present=True)))
        .values_list("pk", "n")
    )
    return dict(rows)
