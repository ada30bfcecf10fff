"""The break-in module: shared counters and the summary it prints at the end of the run.

Each test counts what it tried (requests sent, payloads planted, uploads, login attempts)
through the ``tally`` fixture; ``pytest_terminal_summary`` prints the totals whether or not
output is captured (``-s`` or not), so CI's log says how hard the module tried.
"""

from __future__ import annotations

from collections import Counter

import pytest

# The page fixtures of tests/e2e (the browser itself is tests/conftest.py's), for the stored-XSS
# walk in a real Chromium.
from tests.e2e.conftest import new_page, regions  # noqa: F401

TALLY: Counter = Counter()


class Tally:
    def add(self, what: str, n: int = 1) -> None:
        TALLY[what] += n


@pytest.fixture
def tally() -> Tally:
    return Tally()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not TALLY:
        return
    terminalreporter.section("break-in module (tests/security)")
    for what in sorted(TALLY):
        terminalreporter.write_line(f"{what}: {TALLY[what]}")
