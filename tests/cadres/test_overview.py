"""The overview: active and inactive cadres per cohort and per kelurahan, the gaps, whom to call."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cadres import selectors
from cadres.selectors import cadre_overview, cadres_to_call
from tests import factories as f
from tests.cadres.roster_helpers import make_cadre

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("cadres:overview")
NOW = timezone.now()


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def roster():
    """A hand-built roster with known answers.

    2017: 4 cadres: 1 active, 2 inactive (one by status, one flagged by the job), 1 stopped.
    2018: 2 cadres: 0 active, 2 inactive.
    2019: 3 cadres: 3 active.
    2022: none.  2023: 1 active (a later cohort appears by itself).
    Bansir Laut: 1 active (2017) + 2019 x2 active ... see below.
    """
    bl, bd, sh = f.BANSIR_LAUT, f.BANSIR_DARAT, f.SIANTAN_HULU
    make_cadre(bl, name="A17", cohort=2017, last_activity_at=NOW - dt.timedelta(days=3))
    make_cadre(
        bd,
        name="B17",
        cohort=2017,
        status="tidak_aktif",
        phone="0811",
        last_activity_at=NOW - dt.timedelta(days=400),
    )
    make_cadre(
        sh,
        name="C17",
        cohort=2017,
        inactive_since=NOW,
        phone="0812",
        last_activity_at=NOW - dt.timedelta(days=100),
    )
    make_cadre(bd, name="D17", cohort=2017, status="berhenti")
    make_cadre(bd, name="E18", cohort=2018, status="tidak_aktif")  # never active: called first
    make_cadre(
        sh, name="F18", cohort=2018, status="tidak_aktif", last_activity_at=NOW - dt.timedelta(days=200)
    )
    make_cadre(bl, name="G19", cohort=2019)
    make_cadre(bl, name="H19", cohort=2019)
    make_cadre(bl, name="I19", cohort=2019)
    make_cadre(bl, name="J23", cohort=2023)


def cohorts(overview) -> dict:
    return {r.cohort: (r.total, r.active, r.inactive, r.stopped, r.active_percent) for r in overview.cohorts}


def test_the_figures_per_cohort_are_right(roster, bob):
    overview = cadre_overview(user=bob)
    assert cohorts(overview) == {
        2017: (4, 1, 2, 1, 25),
        2018: (2, 0, 2, 0, 0),
        2019: (3, 3, 0, 0, 100),
        2022: (0, 0, 0, 0, None),
        2023: (1, 1, 0, 0, 100),
    }
    total = overview.total
    assert (total.total, total.active, total.inactive, total.stopped, total.active_percent) == (
        10,
        5,
        4,
        1,
        50,
    )


def test_the_figures_per_kelurahan_and_the_gaps_are_right(roster, bob):
    overview = cadre_overview(user=bob)
    rows = {r.code: (r.total, r.active, r.inactive, r.stopped) for g in overview.kecamatan for r in g.rows}
    assert len(rows) == 29  # every kelurahan, also those without any cadre
    assert rows[f.BANSIR_LAUT] == (5, 5, 0, 0)
    assert rows[f.BANSIR_DARAT] == (3, 0, 2, 1)
    assert rows[f.SIANTAN_HULU] == (2, 0, 2, 0)
    gaps = {r.code for r in overview.gaps}
    assert f.BANSIR_DARAT in gaps and f.SIANTAN_HULU in gaps and f.BANSIR_LAUT not in gaps
    assert len(gaps) == 28
    tenggara = next(g for g in overview.kecamatan if g.name == "Pontianak Tenggara")
    assert (tenggara.total, tenggara.active, tenggara.inactive, tenggara.stopped) == (8, 5, 2, 1)


def test_the_cadres_to_call_are_the_inactive_ones_longest_silent_first(roster, bob):
    assert [c.name for c in cadres_to_call(user=bob)] == ["E18", "B17", "F18", "C17"]


def test_bella_sees_only_her_kecamatan(roster, bella):
    overview = cadre_overview(user=bella)
    assert overview.total.total == 2
    assert [g.name for g in overview.kecamatan] == ["Pontianak Utara"]
    assert [c.name for c in cadres_to_call(user=bella)] == ["F18", "C17"]


def test_the_page_answers_at_a_glance_in_a_fixed_number_of_queries(
    roster, client_for, bob, django_assert_num_queries
):
    client = client_for(bob)
    client.get(OVERVIEW)  # warm the session
    # session, user, unread notifications (menu), and the overview: cohorts, kelurahan, cadres to call
    with django_assert_num_queries(6):
        response = client.get(OVERVIEW)
    for i in range(30):
        make_cadre(f.SIANTAN_HULU, name=f"Extra {i}", cohort=2017 + i % 4, status="tidak_aktif")
    with django_assert_num_queries(6):
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-cohort="2017" data-total="12"' in body
    assert 'data-testid="gaps" data-count="28"' in body
    assert 'href="tel:0811"' in body
    assert (
        'data-code="61.71.06.1002" data-total="3" data-active="0" data-inactive="2" '
        'class="table-danger" data-gap="1"' in body
    )


def test_the_cadres_to_call_are_paged_in_their_order(roster, client_for, bob, monkeypatch):
    """The overview is read on phones: its list of whom to call comes a page at a time."""
    monkeypatch.setattr(selectors, "TO_CALL_PAGE_SIZE", 3)
    client = client_for(bob)

    def names(page: str) -> list[str]:
        body = client.get(OVERVIEW + page).content.decode()
        return re.findall(r'data-testid="to-call-row"[^>]*>\s*<td><a href="[^"]*">([^<]*)<', body)

    first = client.get(OVERVIEW).content.decode()
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert names("") == ["E18", "B17", "F18"]
    assert names("?page=2") == ["C17"]
    assert 'rel="prev" href="?page=1"' in client.get(OVERVIEW + "?page=2").content.decode()
    past = client.get(OVERVIEW + "?page=9").content.decode()
    assert names("?page=9") == [] and 'data-testid="nobody-to-call"' not in past


def test_the_list_and_the_start_page_link_to_the_overview(client_for, bob):
    client = client_for(bob)
    assert OVERVIEW in client.get(reverse("cadres:list")).content.decode()
    assert OVERVIEW in client.get(reverse("start:petugas")).content.decode()


def test_the_overview_is_refused_to_a_kader(client_for, charlie):
    assert client_for(charlie).get(OVERVIEW).status_code == 403
