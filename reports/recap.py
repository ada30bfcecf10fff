"""The recap in SIMFONI-PPA's shape, counted per victim: the figures the Dinas reports upward.

Every figure is an aggregate computed by the database (GROUP BY, with CASE WHEN for the age
bands and for SIMFONI's labels): one query per table, whatever the number of cases. Counts
only: no name, NIK, address or narrative ever leaves this module.

* Victims are the Child rows of the cases REPORTED in the period (``Case.reported_at``, local
  time), in the cases the user may see (``cases_visible_to``), optionally in one kecamatan.
  Each victim is coded on their own (cases.simfoni): a case with two children counts each
  child under that child's own types of violence, relation to each perpetrator and services.
* Rows are SIMFONI's options, in SIMFONI's order and words, from the crosswalk
  (cases/simfoni/crosswalk.json): several SIGAP codes may fall into one SIMFONI option (an
  online place is "Lainnya"), and what is not yet recorded has a row of its own.
* A child's age is the age on the incident date: from the date of birth on the child's record,
  else from its estimated year of birth; neither gives the "unknown" band. A child in two
  cases of the period counts in each (SIMFONI counts victims per report).
* Perpetrators are the Perpetrator rows of those cases; their relation is counted per
  victim–perpetrator pair (SIMFONI's relation is the pair's).
* Services are those the period's victims received (Service.children), whatever their date,
  as SIMFONI's victim record holds them; the entry sheets list the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import KDRT_RELATIONS, Case, Child, Perpetrator, Service, Sex, VictimPerpetrator
from cases.selectors import cases_visible_to
from cases.simfoni.crosswalk import crosswalk
from core.spreadsheet import xlsx_append
from core.time import city_zone

from .periods import Period

# Age bands of DESIGN.md ("0–5, 6–12, 13–17"), plus adults entered by mistake and the unknown.
BANDS: tuple[tuple[str, str], ...] = (
    ("0_5", "0–5"),
    ("6_12", "6–12"),
    ("13_17", "13–17"),
    ("18", "18+"),
    ("unknown", _("unknown")),
)
# A perpetrator's age, in SIMFONI's bands.
PERPETRATOR_BANDS: tuple[tuple[str, str], ...] = (
    ("0_5", "0–5"),
    ("6_12", "6–12"),
    ("13_17", "13–17"),
    ("18_24", "18–24"),
    ("25_44", "25–44"),
    ("45_59", "45–59"),
    ("60", "60+"),
    ("unknown", _("unknown")),
)
SEXES: tuple[tuple[str, str], ...] = ((Sex.L.value, Sex.L.label), (Sex.P.value, Sex.P.label))
NOT_RECORDED = "__none__"


# --- Tables ---------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # the value columns (the label column and the total come on top)
    rows: list[Row]
    label_heading: str
    note: str = ""
    # Column groups above the columns, e.g. [("Male", 5), ("Female", 5)]; empty for none.
    groups: list[tuple[str, int]] = field(default_factory=list)
    # A last row computed on its own (e.g. victims counted once); None: the sum of the rows.
    total_row: Row | None = None
    total_label: str = ""
    # False where the columns measure different things (services and victims served):
    # adding them up across a row would mean nothing.
    row_totals: bool = True
    # False where no total means anything (cases, victims and perpetrators side by side).
    show_total: bool = True

    @property
    def totals(self) -> Row:
        if self.total_row is not None:
            return self.total_row
        sums = [sum(r.values[i] for r in self.rows) for i in range(len(self.columns))]
        return Row(str(self.total_label or _("Total")), sums)

    def row(self, label: str) -> Row:
        return next(r for r in self.rows if r.label == label)


@dataclass
class Recap:
    period: Period
    area: str
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# --- Queries --------------------------------------------------------------------------------------


def recap_cases(*, user, period: Period, kecamatan=None) -> QuerySet[Case]:
    """The cases the recap counts: visible to the user, reported in the period, in the area."""
    qs = cases_visible_to(user=user).filter(reported_at__gte=period.start, reported_at__lt=period.end)
    if kecamatan is not None:
        qs = qs.filter(kelurahan__kecamatan=kecamatan)
    return qs


def simfoni_label(path: str, field_name: str):
    """SIMFONI's label for the SIGAP code at ``path``, as SQL (CASE WHEN from the crosswalk);
    an empty, unmapped or older code gives NOT_RECORDED."""
    cw = crosswalk()
    by_label: dict[str, list[str]] = {}
    for code, entry in cw.fields[field_name]["choices"].items():
        if entry.get("label"):
            by_label.setdefault(entry["label"], []).append(code)
    return CaseWhen(
        *[When(**{f"{path}__in": codes}, then=Value(label)) for label, codes in by_label.items()],
        default=Value(NOT_RECORDED),
        output_field=CharField(),
    )


def _with_bands(children: QuerySet[Child]) -> QuerySet[Child]:
    """Each victim's age band on the incident date, as SQL over the year/month/day parts."""
    before_birthday = Q(_inc_month__lt=F("_birth_month")) | Q(
        _inc_month=F("_birth_month"), _inc_day__lt=F("_birth_day")
    )
    return (
        children.annotate(
            _inc_year=ExtractYear("case__incident_date"),
            _inc_month=ExtractMonth("case__incident_date"),
            _inc_day=ExtractDay("case__incident_date"),
            _birth_year=ExtractYear("person__birth_date"),
            _birth_month=ExtractMonth("person__birth_date"),
            _birth_day=ExtractDay("person__birth_date"),
        )
        .annotate(
            _age=CaseWhen(
                # An estimated year of birth: the age it gives on the incident date.
                When(person__birth_date__isnull=True, then=F("_inc_year") - F("person__birth_year")),
                default=F("_inc_year")
                - F("_birth_year")
                - CaseWhen(When(before_birthday, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            )
        )
        .annotate(
            band=CaseWhen(
                When(person__birth_date__isnull=True, person__birth_year__isnull=True, then=Value("unknown")),
                When(_age__lte=5, then=Value("0_5")),
                When(_age__lte=12, then=Value("6_12")),
                When(_age__lte=17, then=Value("13_17")),
                default=Value("18"),
            )
        )
    )


def _sex_band_columns() -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str]]]:
    keys = [(sex, band) for sex, _label in SEXES for band, _b in BANDS]
    columns = [str(label) for _s, _l in SEXES for _b, label in BANDS]
    groups = [(str(label), len(BANDS)) for _s, label in SEXES]
    return columns, groups, keys


