"""Shared fixtures. The cast, as in healthchecks' tests:

* alice  - admin
* bob    - petugas for the whole city
* bella  - petugas limited to Kecamatan Pontianak Utara
* charlie - kader in Bansir Laut (Pontianak Tenggara)
* carol  - kader in Siantan Hulu (Pontianak Utara)
* dave   - KPAD commissioner
"""

import os

import pytest

from accounts.notifications import TITLES, register_notification
from tests import factories as f
from tests.e2e.conftest import find_chromium

# A kind for the tests of the inbox itself: its title is the text the test gives.
if "test" not in TITLES:
    register_notification("test", title="%(text)s")


@pytest.fixture
def alice(db):
    return f.AdminFactory(username="alice")


@pytest.fixture
def bob(db):
    return f.PetugasFactory(username="bob")


@pytest.fixture
def bella(db):
    return f.PetugasFactory(username="bella", kecamatan=f.kecamatan(f.PONTIANAK_UTARA))


@pytest.fixture
def charlie(db):
    return f.KaderFactory(username="charlie", kelurahan=f.kelurahan(f.BANSIR_LAUT))


@pytest.fixture
def carol(db):
    return f.KaderFactory(username="carol", kelurahan=f.kelurahan(f.SIANTAN_HULU))


@pytest.fixture
def dave(db):
    return f.KpadFactory(username="dave")


@pytest.fixture
def everyone(alice, bob, bella, charlie, carol, dave):
    return {"alice": alice, "bob": bob, "bella": bella, "charlie": charlie, "carol": carol, "dave": dave}


@pytest.fixture
def client_for(client):
    """Log the test client in as a user: ``client_for(bob).get(...)``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _reset_celery_join_guard():
    """Eager tasks run in threads (the concurrency tests) race on Celery's process-wide
    "a join would block" flag and can leave it set, which breaks a later test's
    ``result.get()``. Put it back after every test."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


# The one Chromium of the run, shared by the browser tests (tests/e2e) and the break-in module's
# stored-XSS walk (tests/security): two session browsers would nest two Playwright loops.
@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        reason = "no Chromium found (install Debian's 'chromium' package or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
