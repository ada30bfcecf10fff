"""Run the inactive-cadre job by hand: ``python manage.py flag_inactive_cadres [--dry-run]``."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from cadres import services


class Command(BaseCommand):
    help = (
        "Flag active cadres with no activity for CADRE_INACTIVE_DAYS, un-flag those active again, "
        "and send the petugas one digest (as the daily Celery task does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would change; change nothing, send nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        result = services.flag_inactive_cadres(now=timezone.now(), dry_run=dry_run)
        cutoff = timezone.localtime(result.cutoff)
        prefix = "Dry run: would flag" if dry_run else "Flagged"
        self.stdout.write(
            f"{prefix} {result.flagged} cadre(s) inactive, "
            f"{'would un-flag' if dry_run else 'un-flagged'} {result.unflagged} "
            f"(no activity for {settings.CADRE_INACTIVE_DAYS} days, since before {cutoff:%Y-%m-%d %H:%M}); "
            f"{result.notified} petugas notified."
        )
