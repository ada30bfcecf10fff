"""Tools for the fault tests: a Redis server of the test's own, a socket that accepts and never
answers, a tiny SMTP server that can be down, slow or up, and real Celery worker processes.

Nothing here touches the shared Redis on 6379: every server listens on a free port of its own
and is stopped by the test that started it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")


def required(message: str) -> None:
    """Skip a fault test whose tools are missing, unless CI requires them (REQUIRE_CELERY=1)."""
    if os.environ.get("REQUIRE_CELERY") == "1":
        pytest.fail(f"{message} (REQUIRE_CELERY=1)")
    pytest.skip(f"{message}; REQUIRE_CELERY=1 makes this a failure")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.2, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)


class RedisServer:
    """``redis-server`` on a port of its own, without persistence; ``stop()`` kills it."""

    def __init__(self, port: int, workdir: Path):
        if shutil.which("redis-server") is None:
            required("redis-server is not installed")
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    return conn.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until(answers, timeout=10, what="redis-server answering")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class SilentServer:
    """A port that accepts connections and never answers: a hung Redis or database."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read, never answered

    def stop(self) -> None:
        self._stopped = True
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class SmtpSink:
    """A small SMTP server in a thread. ``greeting_delay`` holds every new connection that long
    before the greeting (a slow server); a message counts as accepted when the server has
    answered 250 to its DATA, as a real server does."""

    port: int = 0
    greeting_delay: float = 0
    accepted: list[Mail] = field(default_factory=list)
    connections: int = 0

    def start(self) -> SmtpSink:
        sink = self
        stopping = threading.Event()
        self._stopping = stopping

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink.connections += 1
                if sink.greeting_delay and stopping.wait(sink.greeting_delay):
                    return
                write = self.wfile.write
                try:
                    write(b"220 sink ESMTP\r\n")
                    sender, recipients = "", []
                    while True:
                        line = self.rfile.readline()
                        if not line:
                            return
                        verb = line[:4].upper()
                        if verb in (b"EHLO", b"HELO"):
                            write(b"250 sink\r\n")
                        elif verb == b"MAIL":
                            sender, recipients = line.decode().split(":", 1)[1].strip(), []
                            write(b"250 OK\r\n")
                        elif verb == b"RCPT":
                            recipients.append(line.decode().split(":", 1)[1].strip())
                            write(b"250 OK\r\n")
                        elif verb == b"DATA":
                            write(b"354 go on\r\n")
                            body = []
                            while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                                body.append(chunk.decode(errors="replace"))
                            write(b"250 queued\r\n")
                            self.wfile.flush()
                            sink.accepted.append(Mail(sender, recipients, "".join(body)))
                        elif verb == b"QUIT":
                            write(b"221 bye\r\n")
                            return
                        else:
                            write(b"250 OK\r\n")
                except OSError:
                    return

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()


class Worker:
    """A real ``celery worker`` process (solo pool: the process that runs the task) consuming one
    queue of the given broker, on the test's database and with the given mail server."""

    def __init__(self, *, broker: str, database_url: str, queue: str, log: Path, email_url: str = ""):
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url,
            REDIS_URL=broker,
            SIGAP_BASE_URL="https://sigap.example.go.id",
            EMAIL_URL=email_url or "consolemail://",
            EMAIL_TIMEOUT="60",
            PYTHONUNBUFFERED="1",
        )
        self.log_path = log
        self.log = log.open("wb")
        self.queue = queue
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: "ready." in self.output() or self.process.poll() is not None, timeout=60)
        assert self.process.poll() is None, f"the worker did not start:\n{self.output()}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9: no warm shutdown, no ack, nothing written after."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
