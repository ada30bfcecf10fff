"""Panels a higher app adds to the start pages, without the start pages knowing of it.

The start pages live in ``cases`` (the petugas' page) while, say, the clocks of the data
subjects' requests belong to ``privacy``, above it. So the higher app registers a panel from its
AppConfig.ready() (as with accounts.audit's record names) and the page asks for the panels the
user's capabilities allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .policy import user_can


@dataclass(frozen=True)
class StartPanel:
    key: str
    page: str  # the start page's url name, e.g. "start:petugas"
    capability: str
    template: str
    context: Callable  # (user) -> dict, a bounded number of queries


_PANELS: dict[str, StartPanel] = {}


def register_start_panel(*, key: str, page: str, capability: str, template: str, context: Callable) -> None:
    _PANELS[key] = StartPanel(key=key, page=page, capability=capability, template=template, context=context)


def start_panels_for(user, *, page: str) -> list[dict]:
    """[{"template": ..., **context}] of the panels of this page the user may see."""
    return [
        {"template": panel.template, **panel.context(user)}
        for panel in _PANELS.values()
        if panel.page == page and user_can(user, panel.capability)
    ]
