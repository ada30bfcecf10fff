"""What the cadres app notifies, as kinds of accounts.notifications (rendered in the reader's
language). Loaded from CadresConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions, register_detail_labels
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

# --- The audit log -------------------------------------------------------------------------------

register_actions(
    "cadre",
    _("Cadre roster"),
    {
        "cadre.create": _("Cadre put on the roster"),
        "cadre.update": _("Cadre changed"),
        "cadre.create_login": _("Login given to a cadre"),
        "cadre.link_login": _("Kader account linked to the roster"),
        "cadre.import": _("Roster imported"),
        "cadre.export": _("Roster exported"),
        "cadre.flag_inactive": _("Cadre flagged inactive"),
        "cadre.unflag_inactive": _("Cadre active again"),
    },
)

register_detail_labels(
    {"matched_by": _("Matched by"), "cadres": _("Cadres"), "last_activity_at": _("Last activity")},
    values={
        "matched_by": {
            "nik": _("NIK"),
            "name": _("Name in the kelurahan"),
            "phone": _("Phone"),
            "roster": _("Login given from the roster"),
            "new": _("Put on the roster"),
        }
    },
)
