from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy (PDP)")

    def ready(self):
        from . import start  # noqa: F401 - registers the petugas' start-page panel
