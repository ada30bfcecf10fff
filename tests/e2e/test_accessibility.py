"""axe-core on every page of every role: 0 serious and 0 critical findings.

Each role's browser walks its site from its start page through the links it is offered (one
page per shape of address: a case page stands for every case page), as the prodcheck crawl does,
and axe checks each page as loaded; for the kader, on a phone, also the open menu and each step
of the report form. Django's own admin (/django-admin/) is Django's, not ours, and is left out; so are
downloads (PDF, spreadsheets), which are no pages.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from tests import factories as f
from tests.e2e.axe import axe_findings, describe, small_tap_targets
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)

SKIP = ("/django-admin/", "/static/", "/media/", "/akun/keluar/", "/sertifikat/")
MAX_PAGES = 90


def seed() -> dict:
    """The demo's roster, training and board, a few cases through the services, an open and a
    closed election, an attachment and a KPAD question: a sample of every kind of page."""
    from board import services as board_services
    from board.demo import seed_demo_board
    from board.models import BoardPosition
    from cadres.demo import seed_demo_cadres
    from cadres.models import Cadre
    from demo import year
    from scripts.prodcheck.seed import add_attachment, add_kpad_request
    from training.demo import seed_demo_training

    users = {
        "admin": f.AdminFactory(username="admin"),
        "petugas": f.PetugasFactory(username="petugas"),
        "kader": f.KaderFactory(username="kader"),
        "kader2": f.KaderFactory(username="kader2", kelurahan=f.kelurahan(f.SIANTAN_HULU)),
        "kpad": f.KpadFactory(username="kpad"),
    }
    end = timezone.now()
    with time_machine.travel(end - dt.timedelta(days=year.YEAR_DAYS + 30), tick=False):
        seed_demo_cadres()
        seed_demo_training()
        seed_demo_board()
    year.seed_demo_cases(
        petugas=users["petugas"],
        kaders=[users["kader"], users["kader2"]],
        kpad_user=users["kpad"],
        count=8,
        end=end,
    )
    add_attachment(users["kader"])
    add_kpad_request(users["kpad"])
    petugas = users["petugas"]
    position = BoardPosition.objects.filter(kecamatan__isnull=True).order_by("sort_order").first()
    for title, close, year_from in (("Pemilihan terbuka", False, 2030), ("Pemilihan selesai", True, 2034)):
        term = board_services.board_term_create(actor=petugas, start_year=year_from, end_year=year_from + 3)
        election = board_services.election_create(actor=petugas, term=term, title=title)
        for cadre in Cadre.objects.filter(status="aktif").order_by("pk")[:2]:
            board_services.election_add_candidate(
                actor=petugas, election=election, position=position, cadre=cadre
            )
        board_services.election_open(actor=petugas, election=election)
        if close:
            board_services.election_close(actor=petugas, election=election)
    return users


def shape(path: str) -> str:
    """One page per kind of address: digits and case numbers stand for any."""
    return re.sub(r"\d+", "N", path)


def links_on(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path:
            continue
        paths.append(parts.path)
    return paths


def walk(page, origin: str, start: str) -> tuple[list[str], list[str]]:
    """Visit every page reachable by links from start (one per shape); axe on each. Returns the
    pages visited and the failures found."""
    queue, seen_shapes, visited, failures = [start], set(), [], []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if any(path.startswith(prefix) for prefix in SKIP) or shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        probe = page.request.get(origin + path, max_redirects=0)
        if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
            continue
        page.goto(path)
        visited.append(path)
        findings = axe_findings(page)
        if findings:
            failures.append(describe(path, findings))
        queue.extend(p for p in links_on(page, origin) if shape(p) not in seen_shapes)
    return visited, failures


@pytest.mark.parametrize(
    ("username", "viewport"),
    [("admin", DESKTOP), ("petugas", DESKTOP), ("kpad", DESKTOP), ("kader", PHONE), ("petugas", PHONE)],
    ids=["admin", "petugas", "kpad", "kader-phone", "petugas-phone"],
)
def test_every_page_of_every_role_has_no_serious_accessibility_finding(
    new_page, live_server, username, viewport
):
    seed()
    page = new_page(viewport=viewport)
    login(page, username)
    start = urlsplit(page.url).path
    visited, failures = walk(page, live_server.url, start)
    assert len(visited) >= 3, visited
    assert not failures, "\n".join(failures)


def test_the_kader_menu_and_each_step_of_the_report_form_have_no_serious_finding(new_page):
    f.KaderFactory(username="kader_uji")
    page = new_page(viewport=PHONE)
    login(page, "kader_uji")
    failures = []
    page.get_by_role("button", name="Tampilkan menu").click()
    page.locator("#nav-main.show").wait_for()
    if findings := axe_findings(page):
        failures.append(describe("the open menu", findings))
    if small := small_tap_targets(page):
        failures.append(f"the open menu: tap targets under 44 px: {small}")
    page.goto("/kasus/lapor/")
    steps = page.locator("fieldset[data-step]")
    assert steps.count() == 4
    for i in range(steps.count()):
        page.evaluate(
            "i => document.querySelectorAll('fieldset[data-step]')"
            ".forEach((s, j) => { s.hidden = j !== i; })",
            i,
        )
        if findings := axe_findings(page):
            failures.append(describe(f"report form, step {i + 1}", findings))
        if small := small_tap_targets(page):
            failures.append(f"report form, step {i + 1}: tap targets under 44 px: {small}")
    assert not failures, "\n".join(failures)
