"""Reads of the cadre roster: who may see which cadre, and the overview figures.

Every roster page loads cadres through ``cadres_visible_to`` (a cadre outside it is a 404).
The overview's figures are aggregate queries: a fixed number of queries whatever the number
of cadres or kelurahan.

Words used here:

* active: status "aktif" and not flagged by the inactive-cadre job (``inactive_since`` empty);
* inactive: status "tidak aktif", or "aktif" but flagged by the job;
* stopped: status "berhenti" (left the programme; counted in the total, not among the inactive).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from accounts.policy import Cap, area_filter, user_can
from kelurahan.selectors import kelurahan_visible_to

from .models import Cadre, CadreStatus

# The cohorts the Dinas asks about by name; later ones appear as soon as they exist.
KNOWN_COHORTS = (2017, 2018, 2019, 2022)

ACTIVE_Q = Q(status=CadreStatus.AKTIF, inactive_since__isnull=True)
INACTIVE_Q = Q(status=CadreStatus.TIDAK_AKTIF) | Q(status=CadreStatus.AKTIF, inactive_since__isnull=False)
STOPPED_Q = Q(status=CadreStatus.BERHENTI)


def cadres_visible_to(*, user) -> QuerySet[Cadre]:
    """Petugas: every cadre (or their kecamatan's); everyone else: none."""
    qs = Cadre.objects.all()
    if user_can(user, Cap.MANAGE_CADRES):
        area = area_filter(user, kelurahan_path="kelurahan")
        return qs.filter(area) if area is not None else qs
    return qs.none()


def cadre_of_login(user) -> Cadre | None:
    """The roster entry behind a kader's login, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Cadre.objects.filter(user=user).first()


def get_cadre_for_user(*, user, pk: int) -> Cadre:
    """The cadre if the user may see them; otherwise a 404 (never a 403)."""
    cadre = cadres_visible_to(user=user).select_related("kelurahan__kecamatan", "user").filter(pk=pk).first()
    if cadre is None:
        raise Http404
    return cadre


def is_active(cadre: Cadre) -> bool:
    return cadre.status == CadreStatus.AKTIF and cadre.inactive_since is None


# --- The overview ---------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Tally:
    """Active, inactive and stopped cadres of one group (a cohort, a kelurahan, the total)."""

    total: int = 0
    active: int = 0
    inactive: int = 0
    stopped: int = 0

    @property
    def active_percent(self) -> int | None:
        return _percent(self.active, self.total)

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.active += other.active
        self.inactive += other.inactive
        self.stopped += other.stopped


@dataclass
class CohortRow(Tally):
    cohort: int = 0


@dataclass
class KelurahanRow(Tally):
    pk: int = 0
    code: str = ""
    name: str = ""
    official_name: str = ""

    @property
    def has_no_active(self) -> bool:
        return self.active == 0


@dataclass
class KecamatanGroup(Tally):
    name: str = ""
    rows: list[KelurahanRow] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(1 for row in self.rows if row.has_no_active)


@dataclass
class Overview:
    cohorts: list[CohortRow]
    total: Tally
    kecamatan: list[KecamatanGroup]
    gaps: list[KelurahanRow]


def _counts(prefix: str = "") -> dict:
    def q(condition: Q) -> Q:
        if not prefix:
            return condition
        # Re-root the condition on the related cadres.
        return _prefixed(condition, prefix)

    key = f"{prefix}pk"
    return {
        "n_total": Count(key),
        "n_active": Count(key, filter=q(ACTIVE_Q)),
        "n_inactive": Count(key, filter=q(INACTIVE_Q)),
        "n_stopped": Count(key, filter=q(STOPPED_Q)),
    }


def _prefixed(condition: Q, prefix: str) -> Q:
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            name, value = child
            children.append((f"{prefix}{name}", value))
    result = Q(*children, _connector=condition.connector, _negated=condition.negated)
    return result


def _tally(values: dict) -> dict:
    return {
        "total": values["n_total"],
        "active": values["n_active"],
        "inactive": values["n_inactive"],
        "stopped": values["n_stopped"],
    }


TO_CALL_PAGE_SIZE = 50  # the cadres to call are paged: 300 rows made a 220 KB page for a phone


def cadres_to_call(*, user) -> QuerySet[Cadre]:
    """The inactive cadres to call, longest silent first (never active before anyone else)."""
    return (
        cadres_visible_to(user=user)
        .filter(INACTIVE_Q)
        .select_related("kelurahan")
        .only("id", "name", "phone", "cohort", "last_activity_at", "kelurahan__common_name")
        .order_by(F("last_activity_at").asc(nulls_first=True), "name", "id")
    )


def cadre_overview(*, user) -> Overview:
    """Active and inactive cadres per cohort and per kelurahan, and the kelurahan without an
    active cadre. Two queries, whatever the size of the roster (cadres_to_call is paged apart)."""
    cadres = cadres_visible_to(user=user)

    # 1. Per cohort.
    by_cohort = {
        row["cohort"]: CohortRow(cohort=row["cohort"], **_tally(row))
        for row in cadres.order_by().values("cohort").annotate(**_counts())
    }
    for year in KNOWN_COHORTS:
        by_cohort.setdefault(year, CohortRow(cohort=year))
    cohorts = [by_cohort[year] for year in sorted(by_cohort)]
    total = Tally()
    for row in cohorts:
        total.add(row)

    # 2. Per kelurahan (every kelurahan in the user's area, also those without any cadre).
    kelurahan_rows = (
        kelurahan_visible_to(user=user).annotate(**_counts("cadres__")).order_by("kecamatan__code", "code")
    )
    groups: dict[int, KecamatanGroup] = {}
    gaps = []
    for k in kelurahan_rows:
        row = KelurahanRow(
            pk=k.pk,
            code=k.code,
            name=k.common_name,
            official_name=k.name,
            total=k.n_total,
            active=k.n_active,
            inactive=k.n_inactive,
            stopped=k.n_stopped,
        )
        group = groups.setdefault(k.kecamatan_id, KecamatanGroup(name=k.kecamatan.common_name))
        group.rows.append(row)
        group.add(row)
        if row.has_no_active:
            gaps.append(row)

    return Overview(
        cohorts=cohorts,
        total=total,
        kecamatan=list(groups.values()),
        gaps=gaps,
    )
