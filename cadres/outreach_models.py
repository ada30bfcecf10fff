"""Outreach a kader logs from the phone (sosialisasi, kunjungan rumah, penjangkauan).

Kept in its own module so the activity work does not edit the roster's models;
cadres/models.py imports it at its end, so Django discovers it as a model of the
``cadres`` app. Each saved outreach is also one CadreActivity (kind "outreach",
source ("cadres.outreach", pk)), written by cadres.services.outreach_log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outreach(models.Model):
    class Kind(models.TextChoices):
        SOSIALISASI = "sosialisasi", _("Awareness session (sosialisasi)")
        KUNJUNGAN_RUMAH = "kunjungan_rumah", _("Home visit (kunjungan rumah)")
        PENJANGKAUAN = "penjangkauan", _("Outreach to at-risk children (penjangkauan)")

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="outreach_set")
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
        app_label = "cadres"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"])]
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.kind} {self.date:%Y-%m-%d}"
