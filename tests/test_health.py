"""GET /healthz: 200 only when the process can render a page (database, broker, static files), else 503.

The Celery app reads its configuration live from the CELERY_* settings, so
overriding CELERY_BROKER_URL here changes the broker the health check really
connects to (test_it_connects_to_the_configured_broker proves it).
"""

import json
import os
import socket
import threading
import time

import pytest
from django.db import DatabaseError
from django.template import Context, Template

from config import health
from config.celery_app import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL", "")
CLOSED_PORT_URL = "redis://:s3cr3t-broker-pass@127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def no_broker_from_environment(monkeypatch):
    # Celery lets these variables override its configuration; the tests set the broker.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return settings


@pytest.fixture
def broker(settings):
    """Point the app at a broker: ``broker("redis://...")``."""

    def use(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        assert celery_app.conf.broker_write_url == url
        return settings

    return use


@pytest.fixture
def silent_broker():
    """A port that accepts connections and never answers, like a hung broker.

    Closing the socket after a while bounds the test even if the check had no timeout.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    closer = threading.Timer(15, server.close)
    closer.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    closer.cancel()
    server.close()


def test_it_reports_ok_database_and_eager_broker_without_a_broker(client, db, eager):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager", "static": "plain"}


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no real broker to check")
def test_it_reports_ok_broker_when_redis_answers(client, db, broker):
    broker(REDIS_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "static": "plain"}


def test_it_returns_503_when_the_broker_is_unreachable(client, db, broker):
    broker(CLOSED_PORT_URL)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error", "static": "plain"}


def test_it_gives_up_within_seconds_when_the_broker_never_answers(client, db, broker, silent_broker):
    broker(silent_broker)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 6
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_it_connects_to_the_configured_broker(client, db, broker, monkeypatch):
    seen = []
    original = celery_app.connection_for_write

    def spy(*args, **kwargs):
        conn = original(*args, **kwargs)
        seen.append((conn.hostname, conn.port))
        return conn

    monkeypatch.setattr(celery_app, "connection_for_write", spy)
    broker("redis://127.0.0.1:1/0")
    client.get("/healthz")
    assert seen == [("127.0.0.1", 1)]


def test_it_returns_503_when_the_database_is_unreachable(client, db, eager, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused by db.internal:5432 for user sigap password hunter2")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "broker": "eager", "static": "plain"}
    assert b"hunter2" not in response.content


def test_it_reveals_no_secrets(client, db, broker, settings):
    broker(CLOSED_PORT_URL)
    response = client.get("/healthz")
    body = response.content.decode()
    assert set(response.json()) == {"status", "database", "broker", "static"}
    for secret in ("s3cr3t-broker-pass", "redis://", "127.0.0.1", settings.SECRET_KEY):
        assert secret not in body
    assert "password" not in body.lower()


def test_it_is_never_cached(client, db, eager):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_it_rejects_post(client, db, eager):
    response = client.post("/healthz")
    assert response.status_code == 405


# --- static files: production's manifest storage -------------------------------------

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
HASHED = "css/sigap.0123456789ab.css"


@pytest.fixture
def collected(settings, tmp_path, eager):
    """A STATIC_ROOT as collectstatic leaves it, served by production's storage; returns its folder."""
    (tmp_path / "css").mkdir()
    (tmp_path / HASHED).write_text("body{}")
    manifest = {"paths": {health.PAGE_ASSET: HASHED}, "version": "1.1", "hash": "0123456789ab"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return tmp_path


def render_page_asset():
    return Template("{% load static %}{% static 'css/sigap.css' %}").render(Context())


def test_it_reports_ok_static_files_when_the_manifest_names_the_page_assets(client, db, collected):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager", "static": "ok"}
    assert render_page_asset() == "/static/" + HASHED


def test_it_returns_503_when_the_process_started_without_a_manifest(client, db, collected):
    (collected / "staticfiles.json").unlink()
    # The condition itself: no page can name its stylesheet, so every page would be a 500.
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        render_page_asset()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "error"
    assert response.json()["status"] == "error"


def test_it_returns_503_when_the_manifest_is_removed_after_start(client, db, collected):
    assert client.get("/healthz").status_code == 200  # the manifest is loaded now
    (collected / "staticfiles.json").unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "error"


def test_it_returns_503_when_the_hashed_file_is_missing(client, db, collected):
    (collected / HASHED).unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "error"


def test_it_returns_503_when_the_manifest_does_not_name_the_page_stylesheet(client, db, collected):
    (collected / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1", "hash": "x"}))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "error"


def test_it_returns_503_when_the_manifest_is_corrupt(client, db, collected):
    (collected / "staticfiles.json").write_text("{not json")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "error"
    assert str(collected) not in response.content.decode()
