"""The kinds of notification and their texts, rendered in the reader's language.

A notification is stored as its kind (a code) and parameters; its title and body are
rendered from the messages registered here when the inbox or an email shows it. Each app
registers the kinds it sends, at import of its ``messages`` module (loaded from its
AppConfig.ready()): ``register_notification("cases.escalated", title=_("Case
%(number)s was escalated to KPAD"), body=_("%(rule)s"), rule=Escalation.Rule)``, then
``notify(users=…, kind="cases.escalated", params={"number": …, "rule": …}, url=…)``.
Parameters never carry a child's identity: a case is named by its number.
"""

from __future__ import annotations

from core.messages import Formatter, MessageRegistry, Text

TITLES = MessageRegistry("notification title")
BODIES = MessageRegistry("notification body")


def register_notification(
    kind: str, *, title: Text, body: Text = "", legacy_title=(), legacy_body=(), **formatters: Formatter
) -> str:
    TITLES.register(kind, title, legacy=legacy_title, **formatters)
    BODIES.register(kind, body, legacy=legacy_body, **formatters)
    return kind
