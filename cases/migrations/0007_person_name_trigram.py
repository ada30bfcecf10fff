"""The case list's name search goes through the child's Person: its pg_trgm index follows.

The index on ``cases_child (UPPER(name))`` of 0002 went with the column; this one serves
``Person.name__icontains`` (``UPPER(name) LIKE UPPER('%...%')`` on PostgreSQL). As in 0002,
when pg_trgm cannot be created the migration goes on without the index and says so.
"""

import logging
import sys

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

TRIGRAM_INDEX = "cases_person_name_trgm_idx"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
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
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON cases_person USING gin (UPPER(name) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_identity_on_person")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
