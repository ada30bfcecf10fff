"""Moving the board from the cadres app to its own keeps every row (run on the CI's PostgreSQL).

The database is taken back to before the move, filled through the models as they were then
(cadres.BoardTerm, ...), and migrated forward again: the same rows must be there, in the
board app's tables, with their links to the roster intact and the ballots still unlinked.
"""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

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
from tests import factories as f

BEFORE_THE_MOVE = [("cadres", "0003_board"), ("board", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(db):
    """The historical models from before the move; the database goes back to the latest
    migrations afterwards, whatever the test did."""
    f.ensure_regions()  # an earlier transactional test may have flushed the regions
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_move_to_the_board_app_keeps_every_row(before_the_move):
    old = before_the_move
    Kelurahan = old.get_model("kelurahan", "Kelurahan")
    Cadre = old.get_model("cadres", "Cadre")
    kelurahan = Kelurahan.objects.get(code=f.BANSIR_LAUT)
    ani = Cadre.objects.create(name="Ani", sex="P", kelurahan=kelurahan, cohort=2022, status="aktif")
    budi = Cadre.objects.create(name="Budi", sex="L", kelurahan=kelurahan, cohort=2019, status="aktif")
    term = old.get_model("cadres", "BoardTerm").objects.create(start_year=2022, end_year=2025)
    ketua = old.get_model("cadres", "BoardPosition").objects.create(kind="ketua", sort_order=0)
    election = old.get_model("cadres", "Election").objects.create(
        term=term, title="Pemilihan 2022", state="closed"
    )
    candidate = old.get_model("cadres", "Candidate").objects.create(
        election=election, position=ketua, cadre=ani
    )
    old.get_model("cadres", "ElectionVoter").objects.create(election=election, cadre=budi)
    old.get_model("cadres", "VoterMark").objects.create(election=election, position=ketua, voter=budi)
    ballot_id = uuid.uuid4()
    old.get_model("cadres", "Ballot").objects.create(
        id=ballot_id, election=election, position=ketua, candidate=candidate
    )
    old.get_model("cadres", "BoardSeat").objects.create(
        term=term, position=ketua, cadre=ani, source="election", election=election, votes=1, votes_cast=1
    )

    migrate(latest())

    assert list(BoardTerm.objects.values_list("pk", "start_year", "end_year")) == [(term.pk, 2022, 2025)]
    assert BoardPosition.objects.get().kind == "ketua"
    moved = Election.objects.get()
    assert (moved.pk, moved.title, moved.state) == (election.pk, "Pemilihan 2022", "closed")
    assert Candidate.objects.get().cadre.name == "Ani"
    assert ElectionVoter.objects.get().cadre_id == budi.pk
    assert VoterMark.objects.get().voter_id == budi.pk
    assert Ballot.objects.get().pk == ballot_id
    seat = BoardSeat.objects.select_related("cadre", "election").get()
    assert (seat.cadre.name, seat.election_id, seat.votes) == ("Ani", election.pk, 1)
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    names = (
        "boardterm",
        "boardposition",
        "election",
        "candidate",
        "electionvoter",
        "votermark",
        "ballot",
        "boardseat",
    )
    assert {f"board_{name}" for name in names} <= tables
    assert not {f"cadres_{name}" for name in names} & tables
    # The ballots stay unlinkable to their voters: no voter column came with the move.
    assert "voter_id" not in {
        c.name for c in connection.introspection.get_table_description(connection.cursor(), "board_ballot")
    }
    assert ContentType.objects.filter(app_label="board", model="election").exists()
    assert not ContentType.objects.filter(app_label="cadres", model="election").exists()
    # New rows go on where the old ids stopped.
    assert BoardTerm.objects.create(start_year=2026, end_year=2029).pk > term.pk
