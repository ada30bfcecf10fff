"""Reads of the regions: which kecamatan and kelurahan a user's area covers."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.policy import area_filter, capabilities_of, report_area_filter

from .models import Kecamatan, Kelurahan


def kelurahan_visible_to(*, user) -> QuerySet[Kelurahan]:
    """Every kelurahan for a user without an area limit; a kader's own; a limited petugas' kecamatan's."""
    qs = Kelurahan.objects.select_related("kecamatan")
    if not capabilities_of(user):
        return qs.none()
    area = area_filter(user, kelurahan_path="pk")
    return qs.filter(area) if area is not None else qs


def kelurahan_for_report(*, user) -> QuerySet[Kelurahan]:
    """The kelurahan where this user may report a case: a petugas limited to a kecamatan, only
    that kecamatan's (so the case reported stays one they can open); anyone else, every one."""
    qs = Kelurahan.objects.select_related("kecamatan")
    area = report_area_filter(user, kelurahan_path="pk") if user is not None else None
    return qs.filter(area) if area is not None else qs


def kecamatan_of(kelurahan: QuerySet[Kelurahan]) -> QuerySet[Kecamatan]:
    """The kecamatan the given kelurahan lie in, by name."""
    return Kecamatan.objects.filter(pk__in=kelurahan.values("kecamatan")).order_by("common_name")
