"""Reads for trainings. Trainings are city-wide: petugas with Cap.MANAGE_TRAINING see them all."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.policy import Cap, area_filter, user_can
from accounts.selectors import users_with_capability
from cadres.models import Cadre
from cadres.selectors import cadre_of_login

from .models import Attendance, Participant, Training, TrainingDay


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


def trainings_for_choice() -> QuerySet[Training]:
    """Trainings to choose from in another app's form, the latest first."""
    return Training.objects.order_by("-created_at", "-id")


def cadres_present_at(*, training_id: int | None) -> QuerySet:
    """Ids of the cadres present at a training on at least one of its days (a values queryset)."""
    return (
        Attendance.objects.filter(
            day__training_id=training_id, present=True, participant__cadre__isnull=False
        )
        .values("participant__cadre_id")
        .distinct()
    )


def kpad_members() -> QuerySet[User]:
    """KPAD's commissioners, who may take part in a training: those who review escalations."""
    return users_with_capability(Cap.REVIEW_ESCALATIONS).order_by("first_name", "username")


def participants_with_attendance(*, user, training_id: int | None = None) -> QuerySet[Participant]:
    """Participants (of one training, or of all) with their days present, the training's number of
    days and its first day, for those who manage trainings; none for anyone else."""
    if not user_can(user, Cap.MANAGE_TRAINING):
        return Participant.objects.none()
    qs = Participant.objects.all()
    if training_id:
        qs = qs.filter(training_id=training_id)
    return (
        qs.select_related("training", "cadre__kelurahan", "user")
        .annotate(
            days_present=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            days_total=Count("training__days", distinct=True),
            first_day=Min("training__days__date"),
        )
        .order_by("training_id", "kind", "id")
    )


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


# --- A participant's own trainings ("Pelatihan saya") ----------------------------------------


def _own_participations(*, user) -> QuerySet[Participant]:
    """The participations of the user's roster entry: a kader sees only their own."""
    cadre = cadre_of_login(user)
    if cadre is None:
        return Participant.objects.none()
    return Participant.objects.filter(kind=Participant.Kind.CADRE, cadre=cadre)


def my_trainings(*, user) -> list[Participant]:
    """The trainings the user took part in or is invited to (they are on the participant list),
    each participation with its training's days, the user's attendance per day, the days present
    and whether the certificate is earned. A fixed number of queries, however many trainings."""
    qs = (
        _own_participations(user=user)
        .select_related("training")
        .annotate(
            days_present=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            days_total=Count("training__days", distinct=True),
            first_day=Min("training__days__date"),
            last_day=Max("training__days__date"),
        )
        .prefetch_related(
            Prefetch("training__days", queryset=TrainingDay.objects.order_by("date")),
            Prefetch("attendances", queryset=Attendance.objects.only("participant_id", "day_id", "present")),
        )
        .order_by("-first_day", "-training_id")
    )
    rows = list(qs)
    for p in rows:
        marks = {a.day_id: a.present for a in p.attendances.all()}
        p.day_rows = [(day, marks.get(day.pk)) for day in p.training.days.all()]
        p.complete = p.days_total > 0 and p.days_present == p.days_total
    return rows


def get_own_participation(*, user, training_pk: int) -> Participant:
    """The user's own participation in a training; 404 when they are not on its list."""
    participant = (
        _own_participations(user=user).select_related("training").filter(training_id=training_pk).first()
    )
    if participant is None:
        raise Http404
    return participant
