"""Indexes for the case lists that only PostgreSQL has (no model state: SQLite gets nothing).

* a pg_trgm GIN index on UPPER(child name), which serves the list's name search
  (Django's ``icontains`` is ``UPPER(name) LIKE UPPER('%...%')`` on PostgreSQL);
* partial indexes for the rare flags the lists filter and sort by (online prostitution,
  escalated to KPAD), and one for the list's order (newest first, then id).

Creating the pg_trgm extension needs a privileged role on some hosts. If it is refused the
migration goes on without the trigram index (the name search still works, by a scan) and
says so; an administrator can run ``CREATE EXTENSION pg_trgm`` and migrate again
(``migrate cases 0001`` then ``migrate cases``).
"""

import logging
import sys

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = {
    "cases_case_reported_id_idx": "ON cases_case (reported_at DESC, id DESC)",
    "cases_case_online_prost_idx": "ON cases_case (reported_at DESC, id DESC) WHERE online_prostitution",
    "cases_case_escalated_part_idx": (
        "ON cases_case (escalated_at DESC, id DESC) WHERE escalated_at IS NOT NULL"
    ),
}
TRIGRAM_INDEX = "cases_child_name_trgm_idx"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, definition in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:
            message = (
                "pg_trgm could not be created (%s): the case list's name search works without its "
                "trigram index. Ask a database administrator to CREATE EXTENSION pg_trgm, then migrate again."
            )
            logger.warning(message, exc)
            sys.stderr.write((message % exc) + "\n")
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON cases_child USING gin (UPPER(name) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in [*INDEXES, TRIGRAM_INDEX]:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
