"""Reading a cadre roster from a spreadsheet (XLSX or CSV) and checking it row by row.

The existing rosters are spreadsheets with Indonesian column headers (``HEADERS``). Reading
gives, for each line of the file, the raw cells; checking gives the clean rows ready for
``services.cadre_import`` and, for each bad line, its number (as the spreadsheet shows it:
the header is line 1) and every reason it is bad. Nothing is written here: the import is
all or nothing, and only a file without any bad line can be committed.

Each clean row is matched to the roster (``match_rows``): by NIK, else by name, date of birth
and kelurahan, so importing a file again, or a newer version of it, updates the cadres it
names instead of adding them twice. A row is then "new", "updated" (with the fields that
change) or "unchanged". A blank optional cell keeps what the roster has: a file without
phone numbers does not erase them.

A kelurahan may be given by its Kemendagri code, its official name or its everyday
spelling, ignoring case, spaces and punctuation: "Parit Tokaya", "Parittokaya" and
"61.71.01.1004" are the same kelurahan.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheet import csv_writer, unguard, xlsx_append
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
# Limits of the reading itself, checked line by line (``_bounded``): the template has 9
# columns and the export 14, so 50 leave room for a sheet's own notes; empty lines count.
MAX_COLUMNS = 50
MAX_LINES = 2 * MAX_ROWS
MAX_XLSX_UNPACKED = 64 * 1024 * 1024  # a 5,000-row roster unpacks to a few MB
MAX_XLSX_MEMBERS = 200

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
# A blank status is None: a new cadre is then active, a cadre on the roster keeps their status.
STATUS_WORDS = {
    "": None,
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


def _file_unreadable() -> ImportFileError:
    return ImportFileError(_("The file is not a readable XLSX or CSV file."))


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    """The first sheet's rows, one at a time (openpyxl's read-only reader streams the XML).

    The sheet's declared size is ignored: a 1.5 KB file that declares ``A1:XFD1048576`` would
    otherwise have every row padded to 16,384 columns and a million padding rows added, far
    past any limit, before a line is checked. Without it, a row is as wide as its last filled
    cell and a missing row is an empty tuple, so ``_bounded`` sees the real shape; the unpacked
    size is bounded before the first byte is parsed, so a zip bomb does not hold a worker."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _file_unreadable() from exc
    # zipfile stops reading a member at its declared size, so the declared sizes bound the work.
    if len(members) > MAX_XLSX_MEMBERS or sum(m.file_size for m in members) > MAX_XLSX_UNPACKED:
        raise ImportFileError(
            _("The file unpacks to more than %(max)d MB. Split it into smaller files.")
            % {"max": MAX_XLSX_UNPACKED // (1024 * 1024)}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise _file_unreadable() from exc


def _csv_rows(data: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise _file_unreadable()
    if "\x00" in text:
        raise _file_unreadable()
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:  # a field over csv's size limit, a stray quote at the end...
        raise _file_unreadable() from exc


def _blank(cell) -> bool:
    return cell is None or str(cell).strip() == ""


def _bounded(rows: Iterable) -> Iterator[tuple[int, list]]:
    """(line number, cells) for each line, the limits checked as each line is read: reading
    stops at the first line past ``MAX_LINES`` or with a filled cell past ``MAX_COLUMNS``."""
    for number, row in enumerate(rows, start=1):
        if number > MAX_LINES:
            raise ImportFileError(
                _(
                    "The file has more than %(max)d lines (empty ones included). "
                    "Delete the empty lines at its end or split it into smaller files."
                )
                % {"max": MAX_LINES}
            )
        if len(row) > MAX_COLUMNS:
            far = row[MAX_COLUMNS:]  # counted in C: a row may be 16,384 cells wide
            if far.count(None) + far.count("") != len(far):
                raise ImportFileError(
                    _("Line %(line)d has more than %(max)d columns. Keep only the template's columns.")
                    % {"line": number, "max": MAX_COLUMNS}
                )
            row = row[:MAX_COLUMNS]
        yield number, list(row)


def read_table(uploaded) -> Table:
    """Read an uploaded XLSX or CSV file. Raises ImportFileError when it cannot be read.

    The file is read line by line and the limits are checked as it goes (``_bounded``), so a
    hostile file is refused after the line that crosses a limit, never after reading it all."""
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    name = (getattr(uploaded, "name", "") or "").lower()
    is_xlsx = data[:2] == b"PK" or name.endswith(".xlsx")
    headers: list[str] | None = None
    lines = []
    for number, row in _bounded(_xlsx_rows(data) if is_xlsx else _csv_rows(data)):
        if headers is None:
            headers = [_header(cell) for cell in row]
            missing = [h for h in REQUIRED_HEADERS if h not in headers]
            if missing:
                raise ImportFileError(
                    _("These columns are missing from the first line: %(columns)s. Use the template.")
                    % {"columns": ", ".join(missing)}
                )
            continue
        cells = {h: row[i] if i < len(row) else None for i, h in enumerate(headers) if h in HEADERS}
        if all(_blank(cell) for cell in cells.values()):
            continue  # an empty line: skipped, but the numbering still follows the file
        if len(lines) == MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_ROWS}
            )
        lines.append((number, cells))
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    if not lines:
        raise ImportFileError(_("The file has no cadre rows below the header."))
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
    return unguard(str(cell).strip())  # a roster SIGAP exported comes back as it went out


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
    rows: list[dict] = field(default_factory=list)  # clean rows, matched to the roster, JSON-ready
    bad: list[BadLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.bad

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)

    @property
    def has_changes(self) -> bool:
        """Whether committing would write anything (a file imported before changes nothing)."""
        return any(row["action"] != RowAction.UNCHANGED for row in self.rows)


def check_table(table: Table, *, user, today: dt.date | None = None) -> CheckResult:
    """Check every line; return the clean rows and, for each bad line, all its reasons.

    Three queries: the user's kelurahan, all kelurahan, and the roster's cadres the rows may
    be (by NIK, or in the rows' kelurahan)."""
    today = today or timezone.localdate()
    index = KelurahanIndex(
        all_kelurahan=Kelurahan.objects.only("id", "code", "name", "common_name"),
        allowed_ids=set(kelurahan_visible_to(user=user).values_list("pk", flat=True)),
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
        status = STATUS_WORDS.get(squash(status_text), "")
        if status == "":
            reasons.append(
                _("Unknown status “%(value)s”: write aktif, tidak aktif or berhenti.")
                % {"value": status_text}
            )
        row["status"] = status

        if reasons:
            result.bad.append(BadLine(line=line, reasons=reasons))
        else:
            result.rows.append(row)
    problems = match_rows(result.rows, allowed_ids=index.allowed_ids)
    if problems:
        result.bad += [BadLine(line=line, reasons=[reason]) for line, reason in problems.items()]
        result.bad.sort(key=lambda bad: bad.line)
        result.rows = [row for row in result.rows if row["line"] not in problems]
    return result


# --- Matching rows to the roster -------------------------------------------------------------------


class RowAction:
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


ROW_ACTION_LABELS = {
    RowAction.NEW: gettext_lazy("new"),
    RowAction.UPDATED: gettext_lazy("updated"),
    RowAction.UNCHANGED: gettext_lazy("unchanged"),
}
# The roster fields a row sets, as the cadre's attributes.
ROW_FIELDS = ("name", "nik", "sex", "birth_date", "phone", "address", "kelurahan_id", "cohort", "status")
# Optional cells: blank keeps the roster's value.
KEEP_WHEN_BLANK = frozenset({"nik", "birth_date", "phone", "address", "status"})


def person_key(name: str, kelurahan_id: int | None) -> tuple:
    """Who a cadre is without a NIK, together with the date of birth: their name (ignoring case
    and spacing) in their kelurahan."""
    return (" ".join(name.casefold().split()), kelurahan_id)


def _same_person(candidates: list, birth_date: dt.date | None) -> list:
    """Of the namesakes in a kelurahan, those who can be this row's person: with the same date
    of birth, else without one; a row without a date of birth can be any of them."""
    if birth_date is None:
        return candidates
    exact = [c for c in candidates if c.birth_date == birth_date]
    return exact or [c for c in candidates if c.birth_date is None]


def row_values(row: dict) -> dict:
    """A checked row's values as the cadre's attributes; blank optional cells left out."""
    values = {}
    for name in ROW_FIELDS:
        value = row.get(name)
        if name == "birth_date" and value:
            value = dt.date.fromisoformat(value)
        if name in KEEP_WHEN_BLANK and value in (None, ""):
            continue
        values[name] = value
    return values


def changed_fields(cadre: Cadre, row: dict) -> list[str]:
    return [name for name, value in row_values(row).items() if getattr(cadre, name) != value]


def field_label(name: str) -> str:
    return str(Cadre._meta.get_field(name.removesuffix("_id")).verbose_name)


def match_rows(rows: list[dict], *, allowed_ids: set[int], lock: bool = False) -> dict[int, str]:
    """Find the roster's cadre behind each checked row and say what importing it does.

    Sets each row's ``action`` (RowAction), ``cadre_id`` and ``changes`` (field names). A row
    with a NIK is the cadre with that NIK; failing that, and for a row without one, the cadre
    of the same name and kelurahan with the same date of birth (a blank date of birth on
    either side does not tell people apart; a cadre with another NIK is someone else).
    Returns, by line, why a row cannot be imported: the cadre is outside the user's area,
    several cadres fit, or another row of the file is the same cadre.

    One query (``lock``: and locks the rows it reads, for the commit)."""
    niks = {row["nik"] for row in rows if row.get("nik")}
    kelurahan_ids = {row["kelurahan_id"] for row in rows}
    roster = Cadre.objects.filter(Q(nik__in=niks) | Q(kelurahan_id__in=kelurahan_ids))
    if lock:
        roster = roster.select_for_update()
    by_nik: dict[str, Cadre] = {}
    by_person: dict[tuple, list[Cadre]] = defaultdict(list)
    for cadre in roster:
        if cadre.nik:
            by_nik[cadre.nik] = cadre
        by_person[person_key(cadre.name, cadre.kelurahan_id)].append(cadre)

    problems: dict[int, str] = {}
    line_of_cadre: dict[int, int] = {}
    new_people: dict[tuple, list[tuple[dt.date | None, int, str | None]]] = defaultdict(list)
    for row in rows:
        line = row["line"]
        birth_date = dt.date.fromisoformat(row["birth_date"]) if row.get("birth_date") else None
        key = person_key(row["name"], row["kelurahan_id"])
        cadre = by_nik.get(row["nik"]) if row.get("nik") else None
        if cadre is None:
            namesakes = [c for c in by_person.get(key, []) if not (row.get("nik") and c.nik)]
            candidates = _same_person(namesakes, birth_date)
            if len(candidates) > 1:
                problems[line] = _(
                    "Several cadres on the roster have this name in this kelurahan: add the NIK "
                    "or the date of birth to say which one this is."
                )
                continue
            cadre = candidates[0] if candidates else None
        if cadre is not None and cadre.kelurahan_id not in allowed_ids:
            problems[line] = _("A cadre with this NIK is on the roster of a kelurahan outside your area.")
            continue
        if cadre is None:
            earlier = [
                other_line
                for other_birth, other_line, other_nik in new_people[key]
                if not (row.get("nik") and other_nik)
                and (birth_date is None or other_birth is None or other_birth == birth_date)
            ]
            if earlier:
                problems[line] = _(
                    "The same cadre (name, date of birth and kelurahan) is already on line %(line)d "
                    "of this file."
                ) % {"line": earlier[0]}
                continue
            new_people[key].append((birth_date, line, row.get("nik")))
            row.update(action=RowAction.NEW, cadre_id=None, changes=[])
            continue
        if cadre.pk in line_of_cadre:
            problems[line] = _("This row is the same cadre as line %(line)d of this file.") % {
                "line": line_of_cadre[cadre.pk]
            }
            continue
        line_of_cadre[cadre.pk] = line
        changes = changed_fields(cadre, row)
        row.update(
            action=RowAction.UPDATED if changes else RowAction.UNCHANGED, cadre_id=cadre.pk, changes=changes
        )
    return problems


# --- The template ---------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The import template: the header, one synthetic example row, and a sheet of help."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "kader"
    xlsx_append(sheet, HEADERS)
    xlsx_append(sheet, EXAMPLE_ROW)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("B", "E"):  # NIK and phone as text, or a spreadsheet eats digits and zeros
        for cell in sheet[column]:
            cell.number_format = "@"
    for column, width in zip("ABCDEFGHI", (28, 20, 14, 14, 16, 30, 22, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width

    help_sheet = workbook.create_sheet("petunjuk")
    xlsx_append(help_sheet, ["kolom", "isi"])
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
        xlsx_append(help_sheet, row)
    xlsx_append(help_sheet, [])
    xlsx_append(help_sheet, ["kode", "nama resmi", "nama sehari-hari", "kecamatan"])
    for k in Kelurahan.objects.select_related("kecamatan").order_by("code"):
        xlsx_append(help_sheet, [k.code, k.name, k.common_name, k.kecamatan.common_name])
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 60
    help_sheet.column_dimensions["C"].width = 22
    help_sheet.column_dimensions["D"].width = 22

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> str:
    out = io.StringIO()
    writer = csv_writer(out)
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
    xlsx_append(sheet, header)
    for c in cadres:
        xlsx_append(
            sheet,
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
            ],
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