def _labelled_rows(field_name: str, counts: dict[tuple, int], keys: list) -> list[Row]:
    """SIMFONI's options in its order (each a row), then "not recorded" if anything is."""
    rows = [
        Row(label, [counts.get((label, *k), 0) for k in keys])
        for label in crosswalk().simfoni_list(field_name)
    ]
    if any(k[0] == NOT_RECORDED and n for k, n in counts.items()):
        rows.append(Row(str(_("Not recorded yet")), [counts.get((NOT_RECORDED, *k), 0) for k in keys]))
    return rows


# --- What is counted: the measures ----------------------------------------------------------------
#
# Every figure of the recap is a sum of counts of one measure: a GROUP BY over the period's cases,
# children (victims), perpetrators, victim–perpetrator pairs or services received. Each row of
# each of those belongs to ONE case, so each count (distinct ones included) adds up over the
# case's month and kelurahan: the recap of a year is the sum of its months' counts per kelurahan.
# That is what reports.facts stores, so that a year costs twelve months of small rows rather than
# a join over every child in the database (issue 12). The same measures run live over the months
# not stored (the current one, and any changed since), and for the SIMFONI reconciliation.


@dataclass(frozen=True)
class Measure:
    name: str
    # The rows counted, from the period's cases and children (a queryset, annotated as needed).
    source: Callable[[QuerySet[Case], QuerySet[Child]], QuerySet]
    keys: tuple[str, ...]  # what the rows are grouped by
    counts: dict[str, Callable[[], Aggregate]]  # the numbers counted per group, by name
    case: str  # the path from a row to its case ("" for a case): its month and kelurahan


