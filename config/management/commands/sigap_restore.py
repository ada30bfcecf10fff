"""`manage.py sigap_restore ARCHIVE`: an archive of sigap_backup into an empty database and folder,
then verified (`make restore`)."""

from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.backup import BackupError, read_archive, restore


class Command(BaseCommand):
    # A backup or a restore must work on an installation whose settings are incomplete (a drill
    # machine, a server being rebuilt): the deployment checks are not its business.
    requires_system_checks = []
    help = (
        "Restore an archive made by sigap_backup into an EMPTY PostgreSQL database and an empty media "
        "folder, then check every table's row count and every file's SHA-256 against the archive's "
        "manifest. The archive is checked whole before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive made by sigap_backup.")
        parser.add_argument(
            "--database-url",
            help="The database to restore into (default: DATABASE_URL). It must exist and be empty.",
        )
        parser.add_argument(
            "--media-root",
            help="The folder for the files (default: SIGAP_PRIVATE_MEDIA_ROOT); it must be empty.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the target database and folder hold. Everything in them is lost.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive against its manifest; restore nothing.",
        )

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        db = (
            environ.Env.db_url_config(options["database_url"])
            if options["database_url"]
            else connection.settings_dict
        )
        media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
        try:
            if options["check"]:
                tar, manifest = read_archive(archive)
                tar.close()
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The archive is whole: made {manifest['created_at']} by SIGAP "
                        f"{manifest['sigap_version']}; {len(manifest['database']['tables'])} tables, "
                        f"{sum(manifest['database']['tables'].values())} rows, "
                        f"{len(manifest['media']['files'])} files; every hash matches."
                    )
                )
                return
            result = restore(
                archive=archive, db=db, media_root=media_root, replace=options["force"], say=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Check: {result.tables_checked} tables ({result.rows} rows), "
            f"{result.files_checked} files ({result.bytes} bytes)."
        )
        if not result.ok:
            for table, (want, got) in sorted(result.table_mismatches.items()):
                self.stderr.write(f"  {table}: {got} rows, the archive has {want}")
            for name in result.file_mismatches:
                self.stderr.write(f"  {name}: missing or different from the archive")
            raise CommandError("The restored data does NOT match the archive (see above).")
        self.stdout.write(
            self.style.SUCCESS("Restore verified: every row count and every file hash matches.")
        )
