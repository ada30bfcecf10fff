from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself as an app, so its system checks (config/checks.py) are registered."""

    name = "config"
    label = "sigap_config"
    verbose_name = "SIGAP"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
