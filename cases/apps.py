from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # Models load only once the registry is ready, so the selectors are imported here.
        from accounts.audit import register_record_names

        from . import casework_messages, messages  # noqa: F401 - register the timeline, reason and notification texts
        from .selectors import case_id_for_number, case_numbers_for_ids

        register_record_names(
            "cases.case", names_for_ids=case_numbers_for_ids, id_for_name=case_id_for_number
        )
