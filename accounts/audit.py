"""How the audit log names the records it is about, without knowing the apps that own them.

An audit row names its record by type and id (``cases.case`` #42). The log shows and
searches a readable name instead (``SGP-2026-00042``) when the owning app has registered
how its records are named, from its AppConfig.ready(): accounts sits below every other app
and never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Choices
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.messages import MessageRegistry


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


# --- Readable actions and details ---------------------------------------------------------------
#
# Each app registers the labels of the actions it writes (from its messages module, loaded by
# its AppConfig.ready()), and the labels of detail keys that are not one of its models' fields.
# tests/test_audit_labels.py checks that every action written anywhere has a label.

ACTIONS = MessageRegistry("audit action")
ACTION_GROUPS: dict[str, Any] = {}  # "case" -> "Cases": the first part of an action's code
DETAIL_LABELS: dict[str, Any] = {}
# How a detail's value is shown when it is a code: a Choices class, a {code: label} dict or a
# function, by "action:key" or by key. Else a code of the target model's field of that name.
DETAIL_VALUES: dict[str, Any] = {}
DETAIL_FIELDS: dict[str, str] = {"from": "status", "to": "status"}  # key -> the target's field


def register_actions(group: str, group_label, labels: dict) -> None:
    ACTION_GROUPS[group] = group_label
    for code, label in labels.items():
        ACTIONS.register(code, label)


def register_detail_labels(labels: dict, *, values: dict | None = None) -> None:
    DETAIL_LABELS.update(labels)
    DETAIL_VALUES.update(values or {})


def action_label(code: str) -> str:
    return ACTIONS.render(code, {}, fallback=code)


def action_choices() -> list:
    """The action filter's choices: grouped by area, "all of the area" first, then each action
    by its label."""
    groups: dict[str, list] = {}
    for code in ACTIONS.codes():
        groups.setdefault(code.split(".", 1)[0], []).append((code, action_label(code)))
    choices = []
    for group, items in sorted(groups.items(), key=lambda g: str(ACTION_GROUPS.get(g[0], g[0]))):
        name = str(ACTION_GROUPS.get(group, group))
        every = (f"{group}.", _("All: %(area)s") % {"area": name})
        choices.append((name, [every, *sorted(items, key=lambda item: item[1])]))
    return choices


def record_type_choices() -> list:
    """The record types an audit row may name (the project's models), grouped by app."""
    root = str(settings.BASE_DIR)
    groups = []
    for config in django_apps.get_app_configs():
        if not str(config.path).startswith(root) or ".venv" in str(config.path):
            continue
        models = sorted(
            ((m._meta.label_lower, capfirst(str(m._meta.verbose_name))) for m in config.get_models()),
            key=lambda item: item[1],
        )
        if models:
            groups.append((str(config.verbose_name), models))
    return sorted(groups, key=lambda group: group[0])


def record_type_label(target_type: str) -> str:
    """``cases.case`` -> "Case" (the model's verbose name), or the type as stored."""
    model = _model(target_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else target_type


def _model(target_type: str):
    try:
        return django_apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None


def _label(model, key: str) -> str:
    if key in DETAIL_LABELS:
        return str(DETAIL_LABELS[key])
    field = _field(model, key)
    if field is not None:
        return capfirst(str(field.verbose_name))
    return capfirst(key.replace("_", " "))


def _shown(formatter, value) -> str | None:
    if isinstance(formatter, dict):
        shown = formatter.get(value)
        return str(shown) if shown is not None else None
    if isinstance(formatter, type) and issubclass(formatter, Choices):
        try:
            return str(formatter(value).label)
        except ValueError:
            return None
    return str(formatter(value))


def _value(model, key: str, value, action: str = "") -> str:
    if value is None or value == "":
        return "—"
    formatter = DETAIL_VALUES.get(f"{action}:{key}") or DETAIL_VALUES.get(key)
    if formatter is not None and not isinstance(value, list | dict | bool):
        shown = _shown(formatter, value)
        if shown is not None:
            return shown
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if key in ("fields", "changed") and isinstance(value, list):
        return ", ".join(_label(model, str(v)) for v in value) or "—"
    if isinstance(value, list):
        return ", ".join(_value(model, key, v, action) for v in value) or "—"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            if isinstance(v, list) and len(v) == 2:  # a change: [before, after]
                parts.append(f"{_label(model, k)}: {_value(model, k, v[0])} → {_value(model, k, v[1])}")
            else:
                parts.append(f"{_label(model, k)}: {_value(model, k, v)}")
        return "; ".join(parts)
    field = _field(model, DETAIL_FIELDS.get(key, key))
    if field is not None and getattr(field, "choices", None):
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    return str(value)


def detail_lines(event) -> list[tuple[str, str]]:
    """An audit row's details as (label, value) pairs in the active language: registered labels
    or the target model's verbose field names, choice labels for codes, Yes/No, lists joined;
    never a Python repr."""
    model = _model(event.target_type)
    return [
        (_label(model, str(key)), _value(model, str(key), value, event.action))
        for key, value in (event.details or {}).items()
    ]


# --- What accounts itself writes ----------------------------------------------------------------

register_actions(
    "login",
    gettext_lazy("Logins"),
    {
        "login.failed": gettext_lazy("Failed login"),
        "login.locked": gettext_lazy("Login locked after repeated failures"),
        "login.otp_failed": gettext_lazy("Wrong two-step verification code"),
    },
)
register_actions(
    "otp",
    gettext_lazy("Two-step verification"),
    {
        "otp.enrol": gettext_lazy("Two-step verification set up"),
        "otp.recovery_codes": gettext_lazy("New recovery codes made"),
        "otp.recovery_used": gettext_lazy("Recovery code used"),
        "otp.disable": gettext_lazy("Two-step verification turned off"),
    },
)
register_actions(
    "user",
    gettext_lazy("Users"),
    {
        "user.create": gettext_lazy("User created"),
        "user.update": gettext_lazy("User changed"),
        "user.set_password": gettext_lazy("Password set by the administrator"),
        "user.unlock": gettext_lazy("Login unlocked"),
        "user.reset_2fa": gettext_lazy("Two-step verification reset"),
    },
)

register_detail_labels(
    {
        "username": gettext_lazy("User name typed"),
        "path": gettext_lazy("Page"),
        "page": gettext_lazy("Page"),
        "locked": gettext_lazy("Locked"),
        "attempts": gettext_lazy("Failed attempts cleared"),
        "devices": gettext_lazy("Devices removed"),
        "replaced": gettext_lazy("Replaced an earlier device"),
        "recovery_code": gettext_lazy("With a recovery code"),
        "left": gettext_lazy("Recovery codes left"),
        "command": gettext_lazy("By command"),
        "changed": gettext_lazy("Changed"),
        "fields": gettext_lazy("Fields"),
        "from": gettext_lazy("From"),
        "to": gettext_lazy("Became"),
        "reason": gettext_lazy("Reason"),
        "number": gettext_lazy("Case number"),
        "user": gettext_lazy("Account"),
        "source": gettext_lazy("Source"),
        "kind": gettext_lazy("Kind"),
        "format": gettext_lazy("Format"),
        "rows": gettext_lazy("Rows"),
        "count": gettext_lazy("Number"),
        "filters": gettext_lazy("Filters"),
        "identity": gettext_lazy("With identities"),
        "identities": gettext_lazy("With identities"),
        "ids": gettext_lazy("Records"),
        "created": gettext_lazy("Created"),
        "updated": gettext_lazy("Updated"),
        "unchanged": gettext_lazy("Unchanged"),
        "file_type": gettext_lazy("File type"),
        "cutoff": gettext_lazy("Cut-off"),
        "async": gettext_lazy("In the background"),
    }
)
