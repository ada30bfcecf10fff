"""The cadre roster (kader pendamping anak), their activity and their outreach.

A Cadre is a person on the Dinas' roster, with or without a SIGAP login (the
``user`` link, a user with role kader). Activity of every kind lands in
CadreActivity; ``last_activity_at`` and ``inactive_since`` are kept current by
cadres.services and the inactive-cadre job.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CadreStatus(models.TextChoices):
    AKTIF = "aktif", _("Active")
    TIDAK_AKTIF = "tidak_aktif", _("Inactive")
    BERHENTI = "berhenti", _("Stopped")


class Sex(models.TextChoices):
    L = "L", _("Male")
    P = "P", _("Female")


class Cadre(models.Model):
    name = models.CharField(_("name"), max_length=120)
    nik = models.CharField(_("NIK"), max_length=16, unique=True, null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)  # blank: not yet recorded
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone (WhatsApp)"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan", on_delete=models.PROTECT, related_name="cadres", verbose_name=_("kelurahan")
    )
    cohort = models.PositiveSmallIntegerField(_("cohort (year trained)"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CadreStatus.choices, default=CadreStatus.AKTIF
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        verbose_name=_("login"),
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True, db_index=True)
    # Set by the inactive-cadre job when no activity for CADRE_INACTIVE_DAYS; cleared when activity resumes.
    inactive_since = models.DateTimeField(_("flagged inactive since"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        indexes = [
            models.Index(fields=["kelurahan", "status"]),
            models.Index(fields=["cohort", "status"]),
        ]

    def __str__(self) -> str:
        return self.name


class CadreActivity(models.Model):
    """One thing a cadre did. The cadre's last activity is the latest of these."""

    class Kind(models.TextChoices):
        CASE_REPORT = "case_report", _("Case reported")
        CASE_FOLLOW_UP = "case_follow_up", _("Case follow-up")
        TRAINING = "training", _("Training attended")
        OUTREACH = "outreach", _("Outreach")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    summary = models.CharField(_("summary"), max_length=255, blank=True)  # never a child's identity
    # Where it came from, e.g. ("cases.case", "42"), so the same event is not counted twice.
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["cadre", "-at"]),
            # The dashboard's activity of a period, whatever the number of cadres (issue 12).
            models.Index(fields=["at"], name="cadres_activity_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "kind", "source_type", "source_id"],
                condition=~models.Q(source_type=""),
                name="cadre_activity_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.kind} {self.at:%Y-%m-%d}"


class Outreach(models.Model):
    """Outreach a kader logs from the phone (sosialisasi, kunjungan rumah, penjangkauan).

    Each saved outreach is also one CadreActivity (kind "outreach", source
    ("cadres.outreach", pk)), written by cadres.services.outreach_log.
    """

    class Kind(models.TextChoices):
        SOSIALISASI = "sosialisasi", _("Awareness session (sosialisasi)")
        KUNJUNGAN_RUMAH = "kunjungan_rumah", _("Home visit (kunjungan rumah)")
        PENJANGKAUAN = "penjangkauan", _("Outreach to at-risk children (penjangkauan)")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="outreach_set")
    kind = models.CharField(_("kind of activity"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    note = models.CharField(_("short note"), max_length=500, blank=True)  # never a child's identity
    people_reached = models.PositiveIntegerField(_("people reached"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"])]
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.kind} {self.date:%Y-%m-%d}"