def _children_by(path: str, field_name: str, *, only=None) -> Callable:
    def source(cases, children):
        rows = children.filter(**only) if only else children
        return rows.annotate(label=simfoni_label(path, field_name))

    return source


def _household(cases, children):
    household = VictimPerpetrator.objects.filter(child=OuterRef("pk"), relation__in=KDRT_RELATIONS)
    return children.annotate(kdrt=Exists(household))


def _distinct_children():
    return Count("id", distinct=True)


def _rows():
    return Count("id")


BY_SEX = {
    # table key: (path, crosswalk field, filter)
    "place": ("case__place_type", "place", None),
    "education": ("school_level", "education", None),
    "occupation": ("occupation", "occupation", None),
    "marital_status": ("marital_status", "marital_status", None),
    "disability": ("has_disability", "disability", None),
    "disability_type": ("disability_type", "disability_type", {"has_disability": "ya"}),
}

MEASURES: tuple[Measure, ...] = (
    Measure("cases", lambda cases, children: cases, (), {"n": lambda: Count("id")}, ""),
    Measure(
        "violence",
        lambda cases, children: (
            _with_bands(children)
            .annotate(label=simfoni_label("violences__kind", "violence"))
            .filter(violences__isnull=False)
        ),
        ("label", "person__sex", "band"),
        {"n": _distinct_children},
        "case",
    ),
    Measure(
        "victims",
        lambda cases, children: _with_bands(children),
        ("person__sex", "band"),
        {"n": _rows},
        "case",
    ),
    *(
        Measure(
            key,
            _children_by(path, field, only=only),
            ("label", "person__sex"),
            {"n": _distinct_children},
            "case",
        )
        for key, (path, field, only) in BY_SEX.items()
    ),
    Measure("kdrt", _household, ("kdrt", "person__sex"), {"n": _rows}, "case"),
    Measure(
        "perpetrators",
        lambda cases, children: Perpetrator.objects.filter(case__in=cases).annotate(band=_perpetrator_band()),
        ("sex", "band"),
        {"n": _rows},
        "case",
    ),
    Measure(
        "relation",
        lambda cases, children: VictimPerpetrator.objects.filter(child__in=children).annotate(
            label=simfoni_label("relation", "relation")
        ),
        ("label", "perpetrator__sex"),
        {"n": _rows},
        "child__case",
    ),
    Measure(
        "services",
        lambda cases, children: Service.children.through.objects.filter(child__in=children).annotate(
            label=simfoni_label("service__service_type", "service")
        ),
        ("label",),
        {
            "services": lambda: Count("service", distinct=True),
            "victims": lambda: Count("child", distinct=True),
        },
        "child__case",
    ),
    Measure(
        "services_total",
        lambda cases, children: Service.children.through.objects.filter(child__in=children),
        (),
        {
            "services": lambda: Count("service", distinct=True),
            "victims": lambda: Count("child", distinct=True),
        },
        "child__case",
    ),
)

# The counts of a recap: {(measure, count name): {key tuple: number}}.
Counts = dict[tuple[str, str], dict[tuple, int]]


def measure_rows(
    measure: Measure, cases: QuerySet[Case], children: QuerySet[Child], *, by_kelurahan=False, by_month=False
):
    """One query: ((month or None, kelurahan id or None), key tuple, {count name: number}) per
    group; grouped by the case's kelurahan and month (city time) when asked."""
    prefix = f"{measure.case}__" if measure.case else ""
    rows = measure.source(cases, children).order_by()
    where = []
    if by_month:
        rows = rows.annotate(_month=TruncMonth(f"{prefix}reported_at", tzinfo=city_zone()))
        where.append("_month")
    if by_kelurahan:
        where.append(f"{prefix}kelurahan_id")
    group = [*where, *measure.keys]
    numbers = {name: make() for name, make in measure.counts.items()}
    if not group:
        yield (None, None), (), rows.aggregate(**numbers)
        return
    for row in rows.values(*group).annotate(**numbers):
        month = timezone.localtime(row["_month"], city_zone()).date() if by_month else None
        kelurahan = row[f"{prefix}kelurahan_id"] if by_kelurahan else None
        yield (month, kelurahan), tuple(row[k] for k in measure.keys), {n: row[n] for n in numbers}


