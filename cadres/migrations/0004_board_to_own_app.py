"""The board and its election now belong to the board app (board 0001 takes them over);
the cadres app forgets them. The tables and their rows stay as they are."""

from django.db import migrations

BOARD_MODELS = (
    "Ballot",
    "VoterMark",
    "ElectionVoter",
    "BoardSeat",
    "Candidate",
    "Election",
    "BoardPosition",
    "BoardTerm",
)


class Migration(migrations.Migration):

    dependencies = [
        ("cadres", "0003_board"),
        ("board", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name=name) for name in BOARD_MODELS],
        ),
    ]
