"""Helpers for the roster tests. Synthetic data only."""

import csv
import io
import itertools

from openpyxl import Workbook

from cadres.models import Cadre
from tests import factories as f

_serial = itertools.count(1)

HEADER = [
    "nama",
    "nik",
    "jenis_kelamin",
    "tanggal_lahir",
    "telepon",
    "alamat",
    "kelurahan",
    "angkatan",
    "status",
]


def nik(serial: int | None = None, *, female: bool = False) -> str:
    """A well-formed synthetic NIK (Pontianak, born 12 March 1990)."""
    serial = next(_serial) if serial is None else serial
    day = 12 + (40 if female else 0)
    return f"617106{day:02d}0390{serial:04d}"


def make_cadre(code: str = f.BANSIR_LAUT, **fields) -> Cadre:
    values = {
        "name": f"Kader Uji {next(_serial)}",
        "sex": "P",
        "kelurahan": f.kelurahan(code),
        "cohort": 2019,
        "status": "aktif",
    }
    values.update(fields)
    return Cadre.objects.create(**values)


def csv_file(rows, *, header=HEADER, name="kader.csv", delimiter=","):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, *, header=HEADER, name="kader.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def good_row(serial: int, *, kelurahan="Bansir Laut", cohort=2019, name=None):
    return [
        name or f"Kader Impor {serial}",
        nik(serial),
        "P",
        "1990-03-12",
        "081200000000",
        "Jl. Uji",
        kelurahan,
        cohort,
        "aktif",
    ]
