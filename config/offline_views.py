"""The service worker (/sw.js) and the web app manifest (/manifest.webmanifest).

The service worker is served from the site's root, not /static/, so that its scope is the whole
site (a worker under /static/ could control only /static/); ``Service-Worker-Allowed: /`` says
so explicitly. It is a template so that it names the static files by their hashed production
names, and its version changes whenever they do (a new worker then replaces the old one and its
cache). What it keeps, and for whom, is decided by the server (accounts.offline).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The app shell: what every kader page needs, kept by the worker at install.
SHELL_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/sigap.css",
    "js/forms.js",
    "js/offline.js",
    "js/draft-cleanup.js",
    "js/intake.js",
    "icons/sigap-192.png",
)


def _asset_version(name: str) -> str:
    """Hashed names change with the content; under DEBUG (no hashing) the file's bytes do."""
    url = static(name)
    if not settings.DEBUG:
        return url
    path = finders.find(name)
    if not path:
        return url
    with open(path, "rb") as handle:
        return url + hashlib.sha1(handle.read(), usedforsecurity=False).hexdigest()[:8]


@cache
def _production_version() -> str:
    return _compute_version()


def _compute_version() -> str:
    parts = [_asset_version(name) for name in SHELL_ASSETS]
    with open(settings.BASE_DIR / "templates" / "sw.js", "rb") as handle:
        parts.append(hashlib.sha1(handle.read(), usedforsecurity=False).hexdigest())
    return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:12]


@require_GET
def service_worker(request):
    version = _compute_version() if settings.DEBUG else _production_version()
    body = render_to_string(
        "sw.js",
        {
            "version": version,
            "shell": json.dumps([static(name) for name in SHELL_ASSETS]),
            "static_prefix": json.dumps(settings.STATIC_URL),
            "login_path": json.dumps(reverse("accounts:login")),
            "offline_title": json.dumps(_("Offline")),
            "offline_text": json.dumps(
                _("You are offline and this page is not kept on this phone yet. Open it once while online.")
            ),
            "offline_home": json.dumps(_("Back to the start page")),
            "home": json.dumps(reverse("home")),
        },
        request=request,
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker at every navigation when the script is not cached.
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response


@require_GET
def manifest(request):
    data = {
        "name": "SIGAP — Perlindungan Anak Kota Pontianak",
        "short_name": "SIGAP",
        "description": _("Report and follow child-protection cases, also without a connection."),
        "lang": "id",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5a73",
        "icons": [
            {"src": static("icons/sigap-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/sigap-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/sigap-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    return response
