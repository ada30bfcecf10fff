"""HTTP hardening: the Content-Security-Policy and Permissions-Policy on every page, no-store on
everything a signed-in user gets, bounded JSON bodies, and templates without inline code.

The pages are read from the URLconf, so a new page is checked without being listed here."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.middleware import json_nesting_exceeds
from tests import factories as f

ROOT = Path(__file__).resolve().parents[1]


def static_routes(patterns=None, prefix="") -> list[str]:
    """Every route of the URLconf that takes no argument, as a path."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route or "\\" in route:
            continue  # needs an argument (or is a regex)
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            found += static_routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


# --- Templates ------------------------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on*= event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: address"),
]


def page_templates() -> list[Path]:
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    found = []
    for base in dirs:
        if ".venv" in base.parts:
            continue
        # Emails are not pages: a mail client ignores style sheets, so their styles are inline.
        found += [p for p in base.rglob("*.html") if "emails" not in p.relative_to(base).parts]
    return sorted(found)


def test_no_page_template_carries_inline_script_style_or_handlers():
    templates = page_templates()
    assert len(templates) > 50
    problems = []
    for path in templates:
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert problems == []


# --- Headers on every page ------------------------------------------------------------------------


def test_the_policy_forbids_inline_code_and_other_origins():
    policy = dict(part.split(" ", 1) for part in settings.SIGAP_CONTENT_SECURITY_POLICY.split("; "))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in settings.SIGAP_CONTENT_SECURITY_POLICY
    assert "camera=()" in settings.SIGAP_PERMISSIONS_POLICY
    assert "microphone=()" in settings.SIGAP_PERMISSIONS_POLICY
    assert "geolocation=()" in settings.SIGAP_PERMISSIONS_POLICY


@pytest.mark.parametrize("who", [None, "alice", "bob", "bella", "charlie", "dave"])
def test_every_page_carries_the_security_headers(client, everyone, who):
    if who:
        client.force_login(everyone[who])
    routes = static_routes()
    assert "/kasus/" in routes and "/akun/masuk/" in routes and "/django-admin/login/" in routes
    missing = []
    for route in routes:
        response = client.get(route)
        assert response.status_code < 500, route
        if response.get("Content-Security-Policy") != settings.SIGAP_CONTENT_SECURITY_POLICY:
            missing.append(f"{route}: Content-Security-Policy")
        if response.get("Permissions-Policy") != settings.SIGAP_PERMISSIONS_POLICY:
            missing.append(f"{route}: Permissions-Policy")
        if "no-store" not in response.get("Cache-Control", ""):
            missing.append(f"{route}: Cache-Control no-store")
    assert missing == []


def test_a_refused_csrf_post_carries_the_headers_too(client, bob):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    response = strict.post(reverse("cases:list"), {"q": "x"})
    assert response.status_code == 403
    assert response["Content-Security-Policy"] == settings.SIGAP_CONTENT_SECURITY_POLICY


def test_a_view_that_set_its_own_no_store_keeps_it(client_for, bob):
    # The attachment download says "private, no-store" itself; the middleware leaves it.
    from django.http import HttpResponse

    from config.middleware import SecurityHeadersMiddleware

    class Request:
        user = bob

    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "private, no-store"
        return response

    assert SecurityHeadersMiddleware(view)(Request())["Cache-Control"] == "private, no-store"


def test_an_anonymous_page_may_choose_its_own_caching():
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from config.middleware import SecurityHeadersMiddleware

    class Request:
        user = AnonymousUser()

    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "public, max-age=600"
        return response

    assert SecurityHeadersMiddleware(view)(Request())["Cache-Control"] == "public, max-age=600"


def test_a_signed_in_users_page_is_never_cacheable_even_if_the_view_says_so(bob):
    from django.http import HttpResponse

    from config.middleware import SecurityHeadersMiddleware

    class Request:
        user = bob

    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "public, max-age=600"
        return response

    header = SecurityHeadersMiddleware(view)(Request())["Cache-Control"]
    assert "no-store" in header and "private" in header and "public" not in header


# --- no-store on the pages and downloads that carry personal data ---------------------------------


def test_the_case_list_is_not_stored(client_for, bob):
    f.make_case(actor=bob)
    response = client_for(bob).get(reverse("cases:list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_identity_export_is_not_stored(client_for, bob):
    f.make_case(actor=bob)
    response = client_for(bob).post(
        reverse("reports:exports"),
        {"kind": "cases_identified", "format": "xlsx", "reason": "Permintaan Unit PPA untuk berkas"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


def test_the_roster_export_is_not_stored(client_for, bob):
    response = client_for(bob).get(reverse("cadres:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


# --- JSON bodies ----------------------------------------------------------------------------------

DEEP = b"[" * 20_000 + b"]" * 20_000  # 40 KB, nested 20,000 deep


def test_depth_is_measured_outside_strings():
    assert not json_nesting_exceeds(b'{"a": [1, {"b": "[[[[[[[[[["}]}', 3)
    assert json_nesting_exceeds(b'{"a": [1, {"b": [[]]}]}', 4)
    assert not json_nesting_exceeds(b'{"a": "\\"[[[[[[[[["}', 1)
    assert json_nesting_exceeds(DEEP, 32)


@pytest.mark.parametrize("route", ["cases:draft", "cases:duplicates"])
def test_a_deeply_nested_json_body_is_a_clear_400(client_for, charlie, route):
    response = client_for(charlie).post(reverse(route), DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Data yang dikirim bersarang terlalu dalam (paling banyak 32 tingkat)."


@pytest.mark.parametrize("route", ["cases:draft", "cases:duplicates"])
def test_a_deep_body_sent_as_plain_text_is_refused_too(client_for, charlie, route):
    # The views read the body whatever its declared type; so does the limit.
    response = client_for(charlie).post(reverse(route), DEEP, content_type="text/plain")
    assert response.status_code == 400


def test_a_too_large_json_body_is_a_clear_400(client_for, charlie, settings):
    body = json.dumps({"data": {"narrative": "x" * (settings.SIGAP_JSON_MAX_BYTES + 1)}})
    response = client_for(charlie).post(reverse("cases:draft"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "Data yang dikirim terlalu besar (paling banyak 256 KB)."


def test_a_draft_of_ordinary_depth_is_saved(client_for, charlie):
    body = {"data": {"children": [{"name": "A", "extra": {"x": [1, 2, {"y": 3}]}}]}}
    response = client_for(charlie).post(reverse("cases:draft"), body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["saved"] is True


def test_form_posts_are_not_limited_as_json(client_for, bob):
    # A form whose text happens to be bracket-heavy is the form parser's business.
    response = client_for(bob).post(reverse("cases:list"), {"q": "[" * 100})
    assert response.status_code == 302


# --- CSP reports ----------------------------------------------------------------------------------


def test_a_csp_report_is_logged_without_the_query_string(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "http://sigap.example/kasus/?s=abc123",
            "blocked-uri": "inline",
            "effective-directive": "script-src-elem",
        }
    }
    with caplog.at_level(logging.WARNING, logger="sigap.csp"):
        response = client.post(
            reverse("csp_report"), json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert "CSP blocked inline on /kasus/ (script-src-elem)" in caplog.text
    assert "abc123" not in caplog.text


def test_a_csp_report_that_is_not_json_is_a_400(client):
    response = client.post(reverse("csp_report"), b"nonsense", content_type="application/csp-report")
    assert response.status_code == 400


def test_the_csp_report_endpoint_takes_only_post(client, db):
    assert client.get(reverse("csp_report")).status_code == 405