def live_counts(*, cases: QuerySet[Case], children: QuerySet[Child]) -> Counts:
    """Every measure over these cases and children: one query per measure."""
    counts: Counts = {}
    for measure in MEASURES:
        for _where, key, numbers in measure_rows(measure, cases, children):
            for name, n in numbers.items():
                if n:
                    counts.setdefault((measure.name, name), {})[key] = n
    return counts


def add_counts(into: Counts, more: Counts) -> Counts:
    for measure, by_key in more.items():
        target = into.setdefault(measure, {})
        for key, n in by_key.items():
            target[key] = target.get(key, 0) + n
    return into


# --- Tables, from the counts ----------------------------------------------------------------------


def _count(counts: Counts, measure: str, name: str = "n") -> dict[tuple, int]:
    return counts.get((measure, name), {})


def _violence_table(counts: Counts) -> Table:
    columns, groups, keys = _sex_band_columns()
    once = _count(counts, "victims")
    return Table(
        key="violence",
        title=str(_("Child victims by type of violence, sex and age")),
        label_heading=str(_("Type of violence")),
        columns=columns,
        groups=groups,
        rows=_labelled_rows("violence", _count(counts, "violence"), keys),
        total_row=Row(str(_("Child victims (each counted once)")), [once.get(k, 0) for k in keys]),
        note=str(
            _(
                "Each child is counted under each type of violence they suffered (coded per child); "
                "the last row counts each child once."
            )
        ),
    )


def _by_sex_table(counts: Counts, *, key: str, title, label_heading, note="") -> Table:
    field_name = BY_SEX[key][1]
    return Table(
        key=key,
        title=str(title),
        label_heading=str(label_heading),
        columns=[str(label) for _s, label in SEXES],
        rows=_labelled_rows(field_name, _count(counts, key), [(sex,) for sex, _l in SEXES]),
        note=str(note),
    )


def _kdrt_table(counts: Counts) -> Table:
    found = _count(counts, "kdrt")
    return Table(
        key="kdrt",
        title=str(_("Child victims of domestic violence (KDRT, UU 23/2004)")),
        label_heading=str(_("KDRT")),
        columns=[str(label) for _s, label in SEXES],
        rows=[
            Row(
                str(_("KDRT: a perpetrator of the child's household")),
                [found.get((True, s), 0) for s, _l in SEXES],
            ),
            Row(str(_("Not KDRT")), [found.get((False, s), 0) for s, _l in SEXES]),
        ],
        note=str(
            _(
                "By the relation, not the place: a parent, husband or wife, or a relative "
                "(counted as of the household)."
            )
        ),
    )


def _perpetrator_band():
    return CaseWhen(
        When(age__isnull=True, then=Value("unknown")),
        When(age__lte=5, then=Value("0_5")),
        When(age__lte=12, then=Value("6_12")),
        When(age__lte=17, then=Value("13_17")),
        When(age__lte=24, then=Value("18_24")),
        When(age__lte=44, then=Value("25_44")),
        When(age__lte=59, then=Value("45_59")),
        default=Value("60"),
        output_field=CharField(),
    )


def _perpetrator_table(counts: Counts) -> Table:
    found = _count(counts, "perpetrators")
    sexes = [*SEXES, ("", _("Not recorded yet"))]
    rows = [Row(str(label), [found.get((sex, b), 0) for b, _l in PERPETRATOR_BANDS]) for sex, label in sexes]
    if not rows[-1].total:
        rows.pop()
    return Table(
        key="perpetrators",
        title=str(_("Alleged perpetrators by sex and age")),
        label_heading=str(_("Sex")),
        columns=[str(label) for _b, label in PERPETRATOR_BANDS],
        rows=rows,
    )


