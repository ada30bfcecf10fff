from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = _("Cadres' board")

    def ready(self):
        from . import messages  # noqa: F401 - registers the audit log's labels
