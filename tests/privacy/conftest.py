import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from tests import factories as f


@pytest.fixture
def kasubid(db):
    """A petugas marked as supervisor (Kasubid PP & PA): holds Cap.SUPERVISE."""
    return f.PetugasFactory(username="kasubid", is_supervisor=True)


def close_case(case: Case, *, years_ago: float, status: str = "selesai") -> Case:
    """Put a case among the closed ones, closed that long ago (retention runs from the closure)."""
    reason = "layanan_tuntas" if status == "selesai" else "tidak_terbukti"
    closed_at = timezone.now() - dt.timedelta(days=round(365.25 * years_ago))
    Case.objects.filter(pk=case.pk).update(status=status, closure_reason=reason, closed_at=closed_at)
    case.refresh_from_db()
    return case
