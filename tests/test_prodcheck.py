"""The production check's own parts (scripts/prodcheck): what they must get right for `make prodcheck`
to prove anything. The check itself runs in CI as `make prodcheck`."""

import socket
import threading
import time

import pytest
from django.urls import reverse

from scripts.prodcheck import crawl, stack


def test_totp_matches_rfc_6238():
    key = b"12345678901234567890".hex()
    assert crawl.totp(key, digits=8, at=59) == "94287082"
    assert crawl.totp(key, digits=8, at=1111111109) == "07081804"
    assert crawl.totp(key, at=59) == "287082"


def test_compose_interpolation_fills_defaults_and_refuses_missing_required_values():
    values = {"SET": "yes", "EMPTY": ""}
    assert stack.interpolate("${SET:-no} ${UNSET:-no} ${EMPTY:-no} ${EMPTY-kept}", values) == "yes no no "
    with pytest.raises(KeyError, match="UNSET"):
        stack.interpolate("${UNSET:?set it}", values)


def test_it_runs_compose_s_own_web_command_with_compose_s_environment():
    values = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "h.example",
        "SIGAP_BASE_URL": "https://h.example",
        "POSTGRES_PASSWORD": "p",
    }
    command, environment = stack.compose_service("web", values)
    assert command[:2] == ["sh", "-c"]
    assert "migrate --noinput" in command[2] and "exec gunicorn --config gunicorn.conf.py" in command[2]
    assert environment["SIGAP_BASE_URL"] == "https://h.example"
    assert environment["DJANGO_SECURE_SSL_REDIRECT"] == "1"
    worker, _ = stack.compose_service("worker", values)
    assert worker[:4] == ["celery", "-A", "config", "worker"]


def test_pages_that_differ_only_in_ids_are_one_kind_of_page():
    assert crawl.shape("/kasus/SGP-2026-00012/") == crawl.shape("/kasus/SGP-2026-00030/")
    assert crawl.shape("/kader/1/ubah/") == crawl.shape("/kader/22/ubah/")
    assert crawl.shape("/kasus/?page=2") == crawl.shape("/kasus/?page=3") != crawl.shape("/kasus/")


def test_only_links_on_the_site_are_followed():
    client = crawl.Client(port=1, host="sigap.example")
    assert client.local("/kasus/", "/") == "/kasus/"
    assert client.local("ubah/", "/kader/1/") == "/kader/1/ubah/"
    assert client.local("https://sigap.example/a?b=1#c", "/") == "/a?b=1"
    assert client.local("https://elsewhere.example/", "/") is None
    assert client.local("mailto:x@sigap.example", "/") is None


def test_it_logs_in_through_the_real_login_form(live_server, bob):
    bob.set_password("a-long-random-password")
    bob.save()
    port = int(live_server.url.rsplit(":", 1)[1])
    client = crawl.Client(port=port, host="localhost", secure=False)
    page = crawl.log_in(
        client, {"username": "bob", "password": "a-long-random-password"}, login_path="/akun/masuk/"
    )
    assert page.status == 200
    assert page.path == reverse("start:petugas")
    assert "sessionid" in client.cookies


def test_a_wrong_password_is_a_failed_login(live_server, bob):
    port = int(live_server.url.rsplit(":", 1)[1])
    client = crawl.Client(port=port, host="localhost", secure=False)
    with pytest.raises(crawl.LoginFailed):
        crawl.log_in(client, {"username": "bob", "password": "wrong"}, login_path=reverse("accounts:login"))


@pytest.fixture
def echo_server():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(
                target=lambda c=conn: [c.sendall(d) for d in iter(lambda: c.recv(1024), b"")]
            ).start()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def round_trip(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"ping")
        return sock.recv(16)


def test_the_faulty_link_forwards_fails_like_a_stopped_or_hung_server_and_recovers(echo_server):
    link = stack.FaultyLink("echo", echo_server)
    try:
        assert round_trip(link.port) == b"ping"
        link.down()
        with pytest.raises(OSError):  # reset at once
            round_trip(link.port)
        link.hang()
        started = time.monotonic()
        with pytest.raises(TimeoutError):  # accepted, never answered
            round_trip(link.port)
        assert time.monotonic() - started >= 1.5
        link.restore()
        assert round_trip(link.port) == b"ping"
    finally:
        link.close()


def forms_of(html: str) -> list:
    parser = crawl.PageParser()
    parser.feed(html)
    return parser.forms


def test_it_recognises_a_one_time_code_field_and_nothing_else():
    django_otp = '<form method="post"><input name="otp_token" autocomplete="one-time-code"></form>'
    wizard = (
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken">'
        '<input name="token-otp_token"></form>'
    )
    browser_hint = '<form method="post"><input name="kode" autocomplete="one-time-code"></form>'
    certificate = '<form method="get"><input name="code"></form>'
    login = '<form method="post"><input name="username"><input type="password" name="password"></form>'
    assert [crawl.one_time_code_field(f) for f in forms_of(django_otp + wizard + browser_hint)] == [
        "otp_token",
        "token-otp_token",
        "kode",
    ]
    assert [crawl.one_time_code_field(f) for f in forms_of(certificate + login)] == [None, None]
