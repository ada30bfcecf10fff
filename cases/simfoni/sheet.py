"""One child's SIMFONI-PPA entry sheet: the victim's record in SIMFONI's order and words,
ready to be typed in (page, print and XLSX show the same rows).

The order follows SIMFONI's victim form as its sources show it (docs/SIMFONI.md): the case,
the victim, each perpetrator (the pair's relation first), the services received. Every
value is SIMFONI's label from the crosswalk, with its code and whether it is verified.
The child's name is shown only when the caller may show it (``with_identity``); else the
initials, which is what the operator types when consent withholds the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from . import VictimRecord
from .crosswalk import Crosswalk, Entry


@dataclass
class SheetRow:
    field: str
    value: str
    code: str = ""
    unverified: bool = False
    note: str = ""
    missing: bool = False


@dataclass
class Section:
    title: str
    rows: list[SheetRow] = field(default_factory=list)


def _coded(cw: Crosswalk, name: str, code: str, *, title: str | None = None) -> SheetRow:
    entry: Entry | None = cw.entry(name, code) if code else None
    heading = title or cw.field_title(name)
    if entry is None or entry.label is None:
        return SheetRow(heading, "", missing=True, note=entry.note if entry else "")
    return SheetRow(heading, entry.label, entry.code or "", not entry.verified, entry.note)


def _text(heading: str, value, *, required: bool = False) -> SheetRow:
    value = "" if value is None else str(value)
    return SheetRow(heading, value, missing=required and not value.strip())


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def entry_sheet(record: VictimRecord, cw: Crosswalk, *, with_identity: bool, initials: str) -> list[Section]:
    child, person, case = record.child, record.child.person, record.child.case
    kelurahan = case.kelurahan
    incident = Section(_("A. The case"))
    incident.rows += [
        _text(_("Date of incident"), _day(case.incident_date), required=True),
        _coded(cw, "place", case.place_type),
        _text(_("Address of incident"), case.address),
        _text(_("Kelurahan / kecamatan of incident"), f"{kelurahan.name} / {kelurahan.kecamatan.name}"),
        _text(_("Kemendagri code of the kelurahan"), kelurahan.code),
    ]
    kinds = [_coded(cw, "violence", kind) for kind in record.kinds] or [
        SheetRow(cw.field_title("violence"), "", missing=True)
    ]
    incident.rows += kinds
    marks = []
    if child.online:
        marks.append(_("online"))
    if child.online_prostitution:
        marks.append(_("online prostitution of children"))
    incident.rows.append(
        _text(_("SIGAP marks (SIMFONI has no field: put in the chronology)"), ", ".join(marks))
    )
    if record.trafficked:
        incident.rows += [
            _coded(cw, "tppo_recruitment", child.tppo_recruitment),
            _coded(cw, "tppo_destination", child.tppo_destination),
            _text(_("Destination, in words"), child.tppo_destination_detail),
        ]
    incident.rows.append(_text(_("KDRT (UU 23/2004, by the relation)"), _("Yes") if record.kdrt else _("No")))

    victim = Section(_("B. The victim"))
    victim.rows += [
        _text(_("Name"), person.name if with_identity else initials, required=True),
        _text(_("NIK"), person.nik if with_identity else ""),
        _coded(cw, "sex", person.sex),
        _text(_("Date of birth"), _day(person.birth_date) if with_identity else ""),
        _text(_("Age on the incident date"), record.age, required=True),
        _coded(cw, "education", child.school_level),
        _coded(cw, "occupation", child.occupation),
        _coded(cw, "marital_status", child.marital_status),
        _coded(cw, "nationality", child.nationality),
        _coded(cw, "disability", child.has_disability),
    ]
    if child.has_disability == "ya":
        victim.rows.append(_coded(cw, "disability_type", child.disability_type))
    home = child.home_kelurahan
    victim.rows += [
        _text(_("Home address"), child.home_address if with_identity else _("(hidden)"), required=True),
        _text(_("Kelurahan of residence"), home.name if home else ""),
    ]

    sections = [incident, victim]
    for number, pair in enumerate(record.pairs, start=1):
        perpetrator = pair.perpetrator
        section = Section(_("C. Perpetrator %(number)s") % {"number": number})
        section.rows += [
            _coded(cw, "relation", pair.relation),
            _coded(cw, "sex", perpetrator.sex),
            _text(_("Age"), perpetrator.age, required=True),
            _coded(cw, "education", perpetrator.education),
            _coded(cw, "occupation", perpetrator.occupation),
            _coded(cw, "nationality", perpetrator.nationality),
        ]
        # Only sex and age are required of a perpetrator (missing_fields): the rest is asked if known.
        for row in section.rows[3:]:
            row.missing = False
        sections.append(section)

    services = Section(_("D. Services received"))
    for service in record.services:
        row = _coded(cw, "service", service.service_type)
        row.value = f"{row.value} · {_day(service.date)} · {service.provider}"
        services.rows.append(row)
    if not services.rows:
        services.rows.append(SheetRow(cw.field_title("service"), "", missing=True))
    sections.append(services)
    return sections


def sheet_rows(sections: list[Section]) -> list[list[str]]:
    """The sheet as rows for the export writer: section, field, value, code, note."""
    rows = []
    for section in sections:
        for row in section.rows:
            note = row.note
            if row.unverified:
                note = f"{_('unverified')}. {note}".strip()
            rows.append([section.title, row.field, row.value, row.code, note])
    return rows


def sheet_headers() -> list[str]:
    return [_("Section"), _("SIMFONI field"), _("Value"), _("Code"), _("Note")]
