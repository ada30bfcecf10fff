"""UU 27/2022 (Pelindungan Data Pribadi) duties: retention and destruction, legal holds, the
register of data subjects' requests and the breach register.

Children's data is specific personal data. Records are kept for a retention period per type
(privacy.retention), then listed monthly for destruction; a supervisor approves the list and
cases.destruction destroys what is on it. A case under a legal hold is never listed. A data
subject's request and a breach each run on a 3 x 24-hour clock (privacy.clock).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalHold(models.Model):
    """A case kept whatever its retention period, while a court case (or an inquiry) needs it.
    Never deleted while the case lives: a lifted hold stays as its history."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("court or police reference"), max_length=120, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("placed at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="legal_hold_one_active_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk} on case {self.case_id}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class RecordType(models.TextChoices):
    """The kinds of record that have a retention period (privacy.retention)."""

    CASE_COMPLETED = "kasus_selesai", _("Completed case")
    CASE_UNFOUNDED = "kasus_ditutup", _("Case closed without follow-up")
    DRAFT = "draf", _("Unsent report draft")


class DestructionList(models.Model):
    """The records due for destruction in one month, for a supervisor to approve or reject."""

    class State(models.TextChoices):
        PROPOSED = "diusulkan", _("Waiting for a supervisor")
        DESTROYED = "dimusnahkan", _("Approved and destroyed")
        REJECTED = "ditolak", _("Rejected")

    month = models.DateField(_("month"), unique=True)  # its first day
    built_at = models.DateTimeField(_("built at"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    # What was destroyed: counts per kind, never who.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")

    def __str__(self) -> str:
        return f"destruction list {self.month:%Y-%m}"


class DestructionItem(models.Model):
    """One record on a list. Names it by type, id and case number only: the row outlives the
    record it names and must not carry a child's identity."""

    class Outcome(models.TextChoices):
        PENDING = "menunggu", _("Waiting")
        DESTROYED = "dimusnahkan", _("Destroyed")
        KEPT_HELD = "ditahan", _("Kept: under a legal hold")
        KEPT_CHANGED = "berubah", _("Kept: no longer due")
        KEPT_PROTECTED = "dilindungi", _("Kept: another record needs it")
        KEPT_REJECTED = "ditolak", _("Kept: the list was rejected")

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="items")
    record_type = models.CharField(_("record type"), max_length=15, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    label = models.CharField(_("record"), max_length=40)  # a case number, or "draft #12"
    # The case's kelurahan, so the list stays scoped by area after the case is gone.
    kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    since = models.DateTimeField(_("retention runs from"))
    due_on = models.DateField(_("due for destruction since"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        ordering = ["record_type", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["destruction_list", "record_type", "record_id"], name="destruction_item_once"
            ),
        ]
        indexes = [models.Index(fields=["record_type", "record_id", "outcome"])]

    def __str__(self) -> str:
        return f"{self.record_type} #{self.record_id}"


class SubjectRequest(models.Model):
    """A data subject's request (UU 27/2022 art. 5-11): to see, correct or delete their data, or
    to object to its processing. A child's request is often made by a parent or a guardian."""

    class Kind(models.TextChoices):
        ACCESS = "akses", _("Access to the data")
        CORRECTION = "perbaikan", _("Correction")
        DELETION = "penghapusan", _("Deletion")
        OBJECTION = "keberatan", _("Objection to processing")

    class Relation(models.TextChoices):
        CHILD = "anak", _("The child themselves")
        PARENT = "orang_tua", _("Parent")
        GUARDIAN = "wali", _("Guardian")
        LAWYER = "kuasa_hukum", _("Lawyer or legal representative")
        ADULT = "subjek_dewasa", _("An adult named in a case (reporter, relative)")
        OTHER = "lainnya", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "diterima", _("Received")
        IN_PROGRESS = "diproses", _("In progress")
        ANSWERED = "dijawab", _("Answered")
        REFUSED = "ditolak", _("Refused, with reasons")

    OPEN = (Status.RECEIVED, Status.IN_PROGRESS)

    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    requester_name = models.CharField(_("who asked"), max_length=120)
    requester_relation = models.CharField(
        _("relationship to the child"), max_length=15, choices=Relation.choices
    )
    requester_contact = models.CharField(_("requester's contact"), max_length=120, blank=True)
    case_number = models.CharField(_("case number (if known)"), max_length=20, blank=True)
    details = models.TextField(_("what is asked"))
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["diterima", "diproses"]) | (~models.Q(answer="")),
                name="subject_request_closed_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"subject request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Breach(models.Model):
    """A personal-data breach (UU 27/2022 art. 46): the subjects and the authority are told in
    writing within 3 x 24 hours of its discovery."""

    summary = models.CharField(_("what happened"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    occurred_at = models.DateTimeField(_("when it happened (if known)"), null=True, blank=True)
    found_at = models.DateTimeField(_("when it was found"))
    due_at = models.DateTimeField(_("notices due by"))
    data_affected = models.TextField(_("which data"))
    subjects_count = models.PositiveIntegerField(_("how many data subjects"), null=True, blank=True)
    measures = models.TextField(_("what was done about it"), blank=True)
    subjects_notified_at = models.DateTimeField(_("subjects notified at"), null=True, blank=True)
    subjects_notice = models.TextField(_("how the subjects were notified"), blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_notice = models.TextField(_("which authority, how"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")

    def __str__(self) -> str:
        return f"breach #{self.pk}"

    @property
    def notices_done(self) -> bool:
        return self.subjects_notified_at is not None and self.authority_notified_at is not None
