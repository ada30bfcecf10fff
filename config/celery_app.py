"""The Celery application. Configuration comes from Django settings (CELERY_*).

With no broker configured (the embedded default), settings make every task run
eagerly in the calling process, so `make run` needs nothing but Python.
"""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sigap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_misconfigured_worker(**kwargs):
    # Tasks write the links of emails: a worker without SIGAP_BASE_URL would send broken ones.
    from config.checks import refuse_to_start_celery

    refuse_to_start_celery("worker")


@beat_init.connect
def refuse_misconfigured_beat(**kwargs):
    from config.checks import refuse_to_start_celery

    refuse_to_start_celery("beat")
