"""The demo, made once per test module (a year of cases takes seconds, not milliseconds).

``demo = module_demo(END)`` at module level gives that module a fixture which runs
``demo_data --force`` with the clock stopped at END, inside a transaction that is rolled back
after the module's last test. The module's tests run inside it (each in its own savepoint,
through the ``db`` fixture, which every test of such a module must use: pytest-django runs
the database tests apart from the others) with the clock still at END, so "today" is the
demo's last day.
Nothing is committed: callbacks on commit (emails, the intake task) never run, which also
proves the demo does not depend on them.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import translation


def run_demo_data(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def module_demo(end: dt.datetime):
    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), time_machine.travel(end, tick=False):
            with transaction.atomic():
                output = run_demo_data("--force")
                yield output
                transaction.set_rollback(True)

    return demo
