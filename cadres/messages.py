"""What the cadres app notifies, as kinds of accounts.notifications (rendered in the reader's
language). Loaded from CadresConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.notifications import register_notification


def inactive_body(params: dict) -> str:
    flagged, unflagged = params["flagged"], params["unflagged"]
    return " ".join(
        [
            ngettext(
                "%(count)s cadre had no activity for %(days)s days and is now flagged inactive.",
                "%(count)s cadres had no activity for %(days)s days and are now flagged inactive.",
                flagged,
            )
            % {"count": flagged, "days": params["days"]},
            ngettext(
                "%(count)s flagged cadre is active again.",
                "%(count)s flagged cadres are active again.",
                unflagged,
            )
            % {"count": unflagged},
            gettext("Open the roster to see whom to call."),
        ]
    )


register_notification(
    "cadres.inactive",
    title=_("Inactive cadres: %(flagged)s flagged, %(unflagged)s active again"),
    body=inactive_body,
)
