"""Each victim as SIMFONI-PPA codes them, read from a case's rows, and what is still missing.

SIMFONI-PPA (KemenPPPA's national system) records per victim: the types of violence, the
relation to each perpetrator, the services received, and the victim's education,
occupation, marital status, nationality, disability and residence. It has no import format
or API, so the Dinas types each child in by hand from SIGAP's entry sheet
(reports.simfoni), and a child may be marked "ready" only once everything SIMFONI requires
is filled in (``missing_fields``). Which fields SIMFONI requires rests on Permen PPPA 2/2022
and on local systems that copy its form (docs/SIMFONI.md): SIMFONI v3 (January 2026) may
ask differently.

KDRT (UU 23/2004) follows from the relation, never from the place: a child is a KDRT victim
when a perpetrator is of their household (``models.KDRT_RELATIONS``).

Reads only: the writes are in cases.simfoni_services. Callers load the rows through the
selectors (scope) first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import (
    LEGACY_SCHOOL_LEVELS,
    Child,
    Service,
    VictimPerpetrator,
    ViolenceType,
    YesNo,
)


@dataclass
class Missing:
    """One thing SIMFONI requires that the record lacks: where it goes and what to fill in."""

    section: str
    label: str


@dataclass
class VictimRecord:
    child: Child
    age: int | None
    kinds: list[str]
    pairs: list[VictimPerpetrator]
    services: list[Service]
    missing: list[Missing] = field(default_factory=list)

    @property
    def kdrt(self) -> bool:
        return any(pair.is_kdrt for pair in self.pairs)

    @property
    def trafficked(self) -> bool:
        return ViolenceType.TRAFFICKING in self.kinds

    @property
    def kind_labels(self) -> list[str]:
        return [str(ViolenceType(k).label) for k in self.kinds]

    @property
    def ready(self) -> bool:
        """Marked ready by the petugas and still complete (an edit since may have emptied a field)."""
        return self.child.simfoni_ready_at is not None and not self.missing

    @property
    def entered(self) -> bool:
        return bool(self.child.simfoni_number)


def with_coding(children: QuerySet[Child]) -> QuerySet[Child]:
    """The rows a VictimRecord reads: five queries for any number of children."""
    return children.select_related(
        "person", "case", "case__kelurahan__kecamatan", "home_kelurahan"
    ).prefetch_related(
        "violences",
        Prefetch(
            "perpetrator_links",
            queryset=VictimPerpetrator.objects.select_related("perpetrator").order_by("perpetrator_id"),
        ),
        Prefetch("services_received", queryset=Service.objects.order_by("date", "id")),
    )


def victim_records(children: Iterable[Child]) -> list[VictimRecord]:
    """Each child (loaded ``with_coding``) as SIMFONI codes them, with what is missing."""
    records = []
    for child in children:
        record = VictimRecord(
            child=child,
            age=child.age_on(child.case.incident_date),
            kinds=sorted(
                (v.kind for v in child.violences.all()), key=lambda k: list(ViolenceType.values).index(k)
            ),
            pairs=list(child.perpetrator_links.all()),
            services=list(child.services_received.all()),
        )
        record.missing = missing_fields(record)
        records.append(record)
    return records


VICTIM = _("Victim")
CASE = _("Case")
PERPETRATOR = _("Perpetrator")
SERVICES = _("Services")


def missing_fields(record: VictimRecord) -> list[Missing]:
    """What SIMFONI's form requires of this victim that SIGAP does not yet have, in the
    form's order (the case's facts, the victim, the perpetrators, the services)."""
    child, person = record.child, record.child.person
    found: list[Missing] = []

    def need(section, label, empty: bool) -> None:
        if empty:
            found.append(Missing(str(section), str(label)))

    need(CASE, _("Type of violence"), not record.kinds)
    if record.trafficked:
        need(CASE, _("TPPO: mode of recruitment"), not child.tppo_recruitment)
        need(CASE, _("TPPO: destination"), not child.tppo_destination)
    need(VICTIM, _("Sex"), not person.sex)
    need(VICTIM, _("Age or date of birth"), record.age is None)
    need(
        VICTIM,
        _("Education (PAUD and TK apart; not yet in school or dropped out)"),
        not child.school_level or child.school_level in LEGACY_SCHOOL_LEVELS,
    )
    need(VICTIM, _("Occupation"), not child.occupation)
    need(VICTIM, _("Marital status"), not child.marital_status)
    need(VICTIM, _("Nationality"), not child.nationality)
    need(VICTIM, _("Disability (yes or no)"), not child.has_disability)
    need(VICTIM, _("Type of disability"), child.has_disability == YesNo.YA and not child.disability_type)
    need(VICTIM, _("Home address"), not child.home_address.strip())
    for number, pair in enumerate(record.pairs, start=1):
        perpetrator = pair.perpetrator
        need(PERPETRATOR, _("Perpetrator %(number)s: sex") % {"number": number}, not perpetrator.sex)
        need(PERPETRATOR, _("Perpetrator %(number)s: age") % {"number": number}, perpetrator.age is None)
    need(SERVICES, _("At least one service received"), not record.services)
    return found
