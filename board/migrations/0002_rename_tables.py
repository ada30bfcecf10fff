"""The board's tables take the board app's names (cadres_election -> board_election, ...),
with every row in them, and so does the ballots' index; the content types follow, so
permissions stay attached."""

from django.db import migrations

MODELS = (
    "boardterm",
    "boardposition",
    "election",
    "candidate",
    "electionvoter",
    "votermark",
    "ballot",
    "boardseat",
)


def content_types_to(app_label: str, from_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        ContentType.objects.using(db).filter(app_label=from_label, model__in=MODELS).exclude(
            model__in=ContentType.objects.using(db).filter(app_label=app_label).values("model")
        ).update(app_label=app_label)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("board", "0001_initial"),
        ("cadres", "0004_board_to_own_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=name, table=None) for name in MODELS],
        migrations.RenameIndex(
            model_name="ballot",
            new_name="board_ballo_electio_d2439f_idx",
            old_name="cadres_ball_electio_759629_idx",
        ),
        migrations.RunPython(content_types_to("board", "cadres"), content_types_to("cadres", "board")),
    ]
