"""The recap in SIMFONI-PPA's shape: counts of child victims and services, per period and area.

Every figure is an aggregate computed by the database (GROUP BY, with CASE WHEN for the age
bands): one query per table, whatever the number of cases. Counts only: no name, NIK, address
or narrative ever leaves this module.

* Victims are the Child rows of the cases REPORTED in the period (``Case.reported_at``, local
  time), in the cases the user may see (``cases_visible_to``), optionally in one kecamatan.
* A child's age is the age on the incident date: from the date of birth on the child's record,
  else from its estimated year of birth; neither gives the "unknown" band. A child in two
  cases of the period counts in each (SIMFONI counts victims per report).
* Services are the Service rows DATED in the period, on the cases the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case as CaseWhen
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Child, PlaceType, Relation, Service, ServiceType, Sex, ViolenceType
from cases.selectors import cases_visible_to
from core.spreadsheet import xlsx_append

from .periods import Period

# Age bands of DESIGN.md ("0–5, 6–12, 13–17"), plus adults entered by mistake and the unknown.
BANDS: tuple[tuple[str, str], ...] = (
    ("0_5", "0–5"),
    ("6_12", "6–12"),
    ("13_17", "13–17"),
    ("18", "18+"),
    ("unknown", _("unknown")),
)
SEXES: tuple[tuple[str, str], ...] = ((Sex.L.value, Sex.L.label), (Sex.P.value, Sex.P.label))
NOT_RECORDED = "__none__"


# --- The period and the area --------------------------------------------------------------------


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
    # False where the columns measure different things (services and cases served):
    # adding them up across a row would mean nothing.
    row_totals: bool = True

    @property
    def totals(self) -> Row:
        if self.total_row is not None:
            return self.total_row
        sums = [sum(r.values[i] for r in self.rows) for i in range(len(self.columns))]
        return Row(str(self.total_label or _("Total")), sums)


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


def _band_expression():
    """The age band on the incident date, as SQL: CASE WHEN over the year/month/day parts."""
    return CaseWhen(
        When(person__birth_date__isnull=True, person__birth_year__isnull=True, then=Value("unknown")),
        When(_age__lte=5, then=Value("0_5")),
        When(_age__lte=12, then=Value("6_12")),
        When(_age__lte=17, then=Value("13_17")),
        default=Value("18"),
    )


def _with_bands(children: QuerySet[Child]) -> QuerySet[Child]:
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
        .annotate(band=_band_expression())
    )


def _sex_band_columns() -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str]]]:
    keys = [(sex, band) for sex, _label in SEXES for band, _b in BANDS]
    columns = [str(label) for _s, _l in SEXES for _b, label in BANDS]
    groups = [(str(label), len(BANDS)) for _s, label in SEXES]
    return columns, groups, keys


def _violence_table(children: QuerySet[Child]) -> Table:
    columns, groups, keys = _sex_band_columns()
    counts: dict[tuple, int] = {}
    for row in (
        _with_bands(children)
        .values("case__violences__kind", "person__sex", "band")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["case__violences__kind"], row["person__sex"], row["band"])] = row["n"]
    once: dict[tuple, int] = {}
    for row in _with_bands(children).values("person__sex", "band").annotate(n=Count("id")).order_by():
        once[(row["person__sex"], row["band"])] = row["n"]
    rows = [
        Row(str(label), [counts.get((kind, *k), 0) for k in keys]) for kind, label in ViolenceType.choices
    ]
    return Table(
        key="violence",
        title=str(_("Child victims by type of violence, sex and age")),
        label_heading=str(_("Type of violence")),
        columns=columns,
        groups=groups,
        rows=rows,
        total_row=Row(str(_("Child victims (each counted once)")), [once.get(k, 0) for k in keys]),
        note=str(
            _(
                "A child in a case with several types of violence is counted under each of them; "
                "the last row counts each child once."
            )
        ),
    )


def _by_sex_table(
    children: QuerySet[Child], *, path: str, choices, key: str, title, label_heading, distinct: bool, note=""
) -> Table:
    counts: dict[tuple, int] = {}
    for row in children.values(path, "person__sex").annotate(n=Count("id", distinct=distinct)).order_by():
        counts[(row[path] if row[path] is not None else NOT_RECORDED, row["person__sex"])] = row["n"]
    rows = [Row(str(label), [counts.get((value, sex), 0) for sex, _l in SEXES]) for value, label in choices]
    if any(k[0] == NOT_RECORDED for k in counts):
        rows.append(Row(str(_("Not recorded")), [counts.get((NOT_RECORDED, sex), 0) for sex, _l in SEXES]))
    return Table(
        key=key,
        title=str(title),
        label_heading=str(label_heading),
        columns=[str(label) for _s, label in SEXES],
        rows=rows,
        note=str(note),
    )


def _service_table(*, user, period: Period, kecamatan) -> Table:
    services = Service.objects.filter(
        case__in=cases_visible_to(user=user), date__gte=period.first_day, date__lte=period.last_day
    )
    if kecamatan is not None:
        services = services.filter(case__kelurahan__kecamatan=kecamatan)
    counts = {
        row["service_type"]: (row["n"], row["cases"])
        for row in services.values("service_type")
        .annotate(n=Count("id"), cases=Count("case", distinct=True))
        .order_by()
    }
    rows = [Row(str(label), list(counts.get(value, (0, 0)))) for value, label in ServiceType.choices]
    # A case served in several ways counts once in the total of cases served.
    overall = services.aggregate(n=Count("id"), cases=Count("case", distinct=True))
    return Table(
        key="services",
        title=str(_("Services given")),
        label_heading=str(_("Service")),
        columns=[str(_("Services")), str(_("Cases served"))],
        rows=rows,
        row_totals=False,
        total_row=Row(str(_("Total")), [overall["n"], overall["cases"]]),
        note=str(_("Services dated in the period, on any case; a case can be served several times.")),
    )


def build_recap(*, user, period: Period, kecamatan=None, area_label: str = "") -> Recap:
    """The recap's tables for this user, period and area: five aggregate queries."""
    cases = recap_cases(user=user, period=period, kecamatan=kecamatan)
    children = Child.objects.filter(case__in=cases)
    tables = [
        _violence_table(children),
        _by_sex_table(
            children,
            path="case__place_type",
            choices=PlaceType.choices,
            key="place",
            title=_("Child victims by place of incident"),
            label_heading=_("Place of incident"),
            distinct=False,
        ),
        _by_sex_table(
            children,
            path="case__perpetrators__relation",
            choices=Relation.choices,
            key="relation",
            title=_("Child victims by the perpetrator's relation to the child"),
            label_heading=_("Relation to the child"),
            distinct=True,
            note=_("A child with several alleged perpetrators is counted under each relation once."),
        ),
        _service_table(user=user, period=period, kecamatan=kecamatan),
    ]
    return Recap(period=period, area=area_label, tables=tables)


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
    for row in [*table.rows, table.totals]:
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
        for cell in sheet[sheet.max_row]:  # the total row
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
