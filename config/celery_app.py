"""The Celery application. Configuration comes from Django settings (CELERY_*).

With no broker configured (the embedded default), settings make every task run
eagerly in the calling process, so `make run` needs nothing but Python.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sigap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
