"""The board election in Chromium: a petugas opens it, a kader votes from a phone and cannot vote twice."""

import pytest
from playwright.sync_api import expect

from board import services
from board.models import Ballot, BoardPosition, Election, VoterMark
from cadres.models import Cadre
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def make_cadre(*, name, user=None, kelurahan_code=f.BANSIR_LAUT) -> Cadre:
    return Cadre.objects.create(
        name=name, sex="P", cohort=2022, kelurahan=f.kelurahan(kelurahan_code), user=user
    )


def test_a_kader_votes_once_per_position_and_the_petugas_sees_the_tally(new_page):
    petugas = f.PetugasFactory(username="petugas_uji")
    voter = make_cadre(name="Anisa Calon", user=f.KaderFactory(username="kader_uji"))
    rival = make_cadre(
        name="Budi Calon",
        user=f.KaderFactory(username="kader_dua", kelurahan=f.kelurahan(f.SIANTAN_HULU)),
        kelurahan_code=f.SIANTAN_HULU,
    )
    term = services.board_term_create(actor=petugas, start_year=2022, end_year=2025)
    election = services.election_create(actor=petugas, term=term, title="Pemilihan Pengurus Kader 2022")
    ketua = BoardPosition.objects.get(kind="ketua")
    services.election_add_candidate(actor=petugas, election=election, position=ketua, cadre=rival)

    # The petugas adds a second candidate and opens the election (desktop).
    desk = new_page(viewport=DESKTOP)
    login(desk, "petugas_uji")
    desk.goto(f"/kader/pengurus/pemilihan/{election.pk}/")
    form = desk.get_by_test_id("candidate-form")
    form.locator("[name=position]").select_option(str(ketua.pk))
    form.locator("[name=cadre]").select_option(str(voter.pk))
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id(f"position-{ketua.pk}").locator("tbody tr")).to_have_count(2)
    desk.get_by_test_id("open-election").click()
    expect(desk.get_by_test_id("election-state")).to_have_attribute("data-state", "open")
    expect(desk.get_by_test_id("eligible")).to_have_text("2")

    # The kader votes from a phone, with the ballot open in two tabs.
    phone = new_page(viewport=PHONE)
    login(phone, "kader_uji")
    phone.goto("/kader/pemilihan/")
    phone.get_by_test_id("ballot-link").click()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "board-ballot-phone.png"), full_page=True)
    ballot_url = phone.url
    second_tab = phone.context.new_page()
    second_tab.goto(ballot_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    candidate_id = election.candidates.get(cadre=voter).pk
    phone.locator(f"[name=position_{ketua.pk}][value='{candidate_id}']").check()
    phone.get_by_test_id("cast").click()
    expect(phone.locator(".alert-success").first).to_be_visible()
    expect(phone.get_by_test_id(f"voted-{ketua.pk}")).to_be_visible()
    expect(phone.get_by_test_id("cast")).to_have_count(0)
    # The page after voting does not show the choice.
    expect(phone.get_by_test_id("ballot")).not_to_contain_text("Anisa Calon")
    assert VoterMark.objects.count() == 1

    # A second vote for the same position, from the stale tab: refused, nothing changes.
    second_tab.locator(f"[name=position_{ketua.pk}][value=abstain]").check()
    second_tab.get_by_test_id("cast").click()
    expect(second_tab.locator(".alert-danger")).to_be_visible()
    expect(second_tab.get_by_test_id(f"voted-{ketua.pk}")).to_be_visible()
    assert VoterMark.objects.count() == 1
    assert Ballot.objects.count() == 1
    assert not Ballot.objects.filter(candidate=None).exists()
    assert second_tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    second_tab.screenshot(path=str(ARTIFACTS / "board-second-vote-refused-phone.png"), full_page=True)

    # The petugas closes the election and sees the tally.
    desk.reload()
    expect(desk.get_by_test_id("turnout")).to_contain_text("1")
    desk.get_by_test_id("close-election").click()
    expect(desk.get_by_test_id("election-state")).to_have_attribute("data-state", "closed")
    winner_row = desk.get_by_test_id(f"candidate-{candidate_id}")
    expect(winner_row.get_by_test_id("votes")).to_have_text("1")
    expect(desk.get_by_test_id("abstentions")).to_have_text("0")
    desk.get_by_test_id(f"install-{ketua.pk}").locator("button[type=submit]").click()
    expect(desk.get_by_test_id("installed")).to_contain_text("Anisa Calon")
    desk.screenshot(path=str(ARTIFACTS / "board-tally-desktop.png"), full_page=True)
    assert Election.objects.get(pk=election.pk).seats.get().cadre == voter

    # The voter (and the rival, who was on the roll too) sees the result on the phone.
    phone.goto("/kader/pemilihan/")
    phone.get_by_test_id("result-link").click()
    result_row = phone.get_by_test_id(f"result-candidate-{candidate_id}")
    expect(result_row.get_by_test_id("votes")).to_have_text("1")
    expect(phone.get_by_test_id("installed")).to_contain_text("Anisa Calon")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "board-result-phone.png"), full_page=True)
