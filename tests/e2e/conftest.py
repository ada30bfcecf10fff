"""Browser tests: Playwright driving a real Chromium against pytest-django's live server.

Chromium comes from the system (Debian's `chromium` package); Playwright's own
browser download is neither needed nor possible here. Without Chromium these
tests are skipped with a reason, unless REQUIRE_E2E=1 (CI), where they fail.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests import factories as f

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}  # a small Android phone
DESKTOP = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def regions(transactional_db):
    f.ensure_regions()


@pytest.fixture
def new_page(browser, live_server, regions, request):
    """Open pages in fresh contexts: ``new_page(viewport=PHONE)``. Screenshots on failure."""
    contexts = []

    def make(viewport=DESKTOP, locale="id-ID"):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale=locale, timezone_id="Asia/Pontianak"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def label(text: str) -> re.Pattern:
    """A field's accessible name, exactly, allowing crispy-forms' required marker (*)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def login(page, username: str, password: str = f.TEST_PASSWORD) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label(label("Nama pengguna")).fill(username)
    page.get_by_label(label("Kata sandi")).fill(password)
    page.get_by_role("button", name="Masuk").click()
