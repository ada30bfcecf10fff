"""`make prodcheck`: SIGAP's production shape, built and tried natively, without Docker.

What the Dockerfile and docker-compose.yml do, on this machine: collectstatic as the image
build does (DEBUG off, no secrets), then compose's own web command (migrate, collectstatic,
gunicorn with gunicorn.conf.py, 2 workers) on a PostgreSQL database of its own, compose's
Celery worker and beat on a Redis server of its own, all with the environment compose gives
them. Then, as every role and as an anonymous visitor, through what a TLS proxy sends
(X-Forwarded-Proto: https, with DJANGO_SECURE_PROXY_SSL_HEADER=1):

* a crawl of every page reachable from the start page and the menu, and every URL pattern
  with sample ids from the data seed.py creates: no server error, the security headers on
  every response, no link the policy then refuses, static files hashed and cached;
* a task sent by the web process (a large export) executed by the real worker, beat sending
  the escalation sweep and the worker running it, emails linking to SIGAP_BASE_URL;
* /healthz: 200 while healthy, 503 with the static manifest gone, with the database down or
  hung, and with the broker hung, and 200 again once each is back.

It prints what it tried and stops every process it started, also on failure or Ctrl-C.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_ci .venv/bin/python -m scripts.prodcheck [--keep]

The database is DATABASE_URL's name + "_prodcheck" (PRODCHECK_DATABASE_URL to choose
another), created empty and dropped after; Redis is a server of its own on a free port.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from . import crawl as web
from . import stack

ROOT = stack.ROOT
HOST = "sigap.prodcheck.test"
BASE_URL = f"https://{HOST}"
VENV_BIN = Path(sys.executable).parent
# What the operator would put in .env (docker/sigap.env.example), for this check.
OPERATOR_VALUES = {
    "DJANGO_ALLOWED_HOSTS": HOST,
    "SIGAP_BASE_URL": BASE_URL,
    "POSTGRES_PASSWORD": "notused",  # compose's own database; the check's replaces it
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",  # behind the TLS proxy
    "WEB_CONCURRENCY": "2",
    "CELERY_WORKER_CONCURRENCY": "2",
    # Small enough that the seeded cases make a background export job.
    "SIGAP_EXPORT_SYNC_MAX_ROWS": "5",
    # Beat sends the sweep every few seconds, so the check sees it scheduled within its run.
    "SIGAP_ESCALATION_SWEEP_SECONDS": "4",
}
# Error lines in Django's log format (settings.LOGGING), gunicorn's and Celery's. (A 403 or 404 is
# logged as a warning, with its traceback: expected answers, not errors.)
LOG_ERRORS = re.compile(
    r"^\S+ \S+ (?:ERROR|CRITICAL) "  # Django (settings.LOGGING)
    r"|\] \[(?:ERROR|CRITICAL)\] |WORKER TIMEOUT"  # gunicorn
    r"|: (?:ERROR|CRITICAL)/|raised unexpected"  # Celery
)
# The check's own request with a forged Host header is logged as an error, as it should be.
EXPECTED_ERRORS = ("attacker.example",)


class Failed(Exception):
    pass


class Report:
    def __init__(self):
        self.failures: list[str] = []
        self.started = time.monotonic()

    def line(self, label: str, text: str) -> None:
        print(f"  {label:<9} {text}", flush=True)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"  FAIL      {message}", flush=True)

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return condition


def image_environment() -> dict[str, str]:
    """The Dockerfile's ENV instructions: the environment every process of the image starts with."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


