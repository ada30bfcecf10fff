"""Writes to the cadre roster and its activity. Each service owns its transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Cadre, CadreActivity


def cadre_for_user(user) -> Cadre | None:
    """The roster entry behind a kader's login, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Cadre.objects.filter(user=user).first()


@transaction.atomic
def cadre_activity_record(
    *,
    cadre: Cadre,
    kind: str,
    at: dt.datetime | None = None,
    summary: str = "",
    source: tuple[str, str] | None = None,
) -> CadreActivity | None:
    """Record something a cadre did and keep their last activity current.

    With a ``source`` (e.g. ("cases.case", "42")) the same event is recorded once only,
    however often this is called. A recorded activity lifts an inactivity flag.
    Never put a child's identity in ``summary``.
    """
    at = at or timezone.now()
    source_type, source_id = (source[0], str(source[1])) if source else ("", "")
    try:
        with transaction.atomic():
            activity = CadreActivity.objects.create(
                cadre=cadre,
                kind=kind,
                at=at,
                summary=summary[:255],
                source_type=source_type,
                source_id=source_id,
            )
    except IntegrityError:
        return None  # already recorded
    # Only move last_activity_at forward (an old event recorded late must not move it back).
    Cadre.objects.filter(pk=cadre.pk).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)
    return activity
