"""What the privacy app notifies, as kinds of accounts.notifications (rendered in the reader's
language). Loaded from PrivacyConfig.ready(). No parameter names a child."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import register_notification

DESTRUCTION_LIST = register_notification(
    "privacy.destruction_list",
    title=_("Records due for destruction are waiting for your approval"),
    body=_("%(count)s records have reached the end of their retention period."),
)
BREACH = register_notification(
    "privacy.breach",
    title=_("A data breach was recorded: notices are due within 3 x 24 hours"),
)
