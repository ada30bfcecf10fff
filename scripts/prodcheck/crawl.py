"""A browser's part in the production check: requests as through the TLS proxy, logins, a crawl.

Standard library only. Every request goes to gunicorn on 127.0.0.1 with the public host
name and, unless asked otherwise, `X-Forwarded-Proto: https`, as the proxy in front of
production sends it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import re
import struct
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

TIMEOUT = 60  # gunicorn's own request timeout
HASHED_ASSET = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
# Headers a page either always carries or never: once one page has one, every page must.
POLICY_HEADERS = ("Content-Security-Policy", "Permissions-Policy")


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    path: str
    elapsed: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def is_html(self) -> bool:
        return (self.header("Content-Type") or "").startswith("text/html")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        return self.header("Location")


@dataclass
class Client:
    """One visitor: a cookie jar, the public host, and the proxy's header."""

    port: int
    host: str
    secure: bool = True
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def origin(self) -> str:
        return f"{'https' if self.secure else 'http'}://{self.host}"

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        sent = {"Host": self.host, "User-Agent": "sigap-prodcheck", "Accept": "text/html,*/*"}
        if self.secure:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            data = raw.read()
        finally:
            connection.close()
        self.requests += 1
        for line in raw.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(line)
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, data, path, time.monotonic() - started)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str], *, referer: str) -> Response:
        """A form post as a browser sends it over HTTPS: CSRF token in the form, Origin and Referer."""
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            },
        )

    def local(self, url: str, base: str = "/") -> str | None:
        """The path (and query) of a link on this site, or None for anything else."""
        absolute = urljoin(self.origin + base, url.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.hostname != self.host:
            return None
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def follow(self, path: str, limit: int = 10) -> Response:
        response = self.get(path)
        for _ in range(limit):
            if response.status not in (301, 302, 303, 307, 308) or not response.location:
                return response
            target = self.local(response.location, path)
            if target is None:
                return response
            path = target
            response = self.get(path)
        return response


# --- HTML --------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    inputs: list[dict]


class PageParser(HTMLParser):
    """Links, static assets and forms of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or "") + "icon":
            self.assets.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "form":
            self._form = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower(), {}, [])
            self.forms.append(self._form)
        elif tag in ("input", "button", "select", "textarea") and self._form is not None:
            self._form.inputs.append(attrs)
            name = attrs.get("name")
            if name and tag == "input" and attrs.get("type") not in ("checkbox", "radio", "submit", "button"):
                self._form.fields[name] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(response: Response) -> PageParser:
    parser = PageParser()
    parser.feed(response.text)
    return parser


# --- logging in, with a second factor if production asks for one ------------------------


def totp(key_hex: str, *, step: int = 30, t0: int = 0, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238 (HMAC-SHA1), as django-otp's TOTPDevice computes it."""
    counter = int(((at if at is not None else time.time()) - t0) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


class LoginFailed(Exception):
    pass


def one_time_code_field(form: Form) -> str | None:
    """The field of a form that asks for a one-time code: django-otp names it otp_token
    (two-factor wizards prefix it), browsers know it by autocomplete="one-time-code"."""
    for attrs in form.inputs:
        name = attrs.get("name") or ""
        if attrs.get("type") == "hidden" or not name:
            continue
        if "otp" in name.lower() or attrs.get("autocomplete") == "one-time-code":
            return name
    return None


def one_time_code(account: dict) -> str:
    if "totp" not in account:
        raise LoginFailed(
            f"{account['username']}: a one-time code was asked for, but the account has no TOTP key"
        )
    key = account["totp"]
    return totp(key["key"], step=key["step"], t0=key["t0"], digits=key["digits"])


def log_in(client: Client, account: dict, *, login_path: str) -> Response:
    """Log in as a person does: the login form, then a one-time code if one is asked for.

    The code comes from the account's TOTP key (seed.py gives every account a confirmed
    TOTP device when django-otp is installed); it is filled in wherever a form asks for it,
    in the login form itself or on a step after it. Returns the first page after logging in.
    """
    page = client.get(login_path)
    form = next((f for f in parse(page).forms if f.method == "post"), None)
    if page.status != 200 or form is None:
        raise LoginFailed(f"GET {login_path}: HTTP {page.status}, no login form")
    fields = {**form.fields, "username": account["username"], "password": account["password"]}
    if code_field := one_time_code_field(form):
        fields[code_field] = one_time_code(account)
    response = client.post(client.local(form.action, login_path) or login_path, fields, referer=login_path)
    for _step in range(2):  # a code step may follow the password
        page = client.follow(client.local(response.location, login_path)) if response.location else response
        form = next((f for f in parse(page).forms if f.method == "post" and one_time_code_field(f)), None)
        if page.status != 200 or form is None:
            break
        fields = {**form.fields, one_time_code_field(form): one_time_code(account)}
        response = client.post(client.local(form.action, page.path) or page.path, fields, referer=page.path)
    if response.status not in (302, 303):
        raise LoginFailed(
            f"{account['username']}: HTTP {response.status} after the login form (password, CSRF?)"
        )
    return page


# --- the crawl ---------------------------------------------------------------------------


@dataclass
class Visit:
    identity: str
    path: str
    status: int
    source: str  # "link from <page>", "url pattern <name>", "start"


@dataclass
class Crawl:
    identity: str
    visits: list[Visit] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    pages: int = 0
    linked: int = 0  # reached by following links from the start page
    html_pages: int = 0
    policy_headers: Counter = field(default_factory=Counter)  # pages carrying each of POLICY_HEADERS

    def fail(self, message: str) -> None:
        self.failures.append(f"[{self.identity}] {message}")


def shape(path: str) -> str:
    """Addresses that differ only in ids or query values count as one kind of page."""
    bare, _, query = path.partition("?")
    kind = re.sub(r"[^/]*\d[^/]*", "<id>", bare)
    if query:
        kind += "?" + "&".join(sorted(part.split("=")[0] for part in query.split("&")))
    return kind


def check_headers(crawl: Crawl, response: Response, expected: dict[str, str | None]) -> None:
    """Each expected header present, with its value; a download may narrow the page policies
    (an attachment gets a sandbox), so those are compared on HTML pages only."""
    for name, value in expected.items():
        got = response.header(name)
        if value is None:
            continue
        if got is None:
            crawl.fail(f"{response.path}: no {name} header")
        elif value and got != value and (response.is_html or name not in POLICY_HEADERS):
            crawl.fail(f"{response.path}: {name} is {got!r}, expected {value!r}")


def walk(
    client: Client,
    crawl: Crawl,
    *,
    start: list[str],
    patterns: dict[str, str],
    skip: list[str],
    expected_headers: dict[str, str | None],
    login_path: str | None,
    no_store: bool = False,
    max_pages: int = 400,
    per_shape: int = 4,
) -> None:
    """Every page reachable by links from ``start`` (bounded per kind of page), then every URL
    pattern not reached that way.

    Failures: a server error anywhere; a security header missing (and, with ``no_store``, a
    response the browser may keep: whatever a signed-in user sees may be personal); a link on a page that
    answers 403, 404 or 405 (the menu offered what the policy refuses); a logged-in visitor
    sent back to the login page (the session did not hold)."""
    queue: deque[tuple[str, str]] = deque((path, "start") for path in start)
    later = deque((path, f"url pattern {name}") for name, path in patterns.items())
    seen: set[str] = set()
    shapes: Counter = Counter()
    by_links = True
    while (queue or later) and crawl.pages < max_pages:
        by_links = by_links and bool(queue)
        path, source = queue.popleft() if queue else later.popleft()
        if path in seen or any(path.startswith(prefix) for prefix in skip):
            continue
        if source.startswith("link") and shapes[shape(path)] >= per_shape:
            continue
        seen.add(path)
        shapes[shape(path)] += 1
        response = client.get(path)
        crawl.pages += 1
        crawl.linked += by_links
        crawl.statuses[response.status] += 1
        crawl.visits.append(Visit(crawl.identity, path, response.status, source))
        if response.status >= 500:
            crawl.fail(f"GET {path}: HTTP {response.status} ({source})")
            continue
        check_headers(crawl, response, expected_headers)
        if no_store and "no-store" not in (response.header("Cache-Control") or ""):
            crawl.fail(f"GET {path}: Cache-Control {response.header('Cache-Control')!r}, not no-store")
        if source.startswith("link") and response.status in (403, 404, 405):
            crawl.fail(f"GET {path}: HTTP {response.status}, yet {source} offers it")
        if response.status in (301, 302, 303, 307, 308) and response.location:
            target = client.local(response.location, path)
            if target is None:
                crawl.fail(f"GET {path}: redirected off the site to {response.location}")
                continue
            if login_path and target.startswith(login_path) and not path.startswith(login_path):
                if crawl.identity != "anonymous" and not source.startswith("url pattern"):
                    crawl.fail(f"GET {path}: sent back to the login page ({source})")
            queue.appendleft((target, f"redirect from {path}"))
            continue
        if response.status == 200 and response.is_html:
            crawl.html_pages += 1
            crawl.policy_headers.update(name for name in POLICY_HEADERS if response.header(name))
            page = parse(response)
            for href in page.links:
                target = client.local(href, path)
                if target and not target.startswith("/static/"):
                    queue.append((target, f"link from {path}"))
            for src in page.assets:
                target = client.local(src, path)
                if target:
                    crawl.assets.add(target)


def check_assets(client: Client, assets: set[str]) -> list[str]:
    """Each static file a page names is served by WhiteNoise under its hashed name, cached for good."""
    failures = []
    for path in sorted(assets):
        response = client.get(path)
        if response.status != 200:
            failures.append(f"static {path}: HTTP {response.status}")
        elif not HASHED_ASSET.search(path.split("?")[0]):
            failures.append(f"static {path}: not a hashed name (the manifest storage is not in use)")
        elif "immutable" not in (response.header("Cache-Control") or ""):
            failures.append(f"static {path}: Cache-Control {response.header('Cache-Control')!r}")
    return failures
