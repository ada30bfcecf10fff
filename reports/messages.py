"""What the reports app writes in the audit log, by label (loaded from its AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions

register_actions(
    "report",
    _("Reports"),
    {
        "report.export": _("Export made"),
        "report.export_download": _("Export downloaded"),
        "report.recap_download": _("Recap downloaded"),
    },
)
