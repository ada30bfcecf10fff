"""Training sessions: days, agenda, participants, attendance per day, scores, certificates.

A participant is a cadre from the roster, a KPAD member (a user with role kpad), or a guest
with a name and an institution. Attendance is one row per participant and day; unmarking
keeps the row with ``present=False`` so the cadre activity it caused is recorded only once,
whatever the number of taps. A certificate code is issued to those who attended every day.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Training(models.Model):
    title = models.CharField(_("title"), max_length=255)
    organiser = models.CharField(_("organiser"), max_length=255)
    venue = models.CharField(_("venue"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.title


class TrainingDay(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("training day")
        verbose_name_plural = _("training days")
        constraints = [models.UniqueConstraint(fields=["training", "date"], name="training_day_once")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class AgendaItem(models.Model):
    day = models.ForeignKey(TrainingDay, on_delete=models.CASCADE, related_name="agenda_items")
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=255)
    resource_person = models.CharField(_("resource person (narasumber)"), max_length=255, blank=True)

    class Meta:
        ordering = ["day__date", "start_time", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.topic


class Participant(models.Model):
    class Kind(models.TextChoices):
        CADRE = "cadre", _("Cadre")
        KPAD = "kpad", _("KPAD member")
        GUEST = "guest", _("Guest")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cadre = models.ForeignKey(
        "cadres.Cadre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_participations",
        verbose_name=_("cadre"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_participations",
        verbose_name=_("KPAD member"),
    )
    guest_name = models.CharField(_("name"), max_length=120, blank=True)
    guest_institution = models.CharField(_("institution"), max_length=255, blank=True)
    pre_score = models.PositiveSmallIntegerField(
        _("pre-test score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    post_score = models.PositiveSmallIntegerField(
        _("post-test score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    # Issued once the participant attended every day; random and unguessable.
    certificate_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "cadre"],
                condition=models.Q(cadre__isnull=False),
                name="training_participant_cadre_once",
            ),
            models.UniqueConstraint(
                fields=["training", "user"],
                condition=models.Q(user__isnull=False),
                name="training_participant_user_once",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="cadre", cadre__isnull=False, user__isnull=True)
                    | models.Q(kind="kpad", cadre__isnull=True, user__isnull=False)
                    | (
                        models.Q(kind="guest", cadre__isnull=True, user__isnull=True)
                        & ~models.Q(guest_name="")
                    )
                ),
                name="training_participant_kind_matches",
            ),
            models.CheckConstraint(
                condition=models.Q(pre_score__isnull=True) | models.Q(pre_score__lte=100),
                name="training_pre_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(post_score__isnull=True) | models.Q(post_score__lte=100),
                name="training_post_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.kind == self.Kind.CADRE and self.cadre_id:
            return self.cadre.name
        if self.kind == self.Kind.KPAD and self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.guest_name

    @property
    def affiliation(self) -> str:
        """Where the participant comes from: a cadre's kelurahan, KPAD, or a guest's institution."""
        if self.kind == self.Kind.CADRE and self.cadre_id:
            return str(self.cadre.kelurahan)
        if self.kind == self.Kind.KPAD:
            return "KPAD Kota Pontianak"
        return self.guest_institution


class Attendance(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendances")
    day = models.ForeignKey(TrainingDay, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("present"), default=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        ordering = ["day__date", "participant_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="training_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.day_id}={self.present}"
