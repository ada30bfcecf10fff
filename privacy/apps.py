from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy (PDP)")

    def ready(self):
        from . import messages, start  # noqa: F401 - register the notification kinds and the start panel