class Stack:
    """Everything started for the check, and where it lives."""

    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        self.database_url = database_url
        self.processes = stack.Processes(folder)
        self.links: list[stack.FaultyLink] = []
        self.paths = {path: folder / Path(path).name for path in stack.CONTAINER_PATHS}
        for native in self.paths.values():
            native.mkdir()
        self.static_root = folder / "staticfiles"
        self.web_port = stack.free_port()
        self.secret_key = secrets.token_urlsafe(50)

    def base_env(self) -> dict[str, str]:
        env = {name: os.environ[name] for name in ("HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        env.update(image_environment())
        env["DJANGO_STATIC_ROOT"] = str(self.static_root)  # the image's /app/staticfiles
        return {k: stack.relocate(v, self.paths) for k, v in env.items()}

    def service(self, name: str, **native: str) -> tuple[list[str], dict[str, str]]:
        values = {**OPERATOR_VALUES, "DJANGO_SECRET_KEY": self.secret_key}
        command, environment = stack.compose_service(name, values)
        env = {**self.base_env(), **environment, **native}
        return [stack.relocate(part, self.paths) for part in command], {
            k: stack.relocate(v, self.paths) for k, v in env.items()
        }

    def stop(self) -> None:
        self.processes.stop_all()
        for link in self.links:
            link.close()


def healthz(client: web.Client) -> tuple[int, dict]:
    response = client.request("GET", "/healthz")
    try:
        return response.status, json.loads(response.body)
    except ValueError:
        return response.status, {}


def compose_healthcheck(port: int) -> int:
    """docker/healthcheck.py, the web container's own health check, against this gunicorn."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "docker" / "healthcheck.py")],
        env={"PORT": str(port), "DJANGO_ALLOWED_HOSTS": HOST, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        timeout=30,
        check=False,
    )
    return result.returncode


def run(report: Report, folder: Path, database_url: str, keep: bool) -> None:
    s = Stack(folder, database_url)
    try:
        check(report, s)
    finally:
        s.stop()
        if not keep:
            try:
                stack.drop_database(database_url)
            except Exception as exc:  # noqa: BLE001 - reported; the check's own failure matters more
                report.fail(f"could not drop the check's database: {type(exc).__name__}: {exc}")


def check(report: Report, s: Stack) -> None:
    # --- services ---------------------------------------------------------------------
    stack.create_database(s.database_url)
    db = urlsplit(s.database_url)
    report.line("database", f"{db.path.lstrip('/')} on {db.hostname}:{db.port or 5432} (new, empty)")
    _redis, redis_port = stack.start_redis(s.processes)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    report.line("redis", f"a server of its own on 127.0.0.1:{redis_port}")
    # The web process reaches both through links the check can break, as a network would.
    db_link = stack.FaultyLink("postgres", db.port or 5432)
    redis_link = stack.FaultyLink("redis", redis_port)
    s.links += [db_link, redis_link]
    web_database = stack.with_port(s.database_url, "127.0.0.1", db_link.port)
    web_redis = stack.with_port(redis_url, "127.0.0.1", redis_link.port)

    # --- the image build: collectstatic with DEBUG off and no secrets -------------------
    started = time.monotonic()
    build = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=s.base_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if build.returncode != 0:
        raise Failed(
            f"collectstatic as the image build runs it failed:\n{build.stdout[-2000:]}{build.stderr[-4000:]}"
        )
    manifest = s.static_root / "staticfiles.json"
    files = len(json.loads(manifest.read_text())["paths"])
    report.line(
        "build",
        f"collectstatic as the Dockerfile runs it: {files} files in {time.monotonic() - started:.1f} s",
    )

    # --- web: compose's command --------------------------------------------------------
    command, env = s.service(
        "web",
        DATABASE_URL=web_database,
        REDIS_URL=web_redis,
        GUNICORN_BIND=f"127.0.0.1:{s.web_port}",
        # In compose the proxy is another host, whose X-Forwarded-Proto gunicorn does not
        # trust; the same here, so it is Django's DJANGO_SECURE_PROXY_SSL_HEADER that counts.
        FORWARDED_ALLOW_IPS="192.0.2.1",
    )
    started = time.monotonic()
    web_process = s.processes.start("web", command, env)
    plain = web.Client(s.web_port, HOST, secure=False)

    def web_up() -> bool:
        if not web_process.alive():
            raise Failed(
                f"the web command exited ({web_process.popen.returncode}):\n{web_process.output()[-4000:]}"
            )
        try:
            return healthz(plain)[0] == 200
        except OSError:
            return False

    stack.wait_for(web_up, timeout=240, interval=0.5, what="web (migrate, collectstatic, gunicorn)")
    workers = len(re.findall(r"Booting worker with pid", web_process.output()))
    report.line(
        "web",
        f"`{command[-1]}` on 127.0.0.1:{s.web_port}: healthy after {time.monotonic() - started:.1f} s, "
        f"{workers} gunicorn workers",
    )
    report.expect(workers == int(OPERATOR_VALUES["WEB_CONCURRENCY"]), f"gunicorn booted {workers} workers")

    # --- worker and beat: compose's commands, straight to the database and Redis --------
    for name in ("worker", "beat"):
        command, env = s.service(name, DATABASE_URL=s.database_url, REDIS_URL=redis_url)
        s.processes.start(name, command, env)
    report.line("celery", "worker and beat started with compose's commands")

    # --- users and data ----------------------------------------------------------------
    started = time.monotonic()
    _cmd, env = s.service("worker", DATABASE_URL=s.database_url, REDIS_URL=redis_url)
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "scripts.prodcheck.seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if seeded.returncode != 0:
        raise Failed(f"seed failed:\n{seeded.stderr[-4000:]}")
    seed = json.loads(seeded.stdout)
    accounts = seed["accounts"]
    report.line(
        "seed",
        f"{len(accounts)} accounts ({', '.join(accounts)}), random passwords"
        f"{', TOTP devices' if any('totp' in a for a in accounts.values()) else ''}; demo-like data; "
        f"{len(seed['urls'])} URL patterns with samples, in {time.monotonic() - started:.1f} s",
    )

    # --- HTTPS as the proxy presents it ------------------------------------------------
    https_checks(report, s, seed)

    # --- logins, then a task from the web process to the worker -------------------------
    clients = {"anonymous": web.Client(s.web_port, HOST)}
    for username, account in accounts.items():
        client = web.Client(s.web_port, HOST)
        try:
            web.log_in(client, account, login_path=seed["login"])
        except web.LoginFailed as exc:
            raise Failed(f"log in as {username}: {exc}") from exc
        clients[username] = client
    cookie_checks(report, clients["petugas"], seed)
    report.line(
        "login", f"{len(accounts)} accounts logged in through the login form (CSRF, Origin, Secure cookies)"
    )
    export_path = export_through_the_worker(report, clients["petugas"], s)
    patterns = dict(seed["urls"])
    if export_path:
        patterns["reports:export_download"] = export_path
    unsampled = [name for name in seed["unsampled"] if name not in patterns]
    report.expect(not unsampled, f"URL patterns without a sample in scripts/prodcheck/seed.py: {unsampled}")

    # --- the crawl ---------------------------------------------------------------------
    crawls = crawl_everyone(report, clients, patterns, seed, s.folder)
    assets = set().union(*(c.assets for c in crawls))
    for failure in web.check_assets(web.Client(s.web_port, HOST), assets):
        report.fail(failure)
    report.line(
        "static", f"{len(assets)} static files the pages name: served, hashed names, cached as immutable"
    )

    # --- logging out ---------------------------------------------------------------------
    logout(report, clients["kader"], seed)

    # --- beat and emails -----------------------------------------------------------------
    celery_checks(report, s)
    web_log_before_faults = s.processes.get("web").output()

    # --- /healthz under faults -----------------------------------------------------------
    health_checks(report, s, db_link, redis_link, plain)

    # --- the logs ------------------------------------------------------------------------
    logs = {"web": web_log_before_faults}
    logs.update({name: s.processes.get(name).output() for name in ("worker", "beat")})
    for name, text in logs.items():
        bad = [
            line
            for line in text.splitlines()
            if LOG_ERRORS.search(line) and not any(expected in line for expected in EXPECTED_ERRORS)
        ]
        report.expect(not bad, f"{name} log has errors: " + " | ".join(bad[:5]))
    report.line("logs", "no errors in the web (before the faults), worker and beat logs")
    requests = sum(c.requests for c in clients.values()) + plain.requests
    report.line("requests", f"{requests} requests in all")


def https_checks(report: Report, s: Stack, seed: dict) -> None:
    plain = web.Client(s.web_port, HOST, secure=False)
    response = plain.get("/")
    report.expect(
        response.status == 301 and response.location == f"{BASE_URL}/",
        f"plain HTTP / answered {response.status} {response.location}, not a redirect to HTTPS",
    )
    report.expect(
        plain.get("/healthz").status == 200, "/healthz over plain HTTP is not exempt from the redirect"
    )
    stranger = web.Client(s.web_port, "attacker.example")
    response = stranger.get("/")
    report.expect(response.status == 400, f"an unknown Host header answered {response.status}, not 400")
    secure = web.Client(s.web_port, HOST)
    missing = secure.get("/tidak-ada/")
    report.expect(missing.status == 404, f"an unknown page answered {missing.status}")
    report.expect(
        b"Traceback" not in missing.body and b"DEBUG" not in missing.body, "the 404 page shows debug details"
    )
    hsts = secure.get(seed["login"]).header("Strict-Transport-Security")
    report.expect(hsts == seed["headers"]["Strict-Transport-Security"], f"HSTS over HTTPS is {hsts!r}")
    report.line(
        "https", "plain HTTP redirected (not /healthz); unknown host 400; 404 page without debug; HSTS"
    )


def cookie_checks(report: Report, client: web.Client, seed: dict) -> None:
    names = seed["cookies"]
    for line in client.set_cookies:
        name = line.split("=", 1)[0]
        flags = {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}
        if name in (names["session"], names["csrf"]):
            report.expect("secure" in flags, f"cookie {name} is not Secure")
        if name == names["session"]:
            report.expect("httponly" in flags, "the session cookie is not HttpOnly")
            report.expect("samesite" in flags, "the session cookie has no SameSite")
    report.expect(names["session"] in client.cookies, "no session cookie after logging in")


def export_through_the_worker(report: Report, client: web.Client, s: Stack) -> str | None:
    """A case export larger than SIGAP_EXPORT_SYNC_MAX_ROWS: the web process writes its outbox job,
    the worker drains and builds the file, the web process serves it."""
    page = client.get("/laporan/ekspor/")
    form = next((f for f in web.parse(page).forms if f.method == "post"), None)
    if not report.expect(page.status == 200 and form is not None, f"the export page answered {page.status}"):
        return None
    started = time.monotonic()
    posted = client.post(
        "/laporan/ekspor/", {**form.fields, "kind": "cases", "format": "csv"}, referer=page.path
    )
    if not report.expect(posted.status == 302, f"the export request answered {posted.status}, not a job"):
        return None
    link = re.compile(r'href="(/laporan/ekspor/(\d+)/unduh/)"')
    found = None

    def ready() -> bool:
        nonlocal found
        found = link.search(client.get("/laporan/ekspor/").text)
        return found is not None

    try:
        stack.wait_for(ready, timeout=90, interval=0.5, what="the export job")
    except TimeoutError:
        report.fail("the export job was not done by the worker within 90 s")
        return None
    download = client.get(found.group(1))
    worker_log = s.processes.get("worker").output()
    # The web process put the job in the outbox; the worker's drain ran it.
    ran = re.search(r"Outbox job \d+ \(reports\.tasks\.build_export_task\) done", worker_log)
    report.expect(
        download.status == 200 and b"," in download.body, f"the export download answered {download.status}"
    )
    report.expect(ran is not None, "the worker's log does not show the export's outbox job done")
    report.line(
        "task",
        f"export sent by web, built by the worker, served by web in {time.monotonic() - started:.1f} s "
        f"({len(download.body)} bytes of CSV)",
    )
    return found.group(1)


def crawl_everyone(
    report: Report, clients: dict, patterns: dict, seed: dict, folder: Path
) -> list[web.Crawl]:
    def one(identity: str) -> web.Crawl:
        result = web.Crawl(identity)
        start = ["/", "/django-admin/"] if identity == "admin" else ["/"]
        skip = list(seed["skip"]) + ([] if identity == "admin" else ["/django-admin/"])
        web.walk(
            clients[identity],
            result,
            start=start,
            patterns=patterns,
            skip=skip,
            expected_headers=seed["headers"],
            login_path=seed["login"],
            no_store=identity != "anonymous",
        )
        return result

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:  # as many as gunicorn has workers
        crawls = list(pool.map(one, clients))
    columns = ("pages", "linked", "200", "3xx", "403", "404", "405", "other")
    report.line("crawl", f"{'identity':<14}" + "".join(f"{c:>7}" for c in columns))
    for result in crawls:
        st = result.statuses
        redirects = sum(v for k, v in st.items() if 300 <= k < 400)
        other = result.pages - st[200] - redirects - st[403] - st[404] - st[405]
        row = (result.pages, result.linked, st[200], redirects, st[403], st[404], st[405], other)
        report.line("", f"{result.identity:<14}" + "".join(f"{n:>7}" for n in row))
        for failure in result.failures:
            report.fail(failure)
    visits = [vars(v) for c in crawls for v in c.visits]
    (folder / "crawl.json").write_text(json.dumps(visits, indent=1))
    html_pages = sum(c.html_pages for c in crawls)
    for header in web.POLICY_HEADERS:
        carrying = sum(c.policy_headers[header] for c in crawls)
        report.expect(
            carrying in (0, html_pages), f"{header} on {carrying} of {html_pages} pages, not on all"
        )
    pages = sum(c.pages for c in crawls)
    errors = sum(v for c in crawls for k, v in c.statuses.items() if k >= 500)
    report.line("", f"{pages} pages in {time.monotonic() - started:.1f} s; {errors} server errors")
    return crawls


def logout(report: Report, client: web.Client, seed: dict) -> None:
    page = client.follow("/")
    form = next(
        (f for f in web.parse(page).forms if client.local(f.action or "", page.path) == seed["logout"]), None
    )
    if not report.expect(form is not None, "no logout form on the start page"):
        return
    response = client.post(seed["logout"], form.fields, referer=page.path)
    after = client.get("/")
    report.expect(response.status == 302, f"logging out answered {response.status}")
    report.expect(
        after.status == 302 and (client.local(after.location or "") or "").startswith(seed["login"]),
        "after logging out, / does not send to the login page",
    )
    report.line("logout", "the logout form ends the session")


def celery_checks(report: Report, s: Stack) -> None:
    worker, beat = s.processes.get("worker"), s.processes.get("beat")

    def swept() -> bool:
        return bool(
            re.search(r"cases\.tasks\.escalation_sweep_task\[[0-9a-f-]+\] succeeded", worker.output())
        )

    try:
        stack.wait_for(swept, timeout=60, interval=0.5, what="the escalation sweep")
    except TimeoutError:
        report.fail("the worker did not run a sweep that beat sent within 60 s")
    sent = len(
        re.findall(
            r"Sending due task escalation-sweep \(cases\.tasks\.escalation_sweep_task\)", beat.output()
        )
    )
    report.expect(sent > 0, "beat's log shows no escalation-sweep sent")
    ran = len(re.findall(r"cases\.tasks\.escalation_sweep_task\[[0-9a-f-]+\] succeeded", worker.output()))
    every = OPERATOR_VALUES["SIGAP_ESCALATION_SWEEP_SECONDS"]
    report.line(
        "beat", f"beat sent escalation-sweep {sent} times (every {every} s); the worker ran it {ran} times"
    )
    text = worker.output()
    emails = len(re.findall(r"^Subject: ", text, re.MULTILINE))
    wrong = re.findall(r"https?://(?:127\.0\.0\.1|localhost)[:/][^\s\"'<]*", text)
    report.expect(not wrong, f"emails link to {wrong[:3]}, not SIGAP_BASE_URL")
    links = len(re.findall(re.escape(BASE_URL) + r"/", text))
    report.line("emails", f"{emails} emails from the worker; {links} links, all under {BASE_URL}")


def health_checks(report: Report, s: Stack, db_link, redis_link, plain: web.Client) -> None:
    results = []

    def expect_health(label: str, status: int, part: str | None, state: str, within: float) -> None:
        started = time.monotonic()
        got, body = healthz(plain)
        took = time.monotonic() - started
        hook = compose_healthcheck(s.web_port)
        ok = got == status and (part is None or body.get(part) == state) and took < within
        report.expect(
            ok, f"/healthz {label}: HTTP {got} {body} in {took:.1f} s (expected {status}, {part}={state})"
        )
        report.expect((hook == 0) == (status == 200), f"docker/healthcheck.py {label}: exit {hook}")
        results.append(f"{label} {got} ({took:.1f} s)")

    expect_health("healthy", 200, "static", "ok", 5)
    manifest = s.static_root / "staticfiles.json"
    aside = manifest.with_suffix(".aside")
    manifest.rename(aside)
    try:
        expect_health("manifest removed", 503, "static", "error", 5)
    finally:
        aside.rename(manifest)
    expect_health("manifest back", 200, "static", "ok", 5)
    db_link.down()
    expect_health("database down", 503, "database", "error", 10)
    db_link.hang()
    expect_health("database hung", 503, "database", "error", 15)
    db_link.restore()
    expect_health("database back", 200, "database", "ok", 10)
    redis_link.hang()
    expect_health("broker hung", 503, "broker", "error", 10)
    redis_link.restore()
    expect_health("broker back", 200, "broker", "ok", 10)
    report.line("healthz", "; ".join(results))


def interrupted(signum, frame):
    """SIGTERM (CI's timeout, a kill) unwinds like Ctrl-C, so every process is stopped."""
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder with the logs")
    args = parser.parse_args()
    source = os.environ.get("PRODCHECK_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres://", "postgresql://")):
        print(
            "prodcheck: set DATABASE_URL (or PRODCHECK_DATABASE_URL) to a PostgreSQL server", file=sys.stderr
        )
        return 2
    database_url = source if os.environ.get("PRODCHECK_DATABASE_URL") else source.rstrip("/") + "_prodcheck"
    if (ROOT / ".env").exists():
        print("prodcheck: note: .env exists; settings.py fills in from it what the check does not set")

    signal.signal(signal.SIGTERM, interrupted)
    folder = Path(tempfile.mkdtemp(prefix="sigap-prodcheck-"))
    report = Report()
    print(
        "== prodcheck: the production shape natively (DEBUG off, PostgreSQL, Redis, gunicorn, "
        "Celery worker and beat, behind a TLS proxy)",
        flush=True,
    )
    try:
        run(report, folder, database_url, args.keep)
    except (Failed, TimeoutError, web.LoginFailed) as exc:
        report.fail(str(exc))
    except KeyboardInterrupt:
        report.fail("interrupted")
    except Exception:  # noqa: BLE001 - a failure of the check itself is still a failure, with its traceback
        report.fail(traceback.format_exc())
    finally:
        if report.failures:
            for log in sorted(folder.glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-40:]
                print(f"\n--- {log.name} (last {len(tail)} lines) ---\n" + "\n".join(tail))
        if args.keep:
            print(f"prodcheck: kept {folder} and the database {urlsplit(database_url).path.lstrip('/')}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.monotonic() - report.started
    if report.failures:
        print(f"== prodcheck: FAILED, {len(report.failures)} failures, in {elapsed:.0f} s")
        return 1
    print(f"== prodcheck: passed in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
