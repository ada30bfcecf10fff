"""Reads of regions for other apps. Scoped lists come from accounts.policy.kelurahan_visible_to."""

from django.db.models import QuerySet

from .models import Kecamatan, Kelurahan


def kecamatan_all() -> QuerySet[Kecamatan]:
    return Kecamatan.objects.order_by("code")


def kelurahan_by_code(code: str) -> Kelurahan | None:
    return Kelurahan.objects.select_related("kecamatan").filter(code=code).first()