def _relation_table(counts: Counts) -> Table:
    return Table(
        key="relation",
        title=str(_("Perpetrators by their relation to the victim")),
        label_heading=str(_("Relation to the victim")),
        columns=[str(label) for _s, label in SEXES],
        rows=_labelled_rows("relation", _count(counts, "relation"), [(sex,) for sex, _l in SEXES]),
        note=str(
            _(
                "Counted per victim–perpetrator pair, by the perpetrator's sex: one person who harmed two "
                "children counts for each of them."
            )
        ),
    )


def _counts_table(counts: Counts) -> Table:
    # Victims, perpetrators and pairs are the sums of their tables (every row in some group).
    return Table(
        key="counts",
        title=str(_("Cases, victims and perpetrators")),
        label_heading=str(_("What is counted")),
        columns=[str(_("Number"))],
        rows=[
            Row(str(_("Cases")), [_count(counts, "cases").get((), 0)]),
            Row(str(_("Child victims")), [sum(_count(counts, "victims").values())]),
            Row(str(_("Alleged perpetrators")), [sum(_count(counts, "perpetrators").values())]),
            Row(str(_("Victim–perpetrator pairs")), [sum(_count(counts, "relation").values())]),
        ],
        row_totals=False,
        show_total=False,
        note=str(_("SIMFONI counts victims, not cases: a case with two children is two victims.")),
    )


def _service_table(counts: Counts) -> Table:
    services, victims = _count(counts, "services", "services"), _count(counts, "services", "victims")
    rows = [
        Row(label, [services.get((label,), 0), victims.get((label,), 0)])
        for label in crosswalk().simfoni_list("service")
    ]
    total = [_count(counts, "services_total", name).get((), 0) for name in ("services", "victims")]
    return Table(
        key="services",
        title=str(_("Services received")),
        label_heading=str(_("Service")),
        columns=[str(_("Services")), str(_("Victims served"))],
        rows=rows,
        row_totals=False,
        total_row=Row(str(_("Total")), total),
        note=str(
            _(
                "Services the period's victims received, whatever their date; a victim served in several "
                "ways counts once in the total. Psychological services count as social rehabilitation and "
                "mediation as legal aid (SIMFONI has neither)."
            )
        ),
    )


def tables_from_counts(counts: Counts) -> list[Table]:
    """The recap's tables, in their order, from the counts of its measures."""
    return [
        _counts_table(counts),
        _violence_table(counts),
        _by_sex_table(
            counts,
            key="place",
            title=_("Child victims by place of incident"),
            label_heading=_("Place of incident"),
            note=_("SIMFONI has no online place: online cases count as Lainnya."),
        ),
        _by_sex_table(
            counts, key="education", title=_("Child victims by education"), label_heading=_("Education")
        ),
        _by_sex_table(
            counts, key="occupation", title=_("Child victims by occupation"), label_heading=_("Occupation")
        ),
        _by_sex_table(
            counts,
            key="marital_status",
            title=_("Child victims by marital status"),
            label_heading=_("Marital status"),
        ),
        _by_sex_table(
            counts,
            key="disability",
            title=_("Child victims with a disability"),
            label_heading=_("Disability"),
        ),
        _by_sex_table(
            counts,
            key="disability_type",
            title=_("Child victims with a disability, by type"),
            label_heading=_("Type of disability"),
        ),
        _kdrt_table(counts),
        _perpetrator_table(counts),
        _relation_table(counts),
        _service_table(counts),
    ]


def recap_tables(*, cases: QuerySet[Case], children: QuerySet[Child]) -> list[Table]:
    """The recap's tables for these cases and their children (victims), counted live: one query
    per measure."""
    return tables_from_counts(live_counts(cases=cases, children=children))


