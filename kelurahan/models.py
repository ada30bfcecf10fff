"""Kecamatan and kelurahan with their official Kemendagri codes.

`name` is the official spelling (Kepmendagri 300.2.2-2138/2025, e.g.
"Parittokaya"); `common_name` is the everyday one people use ("Parit
Tokaya"). Pages show the everyday name and keep the official one beside it.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

KECAMATAN_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}$"
KELURAHAN_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$"


class Kecamatan(models.Model):
    code = models.CharField(
        _("Kemendagri code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(KECAMATAN_CODE_RE)],
    )
    name = models.CharField(_("official name"), max_length=100)
    common_name = models.CharField(_("everyday name"), max_length=100)
    bps_code = models.CharField(_("BPS code"), max_length=7, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.common_name


class Kelurahan(models.Model):
    kecamatan = models.ForeignKey(
        Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set", verbose_name=_("kecamatan")
    )
    code = models.CharField(
        _("Kemendagri code"),
        max_length=13,
        unique=True,
        validators=[RegexValidator(KELURAHAN_CODE_RE)],
    )
    name = models.CharField(_("official name"), max_length=100)
    common_name = models.CharField(_("everyday name"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    bps_code = models.CharField(_("BPS code"), max_length=10, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self) -> str:
        return self.common_name

    @property
    def has_other_official_name(self) -> bool:
        return self.name != self.common_name
