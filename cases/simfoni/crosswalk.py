"""The crosswalk: each SIGAP code as SIMFONI-PPA labels and codes it, per SIMFONI version.

One data file (``crosswalk.json`` beside this module), so that when the Dinas' SIMFONI
operator sees the live form differ, one entry changes and nothing else: docs/SIMFONI.md says
how, and where every entry comes from. A version may inherit another and override fields.
Every entry carries ``verified``: nothing rests yet on the live SIMFONI v3 form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import models

PATH = Path(__file__).with_name("crosswalk.json")

# Which SIGAP choice list each crosswalk field codes.
FIELD_CHOICES = {
    "violence": models.ViolenceType,
    "place": models.PlaceType,
    "relation": models.Relation,
    "service": models.ServiceType,
    "education": models.SchoolLevel,
    "occupation": models.Occupation,
    "marital_status": models.MaritalStatus,
    "nationality": models.Nationality,
    "disability": models.YesNo,
    "disability_type": models.DisabilityType,
    "sex": models.Sex,
    "tppo_recruitment": models.TppoRecruitment,
    "tppo_destination": models.TppoDestination,
}


@dataclass(frozen=True)
class Entry:
    label: str | None
    code: str | None
    verified: bool
    sources: tuple[str, ...]
    note: str = ""
    legacy: bool = False

    def __str__(self) -> str:
        return self.label or ""


@dataclass(frozen=True)
class Crosswalk:
    version: str
    label: str
    fields: dict
    age_bands: dict

    def entry(self, field: str, code: str) -> Entry | None:
        raw = self.fields.get(field, {}).get("choices", {}).get(code)
        if raw is None:
            return None
        return Entry(
            label=raw.get("label"),
            code=raw.get("code"),
            verified=bool(raw.get("verified")),
            sources=tuple(raw.get("source", ())),
            note=raw.get("note", ""),
            legacy=bool(raw.get("legacy")),
        )

    def label_of(self, field: str, code: str) -> str:
        """SIMFONI's label for a SIGAP code ("" when the field is empty)."""
        entry = self.entry(field, code) if code else None
        return entry.label or "" if entry else ""

    def simfoni_list(self, field: str) -> list[str]:
        """SIMFONI's own options for a field, in its order."""
        return list(self.fields.get(field, {}).get("list", []))

    def field_title(self, field: str) -> str:
        return self.fields.get(field, {}).get("simfoni", field)

    @property
    def unverified(self) -> int:
        return sum(
            1 for f in self.fields.values() for e in f.get("choices", {}).values() if not e.get("verified")
        )


@cache
def _document() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


def versions() -> list[str]:
    return list(_document()["versions"])


def sources() -> dict[str, str]:
    return dict(_document()["sources"])


@cache
def crosswalk(version: str | None = None) -> Crosswalk:
    """The crosswalk of a SIMFONI version (the file's current one by default), its inherited
    fields included."""
    document = _document()
    version = version or document["current"]
    chain = []
    name: str | None = version
    while name is not None:
        data = document["versions"][name]
        chain.append(data)
        name = data.get("inherits")
    fields: dict = {}
    age_bands: dict = {}
    for data in reversed(chain):
        fields.update(data.get("fields", {}))
        age_bands.update(data.get("age_bands", {}))
    return Crosswalk(version=version, label=chain[0]["label"], fields=fields, age_bands=age_bands)