def build_recap(*, user, period: Period, kecamatan=None, area_label: str = "") -> Recap:
    """The recap's tables for this user, period and area: a fixed number of queries. Months whose
    counts are stored and unchanged since come from reports.facts; the others are counted live."""
    from .facts import recap_counts

    counts = recap_counts(user=user, period=period, kecamatan=kecamatan)
    return Recap(period=period, area=area_label, tables=tables_from_counts(counts))


# --- Files: XLSX and PDF --------------------------------------------------------------------------


def _heading_lines(recap: Recap) -> list[str]:
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return [
        str(_("Recap of violence against children (SIMFONI-PPA)")),
        str(_("Period: %(period)s") % {"period": recap.period.label}),
        str(_("Area: %(area)s") % {"area": recap.area}),
        str(
            _("Made on %(moment)s. Counts only: no child can be identified from this recap.")
            % {"moment": made}
        ),
    ]


def _grid(table: Table) -> list[list]:
    """The table as rows of cells: the group line (if any), the header, the rows, the total."""
    lines: list[list] = []
    if table.groups:
        group_line: list = [""]
        for label, span in table.groups:
            group_line += [label] + [""] * (span - 1)
        lines.append([*group_line, *([""] if table.row_totals else [])])
    total_heading = [str(_("Total"))] if table.row_totals else []
    lines.append([table.label_heading, *table.columns, *total_heading])
    for row in [*table.rows, *([table.totals] if table.show_total else [])]:
        lines.append([row.label, *row.values, *([row.total] if table.row_totals else [])])
    return lines


def recap_xlsx(recap: Recap) -> bytes:
    """One sheet per table; each starts with the recap's title, period and area."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    heading = _heading_lines(recap)
    for table in recap.tables:
        sheet = workbook.create_sheet(table.key)
        for line in heading:
            xlsx_append(sheet, [line])
        sheet["A1"].font = Font(bold=True, size=13)
        xlsx_append(sheet, [table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        first_grid_row = sheet.max_row + 1
        grid = _grid(table)
        for line in grid:
            xlsx_append(sheet, line)
        header_rows = 2 if table.groups else 1
        for r in range(first_grid_row, first_grid_row + header_rows):
            for cell in sheet[r]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", wrap_text=True)
        if table.groups:
            column = 2
            for _label, span in table.groups:
                sheet.merge_cells(
                    start_row=first_grid_row,
                    start_column=column,
                    end_row=first_grid_row,
                    end_column=column + span - 1,
                )
                column += span
        for cell in sheet[sheet.max_row] if table.show_total else ():  # the total row
            cell.font = Font(bold=True)
        if table.note:
            xlsx_append(sheet, [])
            xlsx_append(sheet, [table.note])
        sheet.column_dimensions["A"].width = 44
        for c in range(2, len(grid[-1]) + 1):
            sheet.column_dimensions[get_column_letter(c)].width = 10
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def recap_pdf(recap: Recap, *, compress: bool = True) -> bytes:
    """A4 landscape: the heading, then each table with its total row."""
    import io
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=str(_("Recap of violence against children (SIMFONI-PPA)")),
        pageCompression=1 if compress else 0,
    )
    heading = _heading_lines(recap)
    story: list = [Paragraph(escape(heading[0]), styles["Title"])]
    story += [Paragraph(escape(line), styles["Normal"]) for line in heading[1:]]
    for table in recap.tables:
        story += [Spacer(1, 0.5 * cm), Paragraph(escape(table.title), styles["Heading3"])]
        grid = _grid(table)
        header_rows = 2 if table.groups else 1
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("FONTNAME", (0, 0), (-1, header_rows - 1), "Helvetica-Bold"),
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e9ecef")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        if table.groups:
            column = 1
            for _label, span in table.groups:
                style.append(("SPAN", (column, 0), (column + span - 1, 0)))
                column += span
        pdf_table = PdfTable(grid, repeatRows=header_rows, hAlign="LEFT")
        pdf_table.setStyle(TableStyle(style))
        story.append(pdf_table)
        if table.note:
            story.append(Paragraph(escape(table.note), styles["Italic"]))
    doc.build(story)
    return out.getvalue()
