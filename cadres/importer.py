"""Reading a cadre roster from a spreadsheet (XLSX or CSV) and checking it row by row.

The existing rosters are spreadsheets with Indonesian column headers (``HEADERS``). Reading
gives, for each line of the file, the raw cells; checking gives the clean rows ready for
``services.cadre_import`` and, for each bad line, its number (as the spreadsheet shows it:
the header is line 1) and every reason it is bad. Nothing is written here: the import is
all or nothing, and only a file without any bad line can be committed.

A kelurahan may be given by its Kemendagri code, its official name or its everyday
spelling, ignoring case, spaces and punctuation: "Parit Tokaya", "Parittokaya" and
"61.71.01.1004" are the same kelurahan.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import validate_nik
from kelurahan.models import Kelurahan
from kelurahan.selectors import kelurahan_visible_to

from .models import Cadre, CadreStatus, Sex

HEADERS = (
    "nama",
    "nik",
    "jenis_kelamin",
    "tanggal_lahir",
    "telepon",
    "alamat",
    "kelurahan",
    "angkatan",
    "status",
)
REQUIRED_HEADERS = ("nama", "jenis_kelamin", "kelurahan", "angkatan")
FIRST_COHORT = 2017
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# A synthetic example row for the template (the NIK is made up but well-formed).
EXAMPLE_ROW = (
    "Contoh Nama Kader",
    "6171064107950001",
    "P",
    "1995-07-01",
    "081234567890",
    "Jl. Contoh No. 1",
    "Bansir Laut",
    2022,
    "aktif",
)

SEX_WORDS = {"l": Sex.L, "lakilaki": Sex.L, "pria": Sex.L, "p": Sex.P, "perempuan": Sex.P, "wanita": Sex.P}
STATUS_WORDS = {
    "": CadreStatus.AKTIF,
    "aktif": CadreStatus.AKTIF,
    "tidakaktif": CadreStatus.TIDAK_AKTIF,
    "nonaktif": CadreStatus.TIDAK_AKTIF,
    "berhenti": CadreStatus.BERHENTI,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, too big...)."""


def squash(text: str) -> str:
    """Lower case, letters and digits only: the key for forgiving comparisons."""
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    # (line number in the file, {header: cell}) for each non-empty line after the header.
    lines: list[tuple[int, dict]]


def _header(cell) -> str:
    return re.sub(r"[\s\-]+", "_", str(cell or "").strip().lower())


