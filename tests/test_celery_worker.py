"""A real Celery worker process consumes a task from Redis and returns its result.

The worker test needs REDIS_URL (e.g. redis://127.0.0.1:6379/0). Without it the test is skipped,
unless REQUIRE_CELERY=1 (CI), where it fails. Each run uses its own queue, so a
worker started elsewhere on the same Redis cannot take the message.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery.result import EagerResult

from config.celery_app import app as celery_app
from config.tasks import ping_task

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        message = "REDIS_URL is not set: no broker for a real Celery worker"
        if os.environ.get("REQUIRE_CELERY") == "1":
            pytest.fail(f"{message} (REQUIRE_CELERY=1)")
        pytest.skip(f"{message}; set REDIS_URL, or REQUIRE_CELERY=1 to make this a failure")
    return url


def forget_connections():
    """Drop the app's cached broker pool and result backend, so they are rebuilt from the conf.

    (The pools themselves stay open in kombu's registry, keyed by broker URL, for reuse.)
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    if hasattr(celery_app._local, "backend"):
        del celery_app._local.backend


@contextmanager
def celery_app_on(url):
    """Send tasks through the broker at ``url`` (not eagerly) and read results from it; restore after.

    CELERY_TASK_ALWAYS_EAGER was fixed at import from this process's environment,
    so the app's configuration is set here explicitly.
    """
    wanted = {"task_always_eager": False, "broker_url": url, "result_backend": url}
    conf = celery_app.conf
    saved = {key: conf.changes[key] for key in wanted if key in conf.changes}
    forget_connections()
    for key, value in wanted.items():
        conf[key] = value
    try:
        yield celery_app
    finally:
        for key in wanted:
            conf.changes.pop(key, None)
        conf.changes.update(saved)
        forget_connections()


@pytest.fixture
def worker(redis_url, request, tmp_path, monkeypatch):
    """A `celery worker` subprocess consuming only a fresh queue; always stopped."""
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    queue = f"sigap-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        SIGAP_BASE_URL="https://sigap.example.go.id",
        PYTHONUNBUFFERED="1",
    )
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()
        # The queue and its binding exist only for this test.
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        # Shown by pytest only when the test fails.
        output = log_path.read_text(errors="replace")
        print(f"--- celery worker log (exit {process.returncode}) ---\n{output}")

    request.addfinalizer(stop)
    return {"queue": queue, "log": log_path, "process": process}


def wait_for_line(path: Path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = path.read_text(errors="replace")
        if text in content or time.monotonic() > deadline:
            return content
        time.sleep(0.2)


def test_it_accepts_every_registered_task_s_time_limits():
    # Celery refuses to send a task whose soft time limit exceeds its hard one,
    # and the project-wide soft limit applies to tasks that set only time_limit.
    celery_app.loader.import_default_modules()
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert "config.ping_task" in ours
    for name, task in ours.items():
        if task.soft_time_limit and task.time_limit:
            assert task.soft_time_limit <= task.time_limit, f"{name}: soft_time_limit > time_limit"


def test_it_runs_ping_task_eagerly_without_a_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = ping_task.delay()
    assert isinstance(result, EagerResult)
    assert result.get(timeout=5) == "pong"


@pytest.mark.celery_worker
def test_it_runs_ping_task_in_a_real_worker_over_redis(worker, redis_url):
    with celery_app_on(redis_url):
        result = ping_task.apply_async(queue=worker["queue"])
        assert not isinstance(result, EagerResult), "the task ran eagerly, not through the broker"
        try:
            answer = result.get(timeout=60)
        except Exception as exc:
            log = worker["log"].read_text(errors="replace")
            pytest.fail(f"no answer from the worker ({type(exc).__name__}: {exc}); worker log:\n{log}")
        finally:
            result.forget()
    assert answer == "pong"
    assert worker["process"].poll() is None, "the worker died"
    # The worker's own log shows it executed this very task.
    log = wait_for_line(worker["log"], f"{result.id}] succeeded", timeout=10)
    assert f"config.ping_task[{result.id}] received" in log
    assert f"{result.id}] succeeded" in log


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_a_worker_or_beat_without_the_base_url_refuses_to_start(command, tmp_path):
    # Tasks write the links of emails; a worker without SIGAP_BASE_URL would send broken ones.
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "SIGAP_BASE_URL", "DJANGO_DEBUG")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    extra = ["--schedule", str(tmp_path / "schedule")] if command == "beat" else ["--pool=solo"]
    result = subprocess.run(
        [str(CELERY), "-A", "config", command, "-l", "info", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"SIGAP {command} will not start: SIGAP_BASE_URL is not set" in result.stdout + result.stderr
