"""`make fieldcheck`: the kader's pages as a cheap Android phone on weak mobile data gets them.

Chromium (Playwright, /usr/bin/chromium or CHROMIUM_PATH) with Chrome DevTools Protocol network
throttling — 1.6 Mbps down, 750 kbps up, 300 ms round trip — and the CPU slowed 4x, against
two servers this script starts on a throw-away SQLite database with the demo data:

* ``production``: DEBUG off, `collectstatic` (hashed, pre-compressed files), gunicorn with
  WhiteNoise, as the Dockerfile runs it (plain HTTP on 127.0.0.1, so the HTTPS settings are off);
* ``make run``: DEBUG on, `manage.py runserver`.

For each kader page it prints and writes to JSON (default ``fieldcheck.json``):

* ``first``: bytes transferred on a first visit (empty cache, no service worker yet), counted
  by a byte-counting proxy between Chromium and the server, so every byte on the wire counts
  (headers included, the service worker's own fetches too);
* ``repeat``: the same page opened again (HTTP cache and service worker in place);
* ``background``: what the service worker fetched in the seconds after the first visit (the
  shell, and the other kader pages kept for offline use: once per device);
* ``requests`` the page made on the first and repeat visit, and ``usable_ms``: from the start of
  navigation to DOMContentLoaded (deferred scripts run), under the throttling.

Usage: ``python -m scripts.fieldcheck [--out fieldcheck.json] [--modes production,run]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
USER, PASSWORD = "kader", "sigap-demo"
DOWN_BPS, UP_BPS, RTT_MS, CPU = 1_600_000, 750_000, 300, 4
BUDGET_FIRST, BUDGET_REPEAT = 200 * 1024, 30 * 1024


# --- A proxy that counts the bytes ---------------------------------------------------------------


class CountingProxy:
    """TCP proxy 127.0.0.1:<port> -> the server, counting bytes each way."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.down = 0
        self.up = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def snapshot(self) -> int:
        with self.lock:
            return self.down

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server, "up"), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, "down"), daemon=True).start()

    def _pipe(self, src, dst, way):
        try:
            while data := src.recv(65536):
                with self.lock:
                    setattr(self, way, getattr(self, way) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# --- The servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"fieldcheck: no server on port {port} after {timeout:.0f} s")


def base_env(folder: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGAP_", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'fieldcheck.sqlite3'}",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "SIGAP_PRIVATE_MEDIA_ROOT": str(folder / "media"),
        }
    )
    return env


def production_env(folder: Path, port: int) -> dict[str, str]:
    env = base_env(folder)
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "fieldcheck-" + os.urandom(16).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SIGAP_BASE_URL": f"http://127.0.0.1:{port}",
            # Plain HTTP on the loopback: the TLS proxy's settings have nothing to do here.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "SIGAP_REQUIRE_2FA": "0",
        }
    )
    return env


def prepare(folder: Path) -> None:
    env = base_env(folder) | {"DJANGO_DEBUG": "1"}
    for args in (["migrate", "--noinput"], ["demo_data"]):
        command = [PYTHON, "manage.py", *args]
        subprocess.run(command, cwd=BASE, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def start(mode: str, folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    if mode == "production":
        env = production_env(folder, port)
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "collectstatic", "--noinput"],
            cwd=BASE,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
        command = [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        command += ["--threads", "4", "--config", "/dev/null"]
    else:
        env = base_env(folder) | {"DJANGO_DEBUG": "1"}
        command = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(port)
    return process, port


# --- The browser --------------------------------------------------------------------------------


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("fieldcheck: no Chromium (install Debian's 'chromium' or set CHROMIUM_PATH)")


def throttle(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": DOWN_BPS / 8,
            "uploadThroughput": UP_BPS / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})


def usable_ms(page) -> int:
    return round(
        page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? n.domContentLoadedEventEnd - n.startTime : 0; }"
        )
    )


def visit(page, proxy: CountingProxy, url: str) -> dict:
    requests = []

    def count(request):
        requests.append(request.url)

    page.on("request", count)
    before = proxy.snapshot()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    result = {"bytes": proxy.snapshot() - before, "requests": len(requests), "usable_ms": usable_ms(page)}
    page.remove_listener("request", count)
    return result


