import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn starts without `migrate`'s system checks: refuse to serve without the settings
# every link depends on, rather than send people links that lead nowhere.
from config.checks import refuse_to_start_misconfigured  # noqa: E402

refuse_to_start_misconfigured("web")
