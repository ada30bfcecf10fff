"""Exports too large to build while a request waits: an ExportJob, built by a Celery task.

``params`` holds the chosen kind, format and filters only: never a child's data, and never
the reason given for an identity export (that is in the audit trail). The built file lives
under MEDIA_ROOT/exports (private: served only to the job's owner through a view) and is
refused once the job has expired.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        CASES = "cases", _("Case list (anonymised)")
        CASES_IDENTIFIED = "cases_identified", _("Case list with identities")
        CADRES = "cadres", _("Cadre roster")
        ATTENDANCE = "attendance", _("Training attendance")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("XLSX (Excel)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    params = models.JSONField(default=dict, blank=True)  # filters only, no child data
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file_path = models.CharField(max_length=200, blank=True)  # relative to MEDIA_ROOT
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # While running: the builder's lease. A job still "running" past it lost its builder.
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"export #{self.pk} {self.kind} {self.state}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.DONE and bool(self.file_path) and not self.is_expired


class RecapMonth(models.Model):
    """A month whose recap counts are stored (RecapCount), and up to which case event they were
    counted: a later event on a case reported in the month makes them stale (reports.facts)."""

    month = models.DateField(unique=True)  # the 1st, city time
    through_event = models.BigIntegerField()  # the last CaseEvent id when counted
    computed_at = models.DateTimeField()
    version = models.PositiveSmallIntegerField(default=1)  # reports.facts.MEASURES_VERSION then

    class Meta:
        verbose_name = _("stored recap month")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class RecapCount(models.Model):
    """One count of one recap measure, for the cases reported in one month in one kelurahan.
    Counts only: the key is a group of codes (a SIMFONI label, a sex, an age band), never data
    of a person."""

    month = models.DateField()
    kelurahan = models.ForeignKey("kelurahan.Kelurahan", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=40)  # "violence.n"
    key = models.CharField(max_length=300)  # the group, as a JSON list
    n = models.IntegerField()

    class Meta:
        verbose_name = _("stored recap count")
        indexes = [models.Index(fields=["month", "kelurahan"], name="reports_recapcount_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}"