def login_state(browser, origin: str) -> dict:
    context = browser.new_context(base_url=origin, service_workers="block")
    page = context.new_page()
    page.goto("/akun/masuk/")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/beranda/kader/")
    case_href = None
    page.goto("/kasus/saya/")
    link = page.locator("a[href^='/kasus/SGP-']").first
    if link.count():
        case_href = link.get_attribute("href")
    state = context.storage_state()
    context.close()
    return {"state": state, "case": case_href}


def pages(case_href: str | None) -> list[tuple[str, str]]:
    rows = [
        ("Beranda kader", "/beranda/kader/"),
        ("Lapor kasus", "/kasus/lapor/"),
        ("Kasus saya", "/kasus/saya/"),
    ]
    if case_href:
        rows.append(("Halaman kasus", case_href))
    rows += [("Kegiatan saya (penjangkauan)", "/kader/kegiatan/"), ("Pelatihan saya", "/pelatihan/saya/")]
    return rows


def measure(mode: str, port: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    proxy = CountingProxy(port)
    origin = f"http://localhost:{proxy.port}"
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        login = login_state(browser, origin)
        for label, url in pages(login["case"]):
            context = browser.new_context(
                base_url=origin,
                storage_state=login["state"],
                viewport={"width": 360, "height": 740},
                locale="id-ID",
            )
            page = context.new_page()
            throttle(page)
            first = visit(page, proxy, url)
            before = proxy.snapshot()
            # The worker installs, keeps the shell and fetches the other kader pages once.
            page.wait_for_function(
                "() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=30000
            )
            page.wait_for_timeout(6000)
            background = proxy.snapshot() - before
            repeat = visit(page, proxy, url)
            rows.append(
                {
                    "mode": mode,
                    "page": label,
                    "url": "/kasus/<nomor>/" if url == login["case"] else url,
                    "first_bytes": first["bytes"],
                    "repeat_bytes": repeat["bytes"],
                    "background_bytes": background,
                    "first_requests": first["requests"],
                    "repeat_requests": repeat["requests"],
                    "first_usable_ms": first["usable_ms"],
                    "repeat_usable_ms": repeat["usable_ms"],
                }
            )
            context.close()
        browser.close()
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def table(rows: list[dict]) -> str:
    lines = [
        "| mode | page | first load | repeat load | worker, once | requests first/repeat "
        "| usable first/repeat |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['mode']} | {r['page']} | {kb(r['first_bytes'])} | {kb(r['repeat_bytes'])} | "
            f"{kb(r['background_bytes'])} | {r['first_requests']}/{r['repeat_requests']} | "
            f"{r['first_usable_ms'] / 1000:.1f} s/{r['repeat_usable_ms'] / 1000:.1f} s |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="fieldcheck.json")
    parser.add_argument("--modes", default="production,run")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sigap-fieldcheck-"))
    results = []
    try:
        print("fieldcheck: preparing a demo database …", flush=True)
        prepare(folder)
        for mode in args.modes.split(","):
            process, port = start(mode, folder)
            try:
                print(f"fieldcheck: measuring ({mode}) …", flush=True)
                results += measure("make run" if mode == "run" else mode, port)
            finally:
                process.terminate()
                process.wait(timeout=20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    conditions = {
        "download_bps": DOWN_BPS,
        "upload_bps": UP_BPS,
        "rtt_ms": RTT_MS,
        "cpu_slowdown": CPU,
        "viewport": "360x740",
        "browser": "Chromium (Playwright)",
        "throttling": "CDP Network.emulateNetworkConditions, Emulation.setCPUThrottlingRate",
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    Path(args.out).write_text(json.dumps({"conditions": conditions, "pages": results}, indent=2) + "\n")
    print(table(results))
    over = [
        r["page"] + f" ({r['mode']})"
        for r in results
        if r["first_bytes"] > BUDGET_FIRST or r["repeat_bytes"] > BUDGET_REPEAT
    ]
    print(
        f"\nfieldcheck: written to {args.out}; budget 200 KB first, 30 KB repeat: "
        + ("over for " + ", ".join(over) if over else "all within")
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
