"""Which records an export holds: each app's own scoped selector, narrowed by the export's filters."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.policy import Cap, user_can
from cadres.selectors import cadres_visible_to
from cases.models import Case
from cases.selectors import cases_visible_to
from core.time import day_start
from training.selectors import participants_with_attendance

from ..models import ExportJob

Kind = ExportJob.Kind


def cases_for_export(*, user, params: dict) -> QuerySet[Case]:
    qs = cases_visible_to(user=user)
    if params.get("date_from"):
        qs = qs.filter(reported_at__gte=day_start(dt.date.fromisoformat(params["date_from"])))
    if params.get("date_to"):
        end = dt.date.fromisoformat(params["date_to"]) + dt.timedelta(days=1)
        qs = qs.filter(reported_at__lt=day_start(end))
    if params.get("kecamatan"):
        qs = qs.filter(kelurahan__kecamatan_id=params["kecamatan"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("reported_at", "id")


def cadres_for_export(*, user, params: dict) -> QuerySet:
    qs = cadres_visible_to(user=user)
    if params.get("kecamatan"):
        qs = qs.filter(kelurahan__kecamatan_id=params["kecamatan"])
    return qs.select_related("kelurahan__kecamatan", "user").order_by("name", "id")


def export_queryset(*, kind: str, user, params: dict) -> QuerySet:
    if kind == Kind.CASES:
        return cases_for_export(user=user, params=params)
    if kind == Kind.CASES_IDENTIFIED:
        if not user_can(user, Cap.EXPORT_IDENTITIES):
            return Case.objects.none()
        return cases_for_export(user=user, params=params)
    if kind == Kind.CADRES:
        return cadres_for_export(user=user, params=params)
    if kind == Kind.ATTENDANCE:
        return participants_with_attendance(user=user, training_id=params.get("training"))
    raise ValueError(kind)
