"""Reads of the reports app: which exports a user may make, and their own export jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.policy import Cap, user_can

from .models import ExportJob

Kind = ExportJob.Kind

# Each kind of export and the capability that allows it.
EXPORT_CAPABILITIES = (
    (Kind.CASES, Cap.VIEW_REPORTS),
    (Kind.CASES_IDENTIFIED, Cap.EXPORT_IDENTITIES),
    (Kind.CADRES, Cap.MANAGE_CADRES),
    (Kind.ATTENDANCE, Cap.MANAGE_TRAINING),
)


def export_kinds_for(user) -> list[str]:
    """The kinds of export this user may make, in the order the form offers them."""
    return [kind for kind, capability in EXPORT_CAPABILITIES if user_can(user, capability)]


def export_jobs_of(*, user) -> QuerySet[ExportJob]:
    """The user's own export jobs: nobody sees another's."""
    return ExportJob.objects.filter(requested_by=user)
