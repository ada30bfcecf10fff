"""The production shape's parts, started natively: services, processes, and faults on demand.

What runs is read from docker-compose.yml (the web, worker and beat commands and their
environment), so the check follows the file operators deploy with. Only the addresses
differ from the containers: the database, Redis, the private media and the beat schedule.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Container paths in compose's commands and environment, and where they live natively.
CONTAINER_PATHS = ("/var/lib/sigap/media", "/var/lib/sigap/beat")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


# --- docker-compose.yml -------------------------------------------------------------


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message}, with ``values`` as the environment."""

    def substitute(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3) or ""
        value = values.get(name)
        if operator == ":-":
            return value if value else argument
        if operator == "-":
            return value if value is not None else argument
        if operator in (":?", "?") and not value:
            raise KeyError(f"compose needs {name}: {argument}")
        return value or ""

    return INTERPOLATION.sub(substitute, text)


def compose_service(name: str, values: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """A service's command and environment from docker-compose.yml, interpolated with ``values``."""
    service = yaml.safe_load(COMPOSE_FILE.read_text())["services"][name]
    command = service["command"]
    if isinstance(command, str):
        command = ["sh", "-c", command]
    command = [interpolate(str(part), values) for part in command]
    environment = {
        key: interpolate(str(value), values) for key, value in service.get("environment", {}).items()
    }
    return command, environment


def relocate(text: str, paths: dict[str, Path]) -> str:
    for container_path, native in paths.items():
        text = text.replace(container_path, str(native))
    return text


# --- small helpers ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_port(url: str, host: str, port: int, path: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    auth = netloc[0] + "@" if len(netloc) == 2 else ""
    return urlunsplit(
        (parts.scheme, f"{auth}{host}:{port}", path if path is not None else parts.path, "", "")
    )


def wait_for(predicate, *, timeout: float, interval: float = 0.25, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


# --- processes ----------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to the whole process group (gunicorn's workers, Celery's pool), then SIGKILL."""
        if self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            # The leader is still there, so the group is still ours: SIGKILL takes its children too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


@dataclass
class Processes:
    """Every process the check starts, each in its own process group, all stopped by ``stop_all``."""

    folder: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - commands from docker-compose.yml and this package
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def get(self, name: str) -> Process:
        return next(p for p in self.started if p.name == name)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()


# --- a TCP forwarder that can fail like a server -------------------------------------


class FaultyLink:
    """Forwards 127.0.0.1:<port> to a service, until told to fail like it.

    * ``down()``: connections are cut and new ones reset at once, like a stopped server;
    * ``hang()``: connections are cut, new ones accepted and never answered, like a hung host
      (what connect timeouts are for);
    * ``restore()``: forwarding again.
    """

    def __init__(self, name: str, target_port: int):
        self.name = name
        self.target = ("127.0.0.1", target_port)
        self.mode = "forward"
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.closed = False
        threading.Thread(target=self._accept, name=f"link-{name}", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "down":
                self._reset(client)
            elif self.mode == "hang":
                with self.lock:
                    self.open.add(client)
            else:
                self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._reset(client)
            return
        upstream.settimeout(None)
        with self.lock:
            self.open.update((client, upstream))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
            sock.close()

    def _cut_all(self) -> None:
        with self.lock:
            sockets = list(self.open)
        for sock in sockets:
            self._close(sock)

    def down(self) -> None:
        self.mode = "down"
        self._cut_all()

    def hang(self) -> None:
        self.mode = "hang"
        self._cut_all()

    def restore(self) -> None:
        self.mode = "forward"
        self._cut_all()  # the held (hung) connections

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.close()
        self._cut_all()


# --- the services: a database of its own, a Redis of its own -------------------------


def database_admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=10,
    )
    connection.autocommit = True
    return connection


def create_database(url: str) -> None:
    """(Re)create the database ``url`` names, empty."""
    name = urlsplit(url).path.lstrip("/")
    connection = database_admin(url)
    with connection.cursor() as cursor:
        drop_database_with(cursor, name)
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    connection = database_admin(url)
    with connection.cursor() as cursor:
        drop_database_with(cursor, name)
    connection.close()


def drop_database_with(cursor, name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def start_redis(processes: Processes) -> tuple[Process, int]:
    """A Redis server of the check's own, on a free port, keeping nothing on disk.

    Celery's queues are keys of one Redis database: sharing one with another checkout's
    CI run would let each run's worker take the other's tasks. A server of its own
    cannot collide with anything.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    folder = processes.folder / "redis"
    folder.mkdir()
    process = processes.start(
        "redis",
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        {"PATH": os.environ.get("PATH", "")},
    )

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_for(answers, timeout=15, what="redis-server")
    return process, port
