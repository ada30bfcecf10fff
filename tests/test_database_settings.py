"""PostgreSQL's connect timeout: a database that accepts connections and never answers costs
seconds (DATABASE_CONNECT_TIMEOUT), not a gunicorn worker until its own timeout."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = connection.vendor == "postgresql"


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def silent_database():
    """A port that accepts connections and never answers, like a hung database server."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    closer = threading.Timer(30, server.close)  # bounds the test even without a timeout
    closer.start()
    yield f"postgres://sigap:secret@127.0.0.1:{server.getsockname()[1]}/sigap"
    closer.cancel()
    server.close()


def test_the_connect_timeout_is_a_setting_with_a_default_of_five_seconds():
    show = (
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )
    url = "postgres://sigap:x@127.0.0.1:5432/sigap"
    assert run_django(show, DATABASE_URL=url).stdout.strip() == "5"
    assert run_django(show, DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="9").stdout.strip() == "9"


def test_a_database_that_never_answers_fails_the_connection_within_the_timeout(silent_database):
    started = time.monotonic()
    result = run_django(
        "from django.db import connection; connection.ensure_connection()",
        DATABASE_URL=silent_database,
        DATABASE_CONNECT_TIMEOUT="2",
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert "OperationalError" in result.stderr
    assert "timeout" in result.stderr.lower()
    assert elapsed < 15, f"gave up after {elapsed:.1f} s"


@pytest.mark.skipif(not ON_POSTGRES, reason="DATABASE_URL is not PostgreSQL")
def test_the_connect_timeout_reaches_psycopg2(db, settings):
    connection.ensure_connection()
    parameters = connection.connection.info.dsn_parameters
    assert parameters["connect_timeout"] == str(settings.DATABASES["default"]["OPTIONS"]["connect_timeout"])


@pytest.mark.skipif(not ON_POSTGRES, reason="DATABASE_URL is not PostgreSQL")
def test_the_connection_runs_without_jit(db):
    # A plan misestimated past jit_above_cost compiled for a second before running for
    # milliseconds (issue 12, "Kasus saya" at 200,000 cases): SIGAP's connections turn JIT off.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"  # SSD storage (DATABASE_RANDOM_PAGE_COST)
