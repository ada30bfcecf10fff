"""The cadres' board: terms, positions, the election (secret, one vote per voter and position), the tally,
installing the board, and a paper result."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from board import selectors, services
from board.models import (
    Ballot,
    BoardPosition,
    BoardSeat,
    BoardTerm,
    Candidate,
    Election,
    ElectionVoter,
    VoterMark,
)
from cadres.models import Cadre, CadreStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

BOARD = "/kader/pengurus/"
MINE = "/kader/pemilihan/"


def make_cadre(*, user=None, kelurahan_code=f.BANSIR_LAUT, **fields) -> Cadre:
    values = {"name": "Kader Uji", "sex": "P", "cohort": 2022, "kelurahan": f.kelurahan(kelurahan_code)}
    values.update(fields)
    return Cadre.objects.create(user=user, **values)


def position(kind, kecamatan_code=None) -> BoardPosition:
    services.board_positions_ensure()
    if kecamatan_code:
        return BoardPosition.objects.get(kind=kind, kecamatan__code=kecamatan_code)
    return BoardPosition.objects.get(kind=kind, kecamatan=None)


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def term(bob):
    return services.board_term_create(actor=bob, start_year=2022, end_year=2025)


@pytest.fixture
def people(charlie, carol):
    """Two candidates (who also vote) and two voters who never stand."""
    return {
        "anisa": make_cadre(user=charlie, name="Anisa Calon"),
        "budi": make_cadre(user=carol, name="Budi Calon", kelurahan_code=f.SIANTAN_HULU),
        "citra": make_cadre(user=f.KaderFactory(username="citra"), name="Citra Pemilih"),
        "dedi": make_cadre(
            user=f.KaderFactory(username="dedi", kelurahan=f.kelurahan(f.SIANTAN_HULU)),
            name="Dedi Pemilih",
            kelurahan_code=f.SIANTAN_HULU,
        ),
    }


@pytest.fixture
def election(bob, term, people):
    """A draft election: ketua (Anisa or Budi), sekretaris (Budi only)."""
    election = services.election_create(actor=bob, term=term, title="Pemilihan Pengurus 2022")
    ketua, sekretaris = position("ketua"), position("sekretaris")
    services.election_add_candidate(actor=bob, election=election, position=ketua, cadre=people["anisa"])
    services.election_add_candidate(actor=bob, election=election, position=ketua, cadre=people["budi"])
    services.election_add_candidate(actor=bob, election=election, position=sekretaris, cadre=people["budi"])
    return election


@pytest.fixture
def open_election(bob, election):
    return services.election_open(actor=bob, election=election)


def candidate(election, cadre, kind="ketua"):
    return Candidate.objects.get(election=election, cadre=cadre, position=position(kind))


def vote(election, cadre, **choices):
    """vote(e, cadre, ketua=<Cadre or None>)."""
    mapping = {}
    for kind, chosen in choices.items():
        mapping[position(kind).pk] = candidate(election, chosen, kind).pk if chosen else None
    return services.ballot_cast(user=cadre.user, election=election, cadre=cadre, choices=mapping)


# --- Positions and terms -------------------------------------------------------------------------


def test_it_creates_the_four_officers_and_one_coordinator_per_kecamatan():
    positions = services.board_positions_ensure()
    services.board_positions_ensure()  # idempotent
    from kelurahan.models import Kecamatan

    assert len(positions) == 4 + Kecamatan.objects.count()
    assert BoardPosition.objects.filter(kind="koordinator").count() == Kecamatan.objects.count()


def test_the_database_refuses_a_coordinator_without_a_kecamatan():
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardPosition.objects.create(kind="koordinator", kecamatan=None)


def test_it_refuses_a_term_that_ends_before_it_starts(bob):
    with pytest.raises(ValidationError):
        services.board_term_create(actor=bob, start_year=2025, end_year=2022)


def test_the_current_term_is_the_one_running_this_year():
    old = BoardTerm.objects.create(start_year=2018, end_year=2021)
    now = BoardTerm.objects.create(start_year=2022, end_year=2025)
    assert selectors.current_term(year=2023) == now
    assert selectors.current_term(year=2020) == old
    assert selectors.current_term(year=2030) == now  # the latest begun, when none runs


# --- The election's lifecycle --------------------------------------------------------------------


def test_an_election_goes_from_draft_to_open_to_closed(bob, election, people):
    assert election.state == Election.State.DRAFT
    election = services.election_open(actor=bob, election=election)
    assert election.state == Election.State.OPEN
    assert election.opened_at is not None
    # The roll is frozen at opening: the four cadres with a login.
    assert set(ElectionVoter.objects.filter(election=election).values_list("cadre_id", flat=True)) == {
        c.pk for c in people.values()
    }
    election = services.election_close(actor=bob, election=election)
    assert election.state == Election.State.CLOSED
    actions = set(AuditEvent.objects.filter(target_type="board.election").values_list("action", flat=True))
    assert {
        "board.election_create",
        "board.candidate_add",
        "board.election_open",
        "board.election_close",
    } <= actions


def test_candidates_and_voters_are_frozen_once_open(bob, open_election, people):
    late = make_cadre(user=f.KaderFactory(username="late"), name="Terlambat")
    with pytest.raises(ValidationError):
        services.election_add_candidate(
            actor=bob, election=open_election, position=position("bendahara"), cadre=people["citra"]
        )
    with pytest.raises(ValidationError):
        services.election_remove_candidate(actor=bob, candidate=candidate(open_election, people["anisa"]))
    assert not ElectionVoter.objects.filter(election=open_election, cadre=late).exists()


def test_it_cannot_open_an_election_without_candidates(bob, term):
    election = services.election_create(actor=bob, term=term, title="Kosong")
    with pytest.raises(ValidationError):
        services.election_open(actor=bob, election=election)


def test_only_an_open_election_accepts_votes(bob, election, people):
    with pytest.raises(ValidationError):
        vote(election, people["citra"], ketua=people["anisa"])  # draft
    services.election_open(actor=bob, election=election)
    services.election_close(actor=bob, election=election)
    with pytest.raises(ValidationError):
        vote(election, people["citra"], ketua=people["anisa"])  # closed
    assert Ballot.objects.count() == 0
    with pytest.raises(ValidationError):
        services.election_open(actor=bob, election=election)


def test_a_coordinator_candidate_must_come_from_that_kecamatan(bob, election, people):
    utara = position("koordinator", f.PONTIANAK_UTARA)
    with pytest.raises(ValidationError):
        services.election_add_candidate(actor=bob, election=election, position=utara, cadre=people["anisa"])
    services.election_add_candidate(actor=bob, election=election, position=utara, cadre=people["budi"])


# --- Who may vote --------------------------------------------------------------------------------


def test_only_active_unflagged_cadres_with_a_login_may_vote(election, people):
    make_cadre(name="Tanpa Login")
    make_cadre(user=f.KaderFactory(username="tidakaktif"), name="Tidak Aktif", status=CadreStatus.TIDAK_AKTIF)
    make_cadre(user=f.KaderFactory(username="berhenti"), name="Berhenti", status=CadreStatus.BERHENTI)
    make_cadre(user=f.KaderFactory(username="ditandai"), name="Ditandai", inactive_since=timezone.now())
    make_cadre(user=f.KaderFactory(username="nonaktif", is_active=False), name="Login Mati")
    assert set(selectors.eligible_cadres(election=election)) == set(people.values())


def test_the_training_rule_lets_only_those_present_vote(bob, term, people):
    from training.models import Attendance, Participant, Training, TrainingDay

    training = Training.objects.create(title="Pelatihan Kader", organiser="DP2KBP3A", venue="BAPPEDA")
    day = TrainingDay.objects.create(training=training, date=dt.date(2022, 11, 23))
    for cadre, present in ((people["citra"], True), (people["dedi"], False)):
        participant = Participant.objects.create(training=training, kind="cadre", cadre=cadre)
        Attendance.objects.create(
            participant=participant, day=day, present=present, marked_by=bob, marked_at=timezone.now()
        )
    election = services.election_create(
        actor=bob, term=term, title="Di pelatihan", electorate=Election.Electorate.TRAINING, training=training
    )
    assert list(selectors.eligible_cadres(election=election)) == [people["citra"]]


def test_the_training_rule_needs_a_training(bob, term):
    with pytest.raises(ValidationError):
        services.election_create(actor=bob, term=term, title="x", electorate=Election.Electorate.TRAINING)


def test_a_cadre_not_on_the_roll_cannot_vote(open_election):
    outsider = make_cadre(user=f.KaderFactory(username="luar"), name="Orang Luar")
    with pytest.raises(services.NotEligible):
        vote(open_election, outsider, ketua=None)
    assert VoterMark.objects.count() == Ballot.objects.count() == 0


def test_a_cadre_who_stopped_after_opening_cannot_vote(open_election, people):
    Cadre.objects.filter(pk=people["citra"].pk).update(status=CadreStatus.BERHENTI)
    people["citra"].refresh_from_db()
    with pytest.raises(services.NotEligible):
        vote(open_election, people["citra"], ketua=people["anisa"])


# --- One vote per voter and position, enforced by the database -----------------------------------


def test_a_vote_writes_a_mark_and_an_anonymous_ballot(open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"], sekretaris=None)
    assert VoterMark.objects.filter(election=open_election, voter=people["citra"]).count() == 2
    assert (
        Ballot.objects.filter(
            election=open_election, candidate=candidate(open_election, people["anisa"])
        ).count()
        == 1
    )
    assert Ballot.objects.filter(election=open_election, candidate=None).count() == 1  # the abstention
    event = AuditEvent.objects.get(action="board.vote")
    assert event.actor == people["citra"].user
    assert event.target_id == str(open_election.pk)
    assert event.details == {}  # that they voted, never for whom


def test_the_database_refuses_a_second_mark_for_the_same_position(open_election, people):
    ketua = position("ketua")
    VoterMark.objects.create(election=open_election, position=ketua, voter=people["citra"])
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterMark.objects.create(election=open_election, position=ketua, voter=people["citra"])


def test_a_second_vote_for_the_same_position_is_refused_and_changes_nothing(open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"])
    with pytest.raises(services.AlreadyVoted):
        # A new position together with one already voted for: all or nothing.
        vote(open_election, people["citra"], ketua=people["budi"], sekretaris=people["budi"])
    assert VoterMark.objects.filter(voter=people["citra"]).count() == 1
    assert Ballot.objects.count() == 1
    assert Ballot.objects.get().candidate == candidate(open_election, people["anisa"])
    assert AuditEvent.objects.filter(action="board.vote").count() == 1
    # The other position can still be voted for on its own.
    vote(open_election, people["citra"], sekretaris=people["budi"])
    assert VoterMark.objects.filter(voter=people["citra"]).count() == 2


def test_it_refuses_a_candidate_who_is_not_on_the_ballot_for_that_position(open_election, people):
    wrong = {position("sekretaris").pk: candidate(open_election, people["anisa"]).pk}
    with pytest.raises(ValidationError):
        services.ballot_cast(
            user=people["citra"].user, election=open_election, cadre=people["citra"], choices=wrong
        )
    assert VoterMark.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_the_same_voter_count_once(open_election, people):
    threads_count = 6
    start = threading.Barrier(threads_count)
    outcomes = []

    def cast():
        try:
            start.wait()
            vote(open_election, people["citra"], ketua=people["anisa"])
            outcomes.append("ok")
        except services.AlreadyVoted:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_count - 1)
    assert VoterMark.objects.count() == Ballot.objects.count() == 1


# --- Secrecy -------------------------------------------------------------------------------------


def _fields(model):
    return {field.name: field for field in model._meta.get_fields() if field.concrete}


def test_a_ballot_has_no_link_to_its_voter_and_no_time():
    fields = _fields(Ballot)
    assert set(fields) == {"id", "election", "position", "candidate"}
    assert isinstance(fields["id"], models.UUIDField)  # no sequence that follows the marks' order
    related = {fields[name].related_model for name in fields if fields[name].is_relation}
    assert Cadre not in related
    assert f.UserFactory._meta.model not in related
    assert not any(isinstance(field, models.DateField | models.TimeField) for field in fields.values())


def test_a_voter_mark_does_not_say_what_was_chosen():
    fields = _fields(VoterMark)
    assert set(fields) == {"id", "election", "position", "voter"}
    related = {fields[name].related_model for name in fields if fields[name].is_relation}
    assert Ballot not in related
    assert Candidate not in related
    assert not any(isinstance(field, models.DateField | models.TimeField) for field in fields.values())


def test_no_page_links_a_voter_to_a_choice(client_for, bob, open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"], sekretaris=people["budi"])
    vote(open_election, people["dedi"], ketua=people["budi"], sekretaris=None)
    # The ballot page after voting says that the kader voted, not for whom.
    page = (
        client_for(people["citra"].user)
        .get(reverse("board:ballot", args=[open_election.pk]))
        .content.decode()
    )
    assert "Anisa Calon" not in page and "Budi Calon" not in page
    assert 'data-testid="voted-' in page
    open_election = services.election_close(actor=bob, election=open_election)
    services.board_install_from_election(
        actor=bob, election=open_election, position=position("sekretaris"), cadre=people["budi"], note="x"
    )
    client = client_for(bob)
    for url in (reverse("board:election", args=[open_election.pk]), BOARD):
        page = client.get(url).content.decode()
        # Voters who did not stand appear nowhere on the tally or the board.
        assert "Citra Pemilih" not in page
        assert "Dedi Pemilih" not in page
    for event in AuditEvent.objects.filter(action="board.vote"):
        assert event.details == {}


# --- The tally and installing the board ----------------------------------------------------------


def test_the_tally_counts_votes_abstentions_and_turnout(bob, open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"], sekretaris=people["budi"])
    vote(open_election, people["dedi"], ketua=people["anisa"], sekretaris=None)
    vote(open_election, people["anisa"], ketua=people["budi"])
    open_election = services.election_close(actor=bob, election=open_election)
    tally = selectors.election_tally(election=open_election)
    assert (tally.eligible, tally.voted, tally.turnout_percent) == (4, 3, 75)
    ketua, sekretaris = tally.positions
    assert [(c.candidate.cadre.name, c.votes) for c in ketua.counts] == [
        ("Anisa Calon", 2),
        ("Budi Calon", 1),
    ]
    assert ketua.single_winner.cadre == people["anisa"]
    assert (ketua.voters, ketua.abstentions) == (3, 0)
    assert (sekretaris.voters, sekretaris.abstentions) == (2, 1)
    assert not tally.has_tie


def test_a_tie_is_reported_and_needs_a_note_to_install(client_for, bob, open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"])
    vote(open_election, people["dedi"], ketua=people["budi"])
    open_election = services.election_close(actor=bob, election=open_election)
    tally = selectors.election_tally(election=open_election)
    assert tally.positions[0].tie
    assert tally.positions[0].single_winner is None
    client = english(client_for(bob))
    url = reverse("board:election", args=[open_election.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="tie-warning"' in page
    assert 'data-testid="tie"' in page
    ketua = position("ketua")
    install = reverse("board:install", args=[open_election.pk])
    # Without a note: refused at the field, nothing installed.
    response = client.post(install, {"position_pk": ketua.pk, f"p{ketua.pk}-cadre": people["budi"].pk})
    assert response.status_code == 400
    assert not BoardSeat.objects.exists()
    # A cadre outside the tie cannot be chosen.
    with pytest.raises(ValidationError):
        services.board_install_from_election(
            actor=bob, election=open_election, position=ketua, cadre=people["citra"], note="x"
        )
    response = client.post(
        install,
        {
            "position_pk": ketua.pk,
            f"p{ketua.pk}-cadre": people["budi"].pk,
            f"p{ketua.pk}-note": "Putaran kedua 24/11",
        },
    )
    assert response.status_code == 302
    seat = BoardSeat.objects.get()
    assert (seat.cadre, seat.source, seat.note, seat.votes) == (
        people["budi"],
        "election",
        "Putaran kedua 24/11",
        1,
    )


def test_installing_a_single_winner_sets_the_holder_for_the_term(
    client_for, bob, term, open_election, people
):
    vote(open_election, people["citra"], ketua=people["anisa"])
    open_election = services.election_close(actor=bob, election=open_election)
    ketua = position("ketua")
    response = client_for(bob).post(
        reverse("board:install", args=[open_election.pk]),
        {"position_pk": ketua.pk, f"p{ketua.pk}-cadre": people["anisa"].pk},
    )
    assert response.status_code == 302
    seat = BoardSeat.objects.get(term=term, position=ketua)
    assert seat.cadre == people["anisa"]
    assert AuditEvent.objects.filter(action="board.install", target_id=str(seat.pk)).exists()
    page = client_for(bob).get(BOARD).content.decode()
    assert "Anisa Calon" in page
    # Someone who was not the winner cannot be installed from the election.
    with pytest.raises(ValidationError):
        services.board_install_from_election(
            actor=bob, election=open_election, position=ketua, cadre=people["budi"]
        )


def test_the_board_is_not_installed_before_the_election_closes(bob, open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"])
    with pytest.raises(ValidationError):
        services.board_install_from_election(
            actor=bob, election=open_election, position=position("ketua"), cadre=people["anisa"]
        )


def test_a_paper_result_installs_the_holder(client_for, bob, term, people):
    services.board_positions_ensure()
    bendahara = position("bendahara")
    url = reverse("board:paper_result", args=[term.pk])
    client = english(client_for(bob))
    assert client.get(url).status_code == 200
    # Without a note: the form comes back with what was typed.
    response = client.post(url, {"position": bendahara.pk, "cadre": people["citra"].pk, "votes": "12"})
    assert response.status_code == 200
    assert 'value="12"' in response.content.decode()
    assert not BoardSeat.objects.exists()
    response = client.post(
        url,
        {
            "position": bendahara.pk,
            "cadre": people["citra"].pk,
            "votes": "12",
            "votes_cast": "20",
            "note": "Rapat 2022",
        },
    )
    assert response.status_code == 302
    seat = BoardSeat.objects.get(term=term, position=bendahara)
    assert (seat.cadre, seat.source, seat.votes, seat.votes_cast) == (people["citra"], "paper", 12, 20)
    assert AuditEvent.objects.filter(action="board.install", details__source="paper").exists()


def test_a_paper_coordinator_must_come_from_that_kecamatan(client_for, bob, term, people):
    utara = position("koordinator", f.PONTIANAK_UTARA)
    response = client_for(bob).post(
        reverse("board:paper_result", args=[term.pk]),
        {"position": utara.pk, "cadre": people["anisa"].pk, "note": "Rapat"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not BoardSeat.objects.exists()


# --- Views: voting -------------------------------------------------------------------------------


def test_a_kader_sees_the_open_elections_they_may_vote_in(client_for, open_election, people):
    response = client_for(people["citra"].user).get(MINE)
    assert response.status_code == 200
    assert reverse("board:ballot", args=[open_election.pk]) in response.content.decode()


def test_a_kader_votes_through_the_ballot_page(client_for, open_election, people):
    client = english(client_for(people["citra"].user))
    url = reverse("board:ballot", args=[open_election.pk])
    ketua, sekretaris = position("ketua"), position("sekretaris")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"position_{ketua.pk}": candidate(open_election, people["anisa"]).pk,
            f"position_{sekretaris.pk}": "abstain",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "your vote has been recorded" in response.content.decode()
    assert VoterMark.objects.filter(voter=people["citra"]).count() == 2
    assert Ballot.objects.filter(candidate=None).count() == 1


def test_the_ballot_asks_for_every_position_not_yet_voted(client_for, open_election, people):
    client = client_for(people["citra"].user)
    ketua = position("ketua")
    response = client.post(
        reverse("board:ballot", args=[open_election.pk]),
        {f"position_{ketua.pk}": candidate(open_election, people["anisa"]).pk},
    )
    assert response.status_code == 400
    assert VoterMark.objects.count() == 0
    assert "checked" in response.content.decode()  # the choice made is kept


def test_a_second_vote_through_the_view_is_refused_with_a_clear_message(client_for, open_election, people):
    client = english(client_for(people["citra"].user))
    url = reverse("board:ballot", args=[open_election.pk])
    ketua, sekretaris = position("ketua"), position("sekretaris")
    first = {
        f"position_{ketua.pk}": candidate(open_election, people["anisa"]).pk,
        f"position_{sekretaris.pk}": "abstain",
    }
    assert client.post(url, first).status_code == 302
    # The same form sent again (a second tab, the back button): the database refuses it.
    second = {
        f"position_{ketua.pk}": candidate(open_election, people["budi"]).pk,
        f"position_{sekretaris.pk}": "abstain",
    }
    response = client.post(url, second, follow=True)
    assert "You have already voted for this position." in response.content.decode()
    assert VoterMark.objects.count() == 2
    assert Ballot.objects.count() == 2
    assert not Ballot.objects.filter(candidate=candidate(open_election, people["budi"])).exists()


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_the_ballot_is_404_unless_the_election_is_open(client_for, bob, election, people, state):
    if state == "closed":
        services.election_open(actor=bob, election=election)
        services.election_close(actor=bob, election=election)
    response = client_for(people["citra"].user).get(reverse("board:ballot", args=[election.pk]))
    assert response.status_code == 404


def test_a_kader_not_on_the_roll_gets_404_on_the_ballot(client_for, open_election):
    outsider = make_cadre(user=f.KaderFactory(username="luar"), name="Orang Luar")
    response = client_for(outsider.user).get(reverse("board:ballot", args=[open_election.pk]))
    assert response.status_code == 404
    assert client_for(outsider.user).get(MINE).status_code == 200


def test_an_inactive_flagged_cadre_is_not_offered_the_ballot(client_for, bob, election):
    flagged = make_cadre(
        user=f.KaderFactory(username="ditandai"), name="Ditandai", inactive_since=timezone.now()
    )
    services.election_open(actor=bob, election=election)
    client = client_for(flagged.user)
    assert reverse("board:ballot", args=[election.pk]) not in client.get(MINE).content.decode()
    assert client.get(reverse("board:ballot", args=[election.pk])).status_code == 404


def test_a_cadre_who_stopped_gets_403_on_the_ballot(client_for, open_election, people):
    Cadre.objects.filter(pk=people["citra"].pk).update(status=CadreStatus.BERHENTI)
    response = client_for(people["citra"].user).get(reverse("board:ballot", args=[open_election.pk]))
    assert response.status_code == 403


def test_a_kader_without_a_roster_entry_cannot_vote(client_for, open_election):
    loner = f.KaderFactory(username="sendiri")
    client = english(client_for(loner))
    assert 'data-testid="no-cadre"' in client.get(MINE).content.decode()
    assert client.get(reverse("board:ballot", args=[open_election.pk])).status_code == 404


def test_the_ballot_page_refuses_other_methods(client_for, open_election, people):
    client = client_for(people["citra"].user)
    assert client.put(reverse("board:ballot", args=[open_election.pk])).status_code == 405
    assert client.post(MINE).status_code == 405


# --- Views: access per role ---------------------------------------------------------------------


def _manage_urls(election, term):
    return [
        BOARD,
        reverse("board:term_create"),
        reverse("board:election_create"),
        reverse("board:election", args=[election.pk]),
        reverse("board:paper_result", args=[term.pk]),
    ]


def test_petugas_open_every_board_page(client_for, bob, bella, election, term):
    for user in (bob, bella):
        client = client_for(user)
        for url in _manage_urls(election, term):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
def test_other_roles_are_refused_the_board_pages(client_for, everyone, election, term, who):
    client = client_for(everyone[who])
    for url in _manage_urls(election, term):
        assert client.get(url).status_code == 403, url
    for name in ("election_open", "election_close", "install", "candidate_add"):
        assert client.post(reverse(f"board:{name}", args=[election.pk])).status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_only_a_kader_opens_the_voting_pages(client_for, everyone, open_election, who):
    client = client_for(everyone[who])
    assert client.get(MINE).status_code == 403
    assert client.get(reverse("board:ballot", args=[open_election.pk])).status_code == 403


def test_the_manage_actions_refuse_get(client_for, bob, election):
    client = client_for(bob)
    for name in ("election_open", "election_close", "install", "candidate_add"):
        assert client.get(reverse(f"board:{name}", args=[election.pk])).status_code == 405
    assert client.post(BOARD).status_code == 405


def test_petugas_run_an_election_through_the_pages(client_for, bob, term, people):
    client = client_for(bob)
    response = client.post(
        reverse("board:election_create"),
        {"term": term.pk, "title": "Pemilihan Uji", "electorate": "active"},
    )
    election = Election.objects.get(title="Pemilihan Uji")
    assert response.status_code == 302
    ketua = position("ketua")
    add = reverse("board:candidate_add", args=[election.pk])
    assert client.post(add, {"position": ketua.pk, "cadre": people["anisa"].pk}).status_code == 302
    # The same candidate twice: the form comes back with the error.
    assert client.post(add, {"position": ketua.pk, "cadre": people["anisa"].pk}).status_code == 400
    assert client.post(reverse("board:election_open", args=[election.pk])).status_code == 302
    election.refresh_from_db()
    assert election.state == "open"
    assert client.post(reverse("board:election_close", args=[election.pk])).status_code == 302
    election.refresh_from_db()
    assert election.state == "closed"


def test_the_training_election_form_requires_a_training(client_for, bob, term):
    response = client_for(bob).post(
        reverse("board:election_create"),
        {"term": term.pk, "title": "Pemilihan Uji", "electorate": "training"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Election.objects.exists()


def test_the_term_form_creates_a_term(client_for, bob):
    response = client_for(bob).post(reverse("board:term_create"), {"start_year": 2022, "end_year": 2025})
    assert response.status_code == 302
    assert BoardTerm.objects.filter(start_year=2022, end_year=2025).exists()
    response = client_for(bob).post(reverse("board:term_create"), {"start_year": 2022, "end_year": 2025})
    assert response.status_code == 200  # already exists: an error at the field


# --- Query counts --------------------------------------------------------------------------------


def test_the_busy_pages_use_a_fixed_number_of_queries(
    client_for, bob, term, open_election, people, django_assert_max_num_queries
):
    for name in ("citra", "dedi", "anisa"):
        vote(open_election, people[name], ketua=people["anisa"])
    open_election = services.election_close(actor=bob, election=open_election)
    for kind in ("ketua", "wakil_ketua", "bendahara"):
        services.board_record_paper_result(
            actor=bob, term=term, position=position(kind), cadre=people["citra"], note="x"
        )
    client = client_for(bob)
    with django_assert_max_num_queries(9):
        assert client.get(BOARD).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("board:election", args=[open_election.pk])).status_code == 200


def test_the_ballot_page_uses_a_fixed_number_of_queries(
    client_for, open_election, people, django_assert_max_num_queries
):
    client = client_for(people["citra"].user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("board:ballot", args=[open_election.pk])).status_code == 200


def test_the_board_page_shows_current_holders_and_past_terms(client_for, bob, term, people):
    old = services.board_term_create(actor=bob, start_year=2018, end_year=2021)
    services.board_record_paper_result(
        actor=bob, term=old, position=position("ketua"), cadre=people["dedi"], note="Rapat 2018"
    )
    services.board_record_paper_result(
        actor=bob, term=term, position=position("ketua"), cadre=people["anisa"], note="Rapat 2022", votes=9
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(selectors.timezone, "localdate", lambda: dt.date(2023, 6, 1))
        response = client_for(bob).get(BOARD)
    page = response.content.decode()
    current = page[page.index('data-testid="current-term"') : page.index('data-testid="elections"')]
    past = page[page.index('data-testid="past-terms"') :]
    assert "2022–2025" in current and "Anisa Calon" in current
    assert f'data-testid="seat-{position("bendahara").pk}"' in current  # a vacant seat is listed too
    assert "2018–2021" in past and "Dedi Pemilih" in past
    assert "Anisa Calon" not in past


def test_an_open_election_shows_no_running_count_or_order_by_votes(client_for, bob, open_election, people):
    # Budi sorts after Anisa by name; two votes for Budi must not move him up while voting runs.
    vote(open_election, people["citra"], ketua=people["budi"])
    vote(open_election, people["dedi"], ketua=people["budi"])
    html = client_for(bob).get(reverse("board:election", args=[open_election.pk])).content.decode()
    assert html.index("Anisa Calon") < html.index("Budi Calon")
    assert 'data-testid="votes"' not in html
    tally = selectors.election_tally(election=open_election)
    assert all(c.votes == 0 for p in tally.positions for c in p.counts)


# --- Views: the result, for voters -------------------------------------------------------------


def test_a_voter_sees_the_result_once_the_election_closes(client_for, bob, open_election, people):
    vote(open_election, people["citra"], ketua=people["anisa"], sekretaris=people["budi"])
    vote(open_election, people["dedi"], ketua=people["anisa"], sekretaris=None)
    url = reverse("board:result", args=[open_election.pk])
    client = english(client_for(people["citra"].user))
    assert url not in client.get(MINE).content.decode()
    assert client.get(url).status_code == 404  # open: no count is read while votes may come in
    services.election_close(actor=bob, election=open_election)
    assert url in client.get(MINE).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    anisa = candidate(open_election, people["anisa"])
    assert f'data-testid="result-candidate-{anisa.pk}"' in body
    assert "2 of 4 voters" in body
    assert "Most votes" in body


def test_a_voter_who_did_not_vote_sees_the_result_too(client_for, bob, open_election, people):
    services.election_close(actor=bob, election=open_election)
    response = client_for(people["dedi"].user).get(reverse("board:result", args=[open_election.pk]))
    assert response.status_code == 200


def test_the_result_is_404_for_a_kader_not_on_the_roll(client_for, bob, open_election):
    outsider = make_cadre(user=f.KaderFactory(username="luar"), name="Orang Luar")
    services.election_close(actor=bob, election=open_election)
    client = client_for(outsider.user)
    assert client.get(reverse("board:result", args=[open_election.pk])).status_code == 404
    assert reverse("board:result", args=[open_election.pk]) not in client.get(MINE).content.decode()


def test_the_result_of_a_draft_election_is_404(client_for, election, people):
    response = client_for(people["citra"].user).get(reverse("board:result", args=[election.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_only_a_kader_opens_the_result_page(client_for, everyone, bob, open_election, who):
    services.election_close(actor=bob, election=open_election)
    assert client_for(everyone[who]).get(reverse("board:result", args=[open_election.pk])).status_code == 403


def test_the_result_page_refuses_post(client_for, bob, open_election, people):
    services.election_close(actor=bob, election=open_election)
    response = client_for(people["citra"].user).post(reverse("board:result", args=[open_election.pk]))
    assert response.status_code == 405


def test_a_holder_links_to_the_roster_only_for_a_petugas_who_may_open_it(
    client_for, bob, bella, term, people
):
    # Anisa serves in Bansir Laut (Pontianak Tenggara), Budi in Siantan Hulu (Pontianak Utara):
    # bella, limited to Pontianak Utara, may open Budi's roster page, not Anisa's.
    services.board_record_paper_result(
        actor=bob, term=term, position=position("ketua"), cadre=people["anisa"], note="x"
    )
    services.board_record_paper_result(
        actor=bob, term=term, position=position("sekretaris"), cadre=people["budi"], note="x"
    )
    anisa = reverse("cadres:detail", args=[people["anisa"].pk])
    budi = reverse("cadres:detail", args=[people["budi"].pk])
    for_bob = client_for(bob).get(BOARD).content.decode()
    assert anisa in for_bob and budi in for_bob
    for_bella = client_for(bella).get(BOARD).content.decode()
    assert "Anisa Calon" in for_bella and anisa not in for_bella
    assert budi in for_bella
    assert client_for(bella).get(anisa).status_code == 404
