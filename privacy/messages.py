"""What the privacy app notifies, as kinds of accounts.notifications (rendered in the reader's
language). Loaded from PrivacyConfig.ready(). No parameter names a child."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions, register_detail_labels
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

register_actions(
    "case",
    _("Cases"),
    {
        "case.legal_hold": _("Legal hold placed on a case"),
        "case.legal_hold_lift": _("Legal hold lifted"),
    },
)
register_actions(
    "privacy",
    _("Data protection"),
    {
        "privacy.destruction_list": _("Destruction list built"),
        "privacy.destruction_approve": _("Destruction list approved: records destroyed"),
        "privacy.destruction_reject": _("Destruction list rejected"),
        "privacy.subject_request": _("Data subject request recorded"),
        "privacy.subject_request_update": _("Data subject request updated"),
        "privacy.breach": _("Data breach recorded"),
        "privacy.breach_notice": _("Breach notice recorded"),
    },
)
register_detail_labels(
    {
        "hold": _("Legal hold"),
        "destruction_list": _("Destruction list"),
        "due": _("Due for destruction"),
        "result": _("Result"),
        "in_time": _("In time"),
        "subjects": _("Data subjects"),
        "whom": _("Notified"),
        "number": _("Case number"),
    }
)
