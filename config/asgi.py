import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# As in wsgi.py: no serving without the settings every link depends on.
from config.checks import refuse_to_start_misconfigured  # noqa: E402

refuse_to_start_misconfigured("web")
