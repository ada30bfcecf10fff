"""How the audit log names the records it is about, without knowing the apps that own them.

An audit row names its record by type and id (``cases.case`` #42). The log shows and
searches a readable name instead (``SGP-2026-00042``) when the owning app has registered
how its records are named, from its AppConfig.ready(): accounts sits below every other app
and never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordNames:
    names_for_ids: Callable[[list[str]], dict[str, str]]  # {id: name}, one query
    id_for_name: Callable[[str], str | None]


_REGISTRY: dict[str, RecordNames] = {}


def register_record_names(
    target_type: str,
    *,
    names_for_ids: Callable[[list[str]], dict[str, str]],
    id_for_name: Callable[[str], str | None],
) -> None:
    _REGISTRY[target_type] = RecordNames(names_for_ids=names_for_ids, id_for_name=id_for_name)


def record_names(events: Iterable) -> dict[tuple[str, str], str]:
    """{(target_type, target_id): name} for the events whose record type has registered names."""
    wanted: dict[str, list[str]] = {}
    for event in events:
        if event.target_type in _REGISTRY:
            wanted.setdefault(event.target_type, []).append(event.target_id)
    found = {}
    for target_type, ids in wanted.items():
        for target_id, name in _REGISTRY[target_type].names_for_ids(ids).items():
            found[(target_type, target_id)] = name
    return found


def target_id_for_name(target_type: str, name: str) -> str | None:
    """The id of the record of this type with this name, if the type has registered names."""
    names = _REGISTRY.get(target_type)
    return names.id_for_name(name) if names is not None else None
