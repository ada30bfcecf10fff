"""The monthly SIMFONI-PPA routine, read side: who is not yet entered, and the reconciliation.

SIMFONI has no import: the Dinas types each victim in from SIGAP's entry sheet and records
the register number SIMFONI gives (cases.simfoni_services). Each month it then checks that
SIMFONI holds what SIGAP holds: the recap's tables (reports.recap, per victim) computed twice,
over every victim of the month and over those entered, side by side, and the difference case
by case. The victims are those of the recap (cases reported in the period, visible to the
user, in the area), so the three pages count the same children.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from cases.models import Case, Child
from cases.selectors import initials
from cases.simfoni import VictimRecord, victim_records, with_coding

from .periods import Period
from .recap import Table, recap_cases, recap_tables


def period_victims(*, user, period: Period, kecamatan=None) -> QuerySet[Child]:
    return Child.objects.filter(case__in=recap_cases(user=user, period=period, kecamatan=kecamatan))


@dataclass
class Victim:
    """A victim as the lists show them: never the name, the initials and age."""

    record: VictimRecord
    initials: str

    @property
    def child(self) -> Child:
        return self.record.child


def not_entered(*, user, period: Period, kecamatan=None) -> list[Victim]:
    """The period's victims without a SIMFONI register number, oldest report first, each
    with what SIMFONI still needs: five queries."""
    children = with_coding(
        period_victims(user=user, period=period, kecamatan=kecamatan).filter(simfoni_number="")
    ).order_by("case__reported_at", "case_id", "id")
    return [Victim(record=r, initials=initials(r.child.person.name)) for r in victim_records(children)]


@dataclass
class ReconciledRow:
    label: str
    sigap: int
    entered: int

    @property
    def difference(self) -> int:
        return self.sigap - self.entered


@dataclass
class ReconciledTable:
    key: str
    title: str
    label_heading: str
    rows: list[ReconciledRow]

    @property
    def balanced(self) -> bool:
        return all(r.difference == 0 for r in self.rows)


@dataclass
class CaseDifference:
    case: Case
    victims: int
    entered: int
    waiting: list[Victim] = field(default_factory=list)


@dataclass
class Reconciliation:
    period: Period
    area: str
    tables: list[ReconciledTable]
    cases: list[CaseDifference]
    victims: int
    entered: int

    def table(self, key: str) -> ReconciledTable:
        return next(t for t in self.tables if t.key == key)


def _figure(table: Table, row) -> int:
    """The one number of a recap row the reconciliation compares: the row's total, or for the
    services the victims served."""
    if table.key == "services":
        return row.values[1]
    return row.values[0] if not table.row_totals else row.total


def _reconcile(all_tables: list[Table], entered_tables: list[Table]) -> list[ReconciledTable]:
    result = []
    for sigap, entered in zip(all_tables, entered_tables, strict=True):
        entered_rows = {r.label: r for r in entered.rows}
        rows = []
        for row in sigap.rows:
            other = entered_rows.get(row.label)
            rows.append(
                ReconciledRow(row.label, _figure(sigap, row), _figure(entered, other) if other else 0)
            )
        if sigap.show_total:
            rows.append(
                ReconciledRow(
                    sigap.totals.label, _figure(sigap, sigap.totals), _figure(entered, entered.totals)
                )
            )
        result.append(ReconciledTable(sigap.key, sigap.title, sigap.label_heading, rows))
    return result


def reconciliation(*, user, period: Period, kecamatan=None, area_label: str = "") -> Reconciliation:
    """SIGAP's victims of the period by the recap's dimensions against those entered into
    SIMFONI, and the cases whose victims are not all entered."""
    cases = recap_cases(user=user, period=period, kecamatan=kecamatan)
    children = Child.objects.filter(case__in=cases)
    entered = children.exclude(simfoni_number="")
    tables = _reconcile(
        recap_tables(cases=cases, children=children),
        recap_tables(cases=cases.filter(pk__in=entered.values("case_id")), children=entered),
    )
    waiting = not_entered(user=user, period=period, kecamatan=kecamatan)
    by_case: dict[int, CaseDifference] = {}
    counts = {
        row["case_id"]: row
        for row in _case_counts(children.filter(case_id__in={v.child.case_id for v in waiting}))
    }
    for victim in waiting:
        case = victim.child.case
        if case.pk not in by_case:
            figures = counts.get(case.pk, {"n": 0, "entered": 0})
            by_case[case.pk] = CaseDifference(case=case, victims=figures["n"], entered=figures["entered"])
        by_case[case.pk].waiting.append(victim)
    total = children.count()
    return Reconciliation(
        period=period,
        area=area_label,
        tables=tables,
        cases=list(by_case.values()),
        victims=total,
        entered=entered.count(),
    )


def _case_counts(children: QuerySet[Child]):
    return (
        children.values("case_id")
        .annotate(n=Count("id"), entered=Count("id", filter=~Q(simfoni_number="")))
        .order_by()
    )
