"""Rows into PostgreSQL by COPY, with table and column names taken from the Django models.

A generator hands each table its rows as tuples of already formatted values (``N`` for NULL,
``T``/``F`` for booleans, timestamps and dates as text); the table sends them in chunks, so
memory stays flat whatever the number of cases. The column list comes from the model's fields by
name, and every NOT NULL column of the model must be among them: a column renamed or added by a
migration breaks the load loudly instead of leaving a default the database does not have
(Django's defaults live in Python, not in the schema).
"""

from __future__ import annotations

import datetime as dt
import io
import json

N = "\\N"  # NULL in COPY's text format
T, F = "t", "f"
UTC = dt.UTC
CHUNK_ROWS = 50_000

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def esc(text: str) -> str:
    """A text value as COPY's text format reads it (vocabulary is escaped once, up front)."""
    return text.translate(_ESCAPES)


def js(value) -> str:
    """A JSON column's value."""
    return esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def ts(epoch: float) -> str:
    """A timestamptz from seconds since the epoch (UTC)."""
    return dt.datetime.fromtimestamp(int(epoch), UTC).isoformat(sep=" ")


_DAYS: dict[int, str] = {}
LOCAL_OFFSET = 7 * 3600  # Asia/Pontianak (WIB), no daylight saving: local dates of a moment


def day(epoch: float) -> str:
    """The local (WIB) date of a moment, as a date column's text."""
    d = int(epoch + LOCAL_OFFSET) // 86400
    text = _DAYS.get(d)
    if text is None:
        text = _DAYS[d] = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
    return text


class Table:
    """One model's rows, sent by COPY every CHUNK_ROWS rows."""

    def __init__(self, cursor, model, fields: list[str], *, chunk: int = CHUNK_ROWS):
        meta = model._meta
        self.model = model
        self.name = meta.db_table
        self.cursor = cursor
        self.chunk = chunk
        columns = [meta.get_field(name).column for name in fields]
        required = {f.column for f in meta.local_concrete_fields if not f.null}
        missing = required - set(columns)
        if missing:
            raise RuntimeError(f"{self.name}: the loader fills no value for NOT NULL {sorted(missing)}")
        self.columns = columns
        self.sql = f'COPY "{self.name}" ({", ".join(f"{c}" for c in columns)}) FROM STDIN'
        self.width = len(columns)
        self.rows: list[str] = []
        self.count = 0
        self.next_id = 1

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, row: tuple) -> None:
        self.rows.append("\t".join(map(str, row)))
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.count == 0:  # the first chunk's first row: a shifted column would be a silent bug
            first = self.rows[0].split("\t")
            if len(first) != self.width:
                raise RuntimeError(
                    f"{self.name}: {len(first)} values for {self.width} columns {self.columns}"
                )
        buf = io.StringIO("\n".join(self.rows) + "\n")
        self.cursor.copy_expert(self.sql, buf)
        self.count += len(self.rows)
        self.rows = []
