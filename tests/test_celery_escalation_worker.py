"""A real Celery worker over Redis runs the immediate escalation an intake put in the outbox.

Needs REDIS_URL and PostgreSQL (the worker is another process: it cannot see SQLite's test
database). Skipped without them, unless REQUIRE_CELERY=1 (CI), where a missing REDIS_URL
fails. The worker consumes only a fresh queue (see tests/test_celery_worker.py) and uses
this test's own database through DATABASE_URL.
"""

import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import OutboxJob
from cases.models import Escalation
from config.celery_app import app as celery_app
from tests import factories as f
from tests.test_celery_worker import celery_app_on, redis_url, worker  # noqa: F401 - fixtures reused

TASK = "cases.tasks.escalate_case_on_intake_task"


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def worker_on_test_db(transactional_db, redis_url, monkeypatch, request):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs PostgreSQL: it cannot see an SQLite test database")
    monkeypatch.setenv("DATABASE_URL", test_database_url())
    return request.getfixturevalue("worker")


@pytest.fixture
def routed_to(worker_on_test_db):
    """Send the intake task to the test worker's own queue; restore the routes after."""
    amqp = celery_app.amqp
    saved = celery_app.conf.changes.get("task_routes")
    # The outbox's drain and its runs (which run the intake task) go to the test's worker.
    queue = {"queue": worker_on_test_db["queue"]}
    celery_app.conf.task_routes = {"accounts.tasks.*": queue, TASK: queue}
    amqp.flush_routes()
    amqp.__dict__.pop("router", None)
    yield worker_on_test_db
    if saved is None:
        celery_app.conf.changes.pop("task_routes", None)
    else:
        celery_app.conf.changes["task_routes"] = saved
    amqp.flush_routes()
    amqp.__dict__.pop("router", None)


@pytest.mark.celery_worker
def test_a_real_worker_escalates_a_sexual_violence_case_after_the_intake_commits(routed_to, redis_url):  # noqa: F811
    from tests.factories import make_case

    bob = f.PetugasFactory(username="bob")
    f.KpadFactory(username="dave", email="")  # no email: the worker queues no mail task
    with celery_app_on(redis_url):
        case = make_case(actor=bob, violence_types=["seksual"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Escalation.objects.filter(case=case, rule="immediate").exists():
                break
            time.sleep(0.5)
    log = routed_to["log"].read_text(errors="replace")
    found = Escalation.objects.filter(case=case, rule="immediate", state="open")
    assert found.exists(), f"no escalation within 60 s; worker log:\n{log}"
    assert f"Outbox job {OutboxJob.objects.get(task=TASK).pk} ({TASK}) done" in log, (
        "the worker did not run it"
    )
    case.refresh_from_db()
    assert case.escalated_at is not None
