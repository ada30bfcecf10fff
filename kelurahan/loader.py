"""Load a city's kecamatan and kelurahan from CSV.

The format is that of ``kelurahan/data/pontianak_wilayah.csv`` (one row per
kelurahan), optionally with a crosswalk in the format of
``pontianak_wilayah_crosswalk.csv`` that adds BPS codes and the everyday
spelling. Every row is checked before anything is written: one bad row and
nothing changes. Loading the same file twice changes nothing the second time.

The same code serves the data migration (with historical models) and the
``load_wilayah`` command (with the real ones), so it takes the model classes
as arguments.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
PONTIANAK_WILAYAH = DATA_DIR / "pontianak_wilayah.csv"
PONTIANAK_CROSSWALK = DATA_DIR / "pontianak_wilayah_crosswalk.csv"

WILAYAH_COLUMNS = (
    "kecamatan_code",
    "kecamatan_name",
    "kelurahan_code",
    "kelurahan_name",
    "postal_code",
    "latitude",
    "longitude",
)
CROSSWALK_COLUMNS = ("level", "kemendagri_code", "bps_code", "bps_name")

KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
# Kemendagri: 1xxx is a kelurahan, 2xxx a desa.
KELURAHAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
NAME_MAX_LENGTH = 100  # Kecamatan.name, Kelurahan.name and their common_name


class WilayahError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return _("%(file)s line %(line)d: %(message)s") % {
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


@dataclass
class KecamatanRow:
    code: str
    name: str
    common_name: str = ""
    bps_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class KelurahanRow:
    code: str
    kecamatan_code: str
    name: str
    common_name: str = ""
    postal_code: str = ""
    bps_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class Wilayah:
    kecamatan: dict[str, KecamatanRow] = field(default_factory=dict)
    kelurahan: dict[str, KelurahanRow] = field(default_factory=dict)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _everyday(bps_name: str) -> str:
    """BPS writes names in capitals with the words apart: "PARIT TOKAYA" -> "Parit Tokaya"."""
    return " ".join(word.capitalize() for word in bps_name.split())


def _decimal(value: str, lo: int, hi: int) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or not lo <= number <= hi:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))


def _read(text: str, name: str, required: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [RowError(name, 1, _("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})]
    reader.fieldnames = header
    rows = []
    for row in reader:
        # reader.line_num is the physical line the row ended on (header is line 1).
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    if not rows:
        return [], [RowError(name, 1, _("the file has no rows"))]
    return rows, []


def parse(
    wilayah_text: str,
    crosswalk_text: str | None = None,
    *,
    wilayah_name: str = "wilayah",
    crosswalk_name: str = "crosswalk",
) -> Wilayah:
    """Parse and check both files. Raises WilayahError listing every bad row."""
    errors: list[RowError] = []
    result = Wilayah()
    rows, errs = _read(wilayah_text, wilayah_name, WILAYAH_COLUMNS)
    errors += errs
    city_prefix = None
    for line, row in rows:

        def bad(message: str, line: int = line) -> None:
            errors.append(RowError(wilayah_name, line, message))

        kec_code, kel_code = row["kecamatan_code"], row["kelurahan_code"]
        row_ok = True
        if not KECAMATAN_CODE.match(kec_code):
            bad(_("kecamatan code %(code)r is not of the form 61.71.01") % {"code": kec_code})
            row_ok = False
        if not KELURAHAN_CODE.match(kel_code):
            bad(_("kelurahan code %(code)r is not of the form 61.71.01.1001") % {"code": kel_code})
            row_ok = False
        elif row_ok and not kel_code.startswith(kec_code + "."):
            bad(
                _("kelurahan code %(kel)s does not belong to kecamatan %(kec)s")
                % {"kel": kel_code, "kec": kec_code}
            )
            row_ok = False
        if row_ok:
            prefix = kec_code[:5]
            if city_prefix is None:
                city_prefix = prefix
            elif prefix != city_prefix:
                bad(
                    _("code %(code)s is of another city than %(city)s; load one city per file")
                    % {"code": kec_code, "city": city_prefix}
                )
                row_ok = False
        if not row["kecamatan_name"]:
            bad(_("kecamatan name is empty"))
            row_ok = False
        elif len(row["kecamatan_name"]) > NAME_MAX_LENGTH:
            bad(_("kecamatan name is longer than %(max)d characters") % {"max": NAME_MAX_LENGTH})
            row_ok = False
        if not row["kelurahan_name"]:
            bad(_("kelurahan name is empty"))
            row_ok = False
        elif len(row["kelurahan_name"]) > NAME_MAX_LENGTH:
            bad(_("kelurahan name is longer than %(max)d characters") % {"max": NAME_MAX_LENGTH})
            row_ok = False
        postal = row["postal_code"]
        if postal and not POSTAL_CODE.match(postal):
            bad(_("postal code %(code)r is not five digits") % {"code": postal})
            row_ok = False
        try:
            lat = _decimal(row["latitude"], -90, 90)
            lng = _decimal(row["longitude"], -180, 180)
        except ValueError as exc:
            bad(_("coordinate %(value)r is not a valid latitude/longitude") % {"value": str(exc)})
            row_ok = False
        if not row_ok:
            continue
        if kel_code in result.kelurahan:
            bad(_("kelurahan code %(code)s appears twice") % {"code": kel_code})
            continue
        kec = result.kecamatan.get(kec_code)
        if kec is None:
            result.kecamatan[kec_code] = KecamatanRow(code=kec_code, name=row["kecamatan_name"])
        elif kec.name != row["kecamatan_name"]:
            bad(
                _("kecamatan %(code)s is named %(name)r here but %(other)r above")
                % {"code": kec_code, "name": row["kecamatan_name"], "other": kec.name}
            )
            continue
        result.kelurahan[kel_code] = KelurahanRow(
            code=kel_code,
            kecamatan_code=kec_code,
            name=row["kelurahan_name"],
            common_name=row.get("common_name", ""),
            postal_code=postal,
            latitude=lat,
            longitude=lng,
        )

    if crosswalk_text is not None:
        cw_rows, errs = _read(crosswalk_text, crosswalk_name, CROSSWALK_COLUMNS)
        errors += errs
        for line, row in cw_rows:
            level, code, bps = row["level"], row["kemendagri_code"], row["bps_code"]
            if level == "kecamatan":
                target = result.kecamatan.get(code)
                digits = 7
            elif level == "kelurahan":
                target = result.kelurahan.get(code)
                digits = 10
            else:
                errors.append(
                    RowError(
                        crosswalk_name,
                        line,
                        _("level %(level)r is neither kecamatan nor kelurahan") % {"level": level},
                    )
                )
                continue
            if target is None:
                errors.append(
                    RowError(
                        crosswalk_name, line, _("code %(code)s is not in the region list") % {"code": code}
                    )
                )
                continue
            if bps and not (bps.isdigit() and len(bps) == digits):
                errors.append(
                    RowError(
                        crosswalk_name,
                        line,
                        _("BPS code %(code)r is not %(digits)d digits") % {"code": bps, "digits": digits},
                    )
                )
                continue
            target.bps_code = bps
            if row["bps_name"] and not target.common_name:
                target.common_name = _everyday(row["bps_name"])
            if level == "kecamatan":
                try:
                    target.latitude = _decimal(row.get("latitude", ""), -90, 90)
                    target.longitude = _decimal(row.get("longitude", ""), -180, 180)
                except ValueError as exc:
                    errors.append(
                        RowError(
                            crosswalk_name,
                            line,
                            _("coordinate %(value)r is not a valid latitude/longitude") % {"value": str(exc)},
                        )
                    )

    if errors:
        raise WilayahError(sorted(errors, key=lambda e: (e.file != wilayah_name, e.line)))
    for item in [*result.kecamatan.values(), *result.kelurahan.values()]:
        item.common_name = item.common_name or item.name
    return result


def parse_files(wilayah_path: Path, crosswalk_path: Path | None = None) -> Wilayah:
    return parse(
        Path(wilayah_path).read_text(encoding="utf-8-sig"),
        Path(crosswalk_path).read_text(encoding="utf-8-sig") if crosswalk_path else None,
        wilayah_name=Path(wilayah_path).name,
        crosswalk_name=Path(crosswalk_path).name if crosswalk_path else "crosswalk",
    )


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        result.created += 1
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        result.updated += 1
    else:
        result.unchanged += 1
    return obj


@transaction.atomic
def apply(wilayah: Wilayah, *, kecamatan_model, kelurahan_model) -> LoadResult:
    """Create or update every kecamatan and kelurahan by code. Nothing is deleted."""
    result = LoadResult()
    kecamatan = {}
    for row in wilayah.kecamatan.values():
        kecamatan[row.code] = _upsert(
            kecamatan_model,
            {"code": row.code},
            {
                "name": row.name,
                "common_name": row.common_name,
                "bps_code": row.bps_code,
                "latitude": row.latitude,
                "longitude": row.longitude,
            },
            result,
        )
    for row in wilayah.kelurahan.values():
        _upsert(
            kelurahan_model,
            {"code": row.code},
            {
                "kecamatan": kecamatan[row.kecamatan_code],
                "name": row.name,
                "common_name": row.common_name,
                "postal_code": row.postal_code,
                "bps_code": row.bps_code,
                "latitude": row.latitude,
                "longitude": row.longitude,
            },
            result,
        )
    return result
