"""The start page of each role (cases.views.start): who may open which, and what each shows."""

import pytest
from django.urls import reverse

from tests import factories as f

PONTIANAK_UTARA_KELURAHAN = ["61.71.04.1001", "61.71.04.1002", "61.71.04.1003", "61.71.04.1004"]
WHO = ["alice", "bob", "bella", "charlie", "carol", "dave", "anonymous"]
EXPECTED = {
    "start:petugas": {"anonymous": 302, "bob": 200, "bella": 200, "*": 403},
    "start:kader": {"anonymous": 302, "charlie": 200, "carol": 200, "*": 403},
    "start:kpad": {"anonymous": 302, "dave": 200, "*": 403},
}


@pytest.fixture
def as_user(client, everyone):
    """``as_user("bob")`` -> the test client logged in as bob (or anonymous)."""

    def login(who):
        if who != "anonymous":
            client.force_login(everyone[who])
        return client

    return login


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_start_page_answers_each_role_as_the_table_says(as_user, name, who):
    response = as_user(who).get(reverse(name))
    expected = EXPECTED[name].get(who, EXPECTED[name]["*"])
    assert response.status_code == expected, f"{who} GET {name}"
    if expected == 302:
        assert response.url == f"{reverse('accounts:login')}?next={reverse(name)}"


@pytest.mark.parametrize(
    ("name", "who"), [("start:petugas", "bob"), ("start:kader", "charlie"), ("start:kpad", "dave")]
)
def test_a_start_page_refuses_a_post_with_405(as_user, name, who):
    assert as_user(who).post(reverse(name)).status_code == 405


def test_it_lists_every_kelurahan_with_its_active_kader_accounts_for_a_city_wide_petugas(as_user, everyone):
    f.KaderFactory(username="charlie2", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    f.KaderFactory(username="kader_lama", kelurahan=f.kelurahan(f.BANSIR_DARAT), is_active=False)
    response = as_user("bob").get(reverse("start:petugas"))
    assert response.status_code == 200
    counts = {k.code: k.kader_accounts for k in response.context["kelurahan_list"]}
    assert len(counts) == 29
    assert counts[f.BANSIR_LAUT] == 2
    assert counts[f.SIANTAN_HULU] == 1
    assert counts[f.BANSIR_DARAT] == 0  # an inactive account does not count
    assert sum(counts.values()) == 3
    without = {k.code for k in response.context["without_kader"]}
    assert without == set(counts) - {f.BANSIR_LAUT, f.SIANTAN_HULU}
    assert b'data-testid="without-kader"' in response.content
    assert "Bansir Darat" in response.content.decode()


def test_it_lists_only_pontianak_utara_for_a_petugas_limited_to_it(as_user, everyone):
    response = as_user("bella").get(reverse("start:petugas"))
    assert response.status_code == 200
    rows = list(response.context["kelurahan_list"])
    assert [k.code for k in rows] == PONTIANAK_UTARA_KELURAHAN
    assert {k.code: k.kader_accounts for k in rows}[f.SIANTAN_HULU] == 1
    assert [k.code for k in response.context["without_kader"]] == PONTIANAK_UTARA_KELURAHAN[1:]
    html = response.content.decode()
    assert "Siantan Hulu" in html
    assert "Bansir Laut" not in html  # charlie's kelurahan is outside bella's area
    assert "Pontianak Tenggara" not in html


def test_it_shows_no_warning_when_every_kelurahan_has_a_kader(as_user, everyone):
    for code in PONTIANAK_UTARA_KELURAHAN[1:]:
        f.KaderFactory(username=f"kader_{code[-4:]}", kelurahan=f.kelurahan(code))
    response = as_user("bella").get(reverse("start:petugas"))
    assert response.context["without_kader"] == []
    assert b'data-testid="without-kader"' not in response.content


def test_it_keeps_the_petugas_start_page_query_count_flat(as_user, everyone, django_assert_max_num_queries):
    for i in range(10):
        f.KaderFactory(username=f"kader{i}", kelurahan=f.kelurahan(f.BANSIR_DARAT))
    client = as_user("bob")
    # The status counts, the kelurahan, the user's tasks..., and the privacy panel's two (the
    # subject requests and the breaches due within a day).
    with django_assert_max_num_queries(8):
        assert client.get(reverse("start:petugas")).status_code == 200


def test_it_shows_a_kader_their_kelurahan(as_user, everyone):
    response = as_user("charlie").get(reverse("start:kader"))
    assert response.status_code == 200
    assert response.context["kelurahan"].code == f.BANSIR_LAUT
    html = response.content.decode()
    assert "Bansir Laut" in html
    assert "Pontianak Tenggara" in html
    assert f.BANSIR_LAUT in html
    assert "78124" in html
    assert "Siantan Hulu" not in html


def test_it_shows_carol_her_own_kelurahan(as_user, everyone):
    response = as_user("carol").get(reverse("start:kader"))
    assert response.context["kelurahan"].code == f.SIANTAN_HULU
    assert "Siantan Hulu" in response.content.decode()


def test_it_greets_a_kader_in_indonesian(as_user, everyone):
    charlie = everyone["charlie"]
    response = as_user("charlie").get(reverse("start:kader"))
    html = response.content.decode()
    assert f"Halo, {charlie.first_name}" in html
    assert "Kelurahan Anda: Bansir Laut" in html


def test_it_shows_kpad_its_start_page(as_user, everyone):
    response = as_user("dave").get(reverse("start:kpad"))
    assert response.status_code == 200
    assert "cases/start/kpad.html" in [t.name for t in response.templates]
