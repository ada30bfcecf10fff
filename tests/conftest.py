"""Shared fixtures. The cast, as in healthchecks' tests:

* alice  - admin
* bob    - petugas for the whole city
* bella  - petugas limited to Kecamatan Pontianak Utara
* charlie - kader in Bansir Laut (Pontianak Tenggara)
* carol  - kader in Siantan Hulu (Pontianak Utara)
* dave   - KPAD commissioner
"""

import pytest

from accounts.notifications import TITLES, register_notification
from tests import factories as f

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
