"""The production shape: the compose file, the image, Django's deployment checks, migrations.

The compose file is validated by the real compose client when one is installed
(`docker-compose` or `docker compose`; no Docker engine is needed for `config`),
and always parsed with PyYAML for the structure SIGAP relies on.
"""

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = {"postgres", "redis", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")

# What compose needs to interpolate the file; dummy values, nothing is started.
COMPOSE_ENV = {
    "DJANGO_SECRET_KEY": "compose-config-test-" + "k" * 40,
    "DJANGO_ALLOWED_HOSTS": "sigap.example.go.id",
    "SIGAP_BASE_URL": "https://sigap.example.go.id",
    "POSTGRES_PASSWORD": "composeconfigtest",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def command_line(service: dict) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(str(part) for part in command)


def compose_client() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def run_compose_config(tmp_path: Path, extra_env: dict, *args: str) -> subprocess.CompletedProcess:
    client = compose_client()
    if client is None:
        pytest.skip("no compose client (docker-compose or `docker compose`) installed; YAML checks still ran")
    # An empty env file, so a developer's .env cannot fill in what the test leaves out.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    env.update(extra_env)
    return subprocess.run(
        [*client, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the compose file, through the compose client ---------------------------------


def test_it_is_a_valid_compose_file_with_the_five_services(tmp_path):
    result = run_compose_config(tmp_path, COMPOSE_ENV, "--services")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == SERVICES


def test_it_renders_the_full_configuration_with_the_environment_filled_in(tmp_path):
    result = run_compose_config(tmp_path, COMPOSE_ENV)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert set(rendered["services"]) == SERVICES
    web_env = rendered["services"]["web"]["environment"]
    assert web_env["DJANGO_SECRET_KEY"] == COMPOSE_ENV["DJANGO_SECRET_KEY"]
    assert web_env["DATABASE_URL"] == "postgres://sigap:composeconfigtest@postgres:5432/sigap"
    assert web_env["REDIS_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize("missing", sorted(COMPOSE_ENV))
def test_it_refuses_to_start_without_a_required_value(tmp_path, missing):
    env = {k: v for k, v in COMPOSE_ENV.items() if k != missing}
    result = run_compose_config(tmp_path, env, "--quiet")
    assert result.returncode != 0
    assert missing in result.stderr


# --- the compose file, read as YAML ------------------------------------------------


def test_it_defines_postgres_redis_web_worker_and_beat(compose):
    assert set(compose["services"]) == SERVICES


def test_it_runs_web_worker_and_beat_from_one_image(compose):
    services = compose["services"]
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = {yaml.safe_dump(services[name].get("build")) for name in APP_SERVICES}
    assert len(images) == 1 and None not in images
    assert len(builds) == 1 and services["web"].get("build") is not None


def test_it_gives_web_worker_and_beat_the_same_broker_and_database(compose):
    environments = [compose["services"][name]["environment"] for name in APP_SERVICES]
    for environment in environments:
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["DATABASE_URL"].endswith("@postgres:5432/sigap")
        assert "DJANGO_DEBUG" not in environment
    assert all(env["DJANGO_SECRET_KEY"] == environments[0]["DJANGO_SECRET_KEY"] for env in environments)


def test_it_marks_the_secret_key_hosts_and_database_password_as_required(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert environment["DJANGO_ALLOWED_HOSTS"].startswith("${DJANGO_ALLOWED_HOSTS:?")
    assert environment["SIGAP_BASE_URL"].startswith("${SIGAP_BASE_URL:?")
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )


def test_it_migrates_and_collects_static_before_starting_gunicorn_in_web(compose):
    command = command_line(compose["services"]["web"])
    assert "python manage.py migrate --noinput" in command
    assert "collectstatic --noinput" in command
    assert "exec gunicorn --config gunicorn.conf.py config.wsgi" in command
    assert command.index("migrate") < command.index("collectstatic") < command.index("gunicorn")


def test_it_runs_a_celery_worker_and_a_celery_beat(compose):
    worker = shlex.split(command_line(compose["services"]["worker"]))
    beat = shlex.split(command_line(compose["services"]["beat"]))
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    # beat keeps its schedule on a volume the app user may write to.
    schedule = beat[beat.index("--schedule") + 1]
    mounts = [volume.split(":")[1] for volume in compose["services"]["beat"]["volumes"]]
    assert any(schedule.startswith(mount + "/") for mount in mounts)


def test_it_publishes_web_on_port_8000_of_the_host_loopback(compose):
    ports = [str(port) for port in compose["services"]["web"]["ports"]]
    assert any(port.endswith(":8000") for port in ports)
    # On the host's loopback unless the operator says otherwise: the TLS proxy is the way in.
    assert ports == ["${SIGAP_HTTP_BIND:-127.0.0.1}:${SIGAP_HTTP_PORT:-8000}:8000"]
    assert "ports" not in compose["services"]["postgres"]
    assert "ports" not in compose["services"]["redis"]


def test_it_health_checks_postgres_redis_and_web(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert "docker/healthcheck.py" in services["web"]["healthcheck"]["test"]
    assert "/healthz" in (ROOT / "docker" / "healthcheck.py").read_text()
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"


def test_it_keeps_data_and_private_media_on_named_volumes(compose):
    assert compose["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    media_root = compose["services"]["web"]["environment"]["SIGAP_PRIVATE_MEDIA_ROOT"]
    for name in ("web", "worker"):
        assert f"private-media:{media_root}" in compose["services"][name]["volumes"]
    assert {"postgres-data", "private-media", "beat-schedule"} <= set(compose["volumes"])


# --- the image and its web server -------------------------------------------------


def dockerfile_cmd() -> list[str]:
    cmd = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1
    return json.loads(cmd[0].removeprefix("CMD "))


def gunicorn_config(**env: str) -> dict:
    """gunicorn's own reading of gunicorn.conf.py under this environment (`--print-config`)."""
    inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), *dockerfile_cmd()[1:-1], "--print-config", "x:y"],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # it prints the settings, then fails to load the (dummy) app
    )
    settings = {}
    for line in result.stdout.splitlines():
        name, _, value = line.partition("=")
        settings[name.strip()] = value.strip()
    assert "workers" in settings, result.stderr
    return settings


def test_the_image_serves_as_compose_s_web_service():
    # The Dockerfile's default command is compose's web command without migrate and
    # collectstatic, so `docker run` gets the same workers and timeout as compose.
    assert dockerfile_cmd() == ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi"]


def test_the_web_server_defaults_to_three_workers_a_60_second_timeout_on_port_8000():
    config = gunicorn_config()
    assert config["workers"] == "3"
    assert config["timeout"] == "60"
    assert config["bind"] == "['0.0.0.0:8000']"
    assert config["accesslog"] == "-"


def test_the_web_server_takes_workers_timeout_and_address_from_the_environment():
    config = gunicorn_config(WEB_CONCURRENCY="5", GUNICORN_TIMEOUT="90", GUNICORN_BIND="127.0.0.1:8123")
    assert (config["workers"], config["timeout"], config["bind"]) == ("5", "90", "['127.0.0.1:8123']")
    assert gunicorn_config(PORT="9000")["bind"] == "['0.0.0.0:9000']"


def test_compose_passes_the_web_server_settings_with_the_same_defaults(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-3}"
    assert environment["GUNICORN_TIMEOUT"] == "${GUNICORN_TIMEOUT:-60}"


def test_it_builds_from_python_slim_with_the_locked_dependencies_as_a_non_root_user():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines() if line.strip()]
    instructions = [line for line in lines if not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert "RUN pip install -r requirements.lock" in instructions
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any("collectstatic --noinput" in line for line in instructions)
    # Secrets and local state stay out of the build context.
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "db.sqlite3"} <= set(ignored)


# --- Django's deployment checks and migrations -------------------------------------


def production_env(**overrides: str) -> dict:
    """The environment compose gives the app, not the one pytest runs in.

    Only what a process needs to start is inherited: settings.py relaxes the
    HTTPS settings while pytest runs (PYTEST_VERSION), and other test modules set
    variables (e.g. DJANGO_ALLOW_ASYNC_UNSAFE) that production must not have.
    DJANGO_DEBUG stays unset, as in docker-compose.yml.
    """
    inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in inherited if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="sigap.example.go.id",
        SIGAP_BASE_URL="https://sigap.example.go.id",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deployment_checks_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_it_fails_the_deployment_checks_with_the_development_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_it_fails_the_deployment_checks_without_https_redirect():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_SECURE_SSL_REDIRECT="0")
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_it_has_a_migration_for_every_model_change():
    result = manage("makemigrations", "--check", "--dry-run", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_migrate_or_serve_without_the_base_url():
    env = production_env()
    del env["SIGAP_BASE_URL"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "sigap.E001" in result.stdout + result.stderr
    served = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert served.returncode != 0
    assert "SIGAP_BASE_URL is not set" in served.stderr


def test_it_warns_when_the_base_url_is_plain_http_or_another_host():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SIGAP_BASE_URL="http://elsewhere.example"),
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "sigap.W001" in output
    assert "sigap.W002" in output


# --- every setting an operator may need is named -----------------------------------

SETTINGS_FILE = ROOT / "config" / "settings.py"
ENV_EXAMPLE = ROOT / "docker" / "sigap.env.example"
# Read by settings.py but deliberately not passed by compose, which sets up what they describe.
NOT_PASSED_BY_COMPOSE = {
    "DJANGO_DEBUG": "production runs with DEBUG off",
    "CELERY_BROKER_URL": "compose runs its own Redis (REDIS_URL)",
    "CELERY_RESULT_BACKEND": "compose runs its own Redis (REDIS_URL)",
    "DJANGO_STATIC_ROOT": "the image collects into /app/staticfiles",
}


def settings_read_from_the_environment() -> set[str]:
    names = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", SETTINGS_FILE.read_text()))
    assert {"DJANGO_SECRET_KEY", "SIGAP_BASE_URL", "DATABASE_CONNECT_TIMEOUT"} <= names
    return names


def web_server_settings() -> set[str]:
    return set(
        re.findall(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]+)", (ROOT / "gunicorn.conf.py").read_text())
    )


def test_every_setting_is_in_the_readme_and_the_env_example():
    readme = (ROOT / "README.md").read_text()
    example = ENV_EXAMPLE.read_text()
    names = settings_read_from_the_environment() | web_server_settings()
    assert sorted(n for n in names if f"`{n}`" not in readme) == [], "add them to the README's tables"
    assert sorted(n for n in names if n not in example) == [], "add them to docker/sigap.env.example"


def test_compose_passes_every_setting_to_the_app(compose):
    environment = compose["services"]["worker"]["environment"]
    missing = settings_read_from_the_environment() - set(environment) - set(NOT_PASSED_BY_COMPOSE)
    assert sorted(missing) == [], "pass them in docker-compose.yml's x-sigap-environment"


def test_compose_defaults_are_the_settings_own_defaults(compose):
    # An optional value compose passes as ${NAME:-default} must mean what leaving it out means.
    defaults = {}
    for name, value in compose["services"]["worker"]["environment"].items():
        match = re.fullmatch(r"\$\{" + name + r":-(.*)\}", str(value))
        if match:
            defaults[name] = match.group(1)
    assert {"SIGAP_ESCALATION_SWEEP_SECONDS", "DATABASE_CONNECT_TIMEOUT", "EMAIL_URL"} <= set(defaults)
    dump = (
        "import json; from django.conf import settings; "
        "print(json.dumps({k: repr(getattr(settings, k)) for k in dir(settings) if k.isupper()}))"
    )
    base = production_env(DATABASE_URL="postgres://sigap:x@postgres:5432/sigap")

    def settings_under(env):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + dump],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(result.stdout)

    without, with_defaults = settings_under(base), settings_under({**base, **defaults})
    differences = {
        k: (without[k], with_defaults.get(k)) for k in without if without[k] != with_defaults.get(k)
    }
    assert differences == {}
