"""Reads of users, scoped by the access policy."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import User
from .policy import Cap, capability_q, user_can


def users_visible_to(*, user) -> QuerySet[User]:
    """Every account for a user who manages users; none for anyone else."""
    qs = User.objects.select_related("kelurahan", "kecamatan")
    if user_can(user, Cap.MANAGE_USERS):
        return qs
    return qs.none()


def with_capability_q(capability: str, *, path: str = "") -> Q:
    """A filter for active users whose role has the capability, on the users at ``path``
    (e.g. ``"users__"`` from a kelurahan), for counting them in another app's query."""
    return capability_q(capability, path=path) & Q(**{f"{path}is_active": True})


def users_with_capability(capability: str) -> QuerySet[User]:
    """Active users whose role has the capability, e.g. the case workers or the KPAD commissioners."""
    return User.objects.filter(with_capability_q(capability))


def users_covering(capability: str, *, kecamatan_ids: Iterable[int]) -> QuerySet[User]:
    """Active users with the capability whose area reaches one of these kecamatan: the whole
    city (no area), one of these kecamatan, or a kelurahan in one of them."""
    ids = list(kecamatan_ids)
    return users_with_capability(capability).filter(
        Q(kecamatan__isnull=True, kelurahan__isnull=True)
        | Q(kecamatan_id__in=ids)
        | Q(kelurahan__kecamatan_id__in=ids)
    )
