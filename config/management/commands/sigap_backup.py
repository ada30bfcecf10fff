"""`manage.py sigap_backup`: the database and the private media in one verified archive (`make backup`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from config.backup import BackupError, backup


class Command(BaseCommand):
    # A backup or a restore must work on an installation whose settings are incomplete (a drill
    # machine, a server being rebuilt): the deployment checks are not its business.
    requires_system_checks = []
    help = (
        "Back up SIGAP's PostgreSQL database and private media (attachments) into one archive with a "
        "manifest of row counts and SHA-256 hashes. The archive holds children's data: keep it on "
        "encrypted storage only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="The archive to write (default: sigap-backup-YYYYMMDD-HHMMSS.tar in the current folder).",
        )

    def handle(self, *args, **options):
        output = options["output"] or f"sigap-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
        try:
            manifest = backup(
                db=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                output=Path(output),
                say=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup complete: {len(manifest['database']['tables'])} tables, "
                f"{sum(manifest['database']['tables'].values())} rows, "
                f"{len(manifest['media']['files'])} files, SIGAP {manifest['sigap_version']}."
            )
        )