def _xlsx_rows(data: bytes) -> Iterable[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return list(sheet.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ImportFileError(_("The file is not a readable XLSX or CSV file.")) from exc


def _csv_rows(data: bytes) -> Iterable[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ImportFileError(_("The file is not a readable XLSX or CSV file."))
    if "\x00" in text:
        raise ImportFileError(_("The file is not a readable XLSX or CSV file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_table(uploaded) -> Table:
    """Read an uploaded XLSX or CSV file. Raises ImportFileError when it cannot be read."""
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    name = (getattr(uploaded, "name", "") or "").lower()
    is_xlsx = data[:2] == b"PK" or name.endswith(".xlsx")
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [_header(cell) for cell in rows[0]]
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    if missing:
        raise ImportFileError(
            _("These columns are missing from the first line: %(columns)s. Use the template.")
            % {"columns": ", ".join(missing)}
        )
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {h: row[i] if i < len(row) else None for i, h in enumerate(headers) if h in HEADERS}
        if all(cell is None or str(cell).strip() == "" for cell in cells.values()):
            continue  # an empty line: skipped, but the numbering still follows the file
        lines.append((number, cells))
    if not lines:
        raise ImportFileError(_("The file has no cadre rows below the header."))
    if len(lines) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_ROWS}
        )
    return Table(headers=headers, lines=lines)


# --- Checking -------------------------------------------------------------------------------------


class KelurahanIndex:
    """Find a kelurahan by code, official name or everyday spelling, within the user's area."""

    def __init__(self, *, all_kelurahan: Iterable[Kelurahan], allowed_ids: set[int]):
        self.by_key: dict[str, set[int]] = {}
        self.names: dict[int, str] = {}
        self.allowed_ids = allowed_ids
        for k in all_kelurahan:
            self.names[k.pk] = k.common_name
            for key in {squash(k.code), squash(k.name), squash(k.common_name)}:
                if key:
                    self.by_key.setdefault(key, set()).add(k.pk)

    def resolve(self, text: str) -> tuple[int | None, str | None]:
        """(kelurahan id, None) or (None, the reason it cannot be used)."""
        found = self.by_key.get(squash(text), set())
        if not found:
            return None, _(
                "Unknown kelurahan “%(value)s”: give its Kemendagri code, official name or everyday name."
            ) % {"value": text}
        if len(found) > 1:
            return None, _("The kelurahan “%(value)s” is ambiguous: give its Kemendagri code.") % {
                "value": text
            }
        pk = next(iter(found))
        if pk not in self.allowed_ids:
            return None, _("The kelurahan “%(value)s” is outside your area.") % {"value": text}
        return pk, None


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    return str(cell).strip()


def _date(cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise ValueError(text)


def _phone(cell) -> str:
    text = _text(cell)
    if isinstance(cell, int | float) and text.startswith("8"):
        text = "0" + text  # a spreadsheet dropped the leading zero of 08...
    return text


@dataclass
class BadLine:
    line: int
    reasons: list[str]


@dataclass
class CheckResult:
    rows: list[dict] = field(default_factory=list)  # clean rows, JSON-ready
    bad: list[BadLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.bad


def check_table(table: Table, *, user, today: dt.date | None = None) -> CheckResult:
    """Check every line; return the clean rows and, for each bad line, all its reasons.

    Two queries: the kelurahan, and the NIKs already on the roster."""
    today = today or timezone.localdate()
    index = KelurahanIndex(
        all_kelurahan=Kelurahan.objects.only("id", "code", "name", "common_name"),
        allowed_ids=set(kelurahan_visible_to(user=user).values_list("pk", flat=True)),
    )
    niks_in_file = [_text(cells.get("nik")) for _line, cells in table.lines]
    on_roster = set(
        Cadre.objects.filter(nik__in=[n for n in niks_in_file if n]).values_list("nik", flat=True)
    )
    first_line_of_nik: dict[str, int] = {}
    result = CheckResult()
    name_max = Cadre._meta.get_field("name").max_length
    phone_max = Cadre._meta.get_field("phone").max_length
    address_max = Cadre._meta.get_field("address").max_length

    for line, cells in table.lines:
        reasons: list[str] = []
        row: dict = {"line": line}

        name = " ".join(_text(cells.get("nama")).split())
        if not name:
            reasons.append(_("The name (nama) is missing."))
        elif len(name) > name_max:
            reasons.append(_("The name is longer than %(max)d characters.") % {"max": name_max})
        row["name"] = name

        nik = _text(cells.get("nik")).replace(" ", "")
        if nik:
            try:
                validate_nik(nik)
            except ValidationError as exc:
                reasons.extend(str(m) for m in exc.messages)
            else:
                if nik in first_line_of_nik:
                    reasons.append(
                        _("The same NIK is already on line %(line)d of this file.")
                        % {"line": first_line_of_nik[nik]}
                    )
                elif nik in on_roster:
                    reasons.append(_("A cadre with this NIK is already on the roster."))
                first_line_of_nik.setdefault(nik, line)
        row["nik"] = nik or None

        sex_text = _text(cells.get("jenis_kelamin"))
        sex = SEX_WORDS.get(squash(sex_text))
        if sex is None:
            reasons.append(
                _("The sex (jenis_kelamin) must be L or P, not “%(value)s”.") % {"value": sex_text}
                if sex_text
                else _("The sex (jenis_kelamin) is missing: write L or P.")
            )
        row["sex"] = sex

        birth_cell = cells.get("tanggal_lahir")
        birth_date = None
        if _text(birth_cell):
            try:
                birth_date = _date(birth_cell)
            except ValueError:
                reasons.append(
                    _("The date of birth “%(value)s” is not a date: write YYYY-MM-DD or DD/MM/YYYY.")
                    % {"value": _text(birth_cell)}
                )
            else:
                if birth_date > today:
                    reasons.append(_("The date of birth is in the future."))
                elif birth_date.year < 1900:
                    reasons.append(_("The date of birth is before 1900."))
        row["birth_date"] = birth_date.isoformat() if birth_date else None

        phone = _phone(cells.get("telepon"))
        if len(phone) > phone_max:
            reasons.append(_("The phone number is longer than %(max)d characters.") % {"max": phone_max})
        elif phone and not re.fullmatch(r"\+?[0-9 ()\-.]+", phone):
            reasons.append(_("The phone number may hold only digits, spaces, dashes and a leading +."))
        row["phone"] = phone

        address = " ".join(_text(cells.get("alamat")).split())
        if len(address) > address_max:
            reasons.append(_("The address is longer than %(max)d characters.") % {"max": address_max})
        row["address"] = address

        kelurahan_text = _text(cells.get("kelurahan"))
        kelurahan_id = None
        if not kelurahan_text:
            reasons.append(_("The kelurahan is missing."))
        else:
            kelurahan_id, problem = index.resolve(kelurahan_text)
            if problem:
                reasons.append(problem)
        row["kelurahan_id"] = kelurahan_id
        row["kelurahan_name"] = index.names.get(kelurahan_id, "")

        cohort_text = _text(cells.get("angkatan"))
        cohort = int(cohort_text) if cohort_text.isdigit() else None
        if cohort is None or not FIRST_COHORT <= cohort <= today.year:
            reasons.append(
                _("The cohort (angkatan) must be a year from %(first)d to %(last)d, not “%(value)s”.")
                % {"first": FIRST_COHORT, "last": today.year, "value": cohort_text}
                if cohort_text
                else _("The cohort (angkatan) is missing: write the year of the training.")
            )
        row["cohort"] = cohort

        status_text = _text(cells.get("status"))
        status = STATUS_WORDS.get(squash(status_text))
        if status is None:
            reasons.append(
                _("Unknown status “%(value)s”: write aktif, tidak aktif or berhenti.")
                % {"value": status_text}
            )
        row["status"] = status

        if reasons:
            result.bad.append(BadLine(line=line, reasons=reasons))
        else:
            result.rows.append(row)
    return result


# --- The template ---------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The import template: the header, one synthetic example row, and a sheet of help."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "kader"
    sheet.append(list(HEADERS))
    sheet.append(list(EXAMPLE_ROW))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("B", "E"):  # NIK and phone as text, or a spreadsheet eats digits and zeros
        for cell in sheet[column]:
            cell.number_format = "@"
    for column, width in zip("ABCDEFGHI", (28, 20, 14, 14, 16, 30, 22, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width

    help_sheet = workbook.create_sheet("petunjuk")
    help_sheet.append(["kolom", "isi"])
    for row in (
        ("nama", "Nama lengkap (wajib)"),
        ("nik", "16 digit (boleh kosong)"),
        ("jenis_kelamin", "L atau P (wajib)"),
        ("tanggal_lahir", "YYYY-MM-DD atau DD/MM/YYYY (boleh kosong)"),
        ("telepon", "Nomor WhatsApp (boleh kosong)"),
        ("alamat", "Alamat (boleh kosong)"),
        ("kelurahan", "Kode Kemendagri, nama resmi atau nama sehari-hari (wajib)"),
        ("angkatan", f"Tahun pelatihan, {FIRST_COHORT} sampai sekarang (wajib)"),
        ("status", "aktif, tidak aktif atau berhenti (kosong = aktif)"),
    ):
        help_sheet.append(list(row))
    help_sheet.append([])
    help_sheet.append(["kode", "nama resmi", "nama sehari-hari", "kecamatan"])
    for k in Kelurahan.objects.select_related("kecamatan").order_by("code"):
        help_sheet.append([k.code, k.name, k.common_name, k.kecamatan.common_name])
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 60
    help_sheet.column_dimensions["C"].width = 22
    help_sheet.column_dimensions["D"].width = 22

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue()


# --- Export ---------------------------------------------------------------------------------------

EXPORT_EXTRA_HEADERS = (
    "kode_kelurahan",
    "kecamatan",
    "aktivitas_terakhir",
    "ditandai_tidak_aktif_sejak",
    "akun",
)


def roster_xlsx(cadres: Iterable[Cadre]) -> bytes:
    """The roster as XLSX, with the import's columns first (so a sheet can travel back)."""
    from openpyxl import Workbook

    def local(moment: dt.datetime | None) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("kader")
    header = list(HEADERS) + list(EXPORT_EXTRA_HEADERS)
    sheet.append(header)
    for c in cadres:
        sheet.append(
            [
                c.name,
                c.nik or "",
                c.sex,
                c.birth_date.isoformat() if c.birth_date else "",
                c.phone,
                c.address,
                c.kelurahan.common_name,
                c.cohort,
                c.status.replace("_", " "),  # as the import reads it: aktif, tidak aktif, berhenti
                c.kelurahan.code,
                c.kelurahan.kecamatan.common_name,
                local(c.last_activity_at),
                local(c.inactive_since),
                c.user.username if c.user_id else "",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
