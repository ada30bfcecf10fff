from django.core.management.base import BaseCommand

from accounts.outbox import outbox_drain, outbox_retry_failed, outbox_summary


class Command(BaseCommand):
    help = (
        "Show the work waiting in the outbox (emails, escalations at once, large exports) per task: "
        "jobs waiting, failed after every try, and the oldest waiting. --retry-failed gives failed "
        "jobs their tries again; --drain sends the due jobs now (what beat does every few seconds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retry-failed", action="store_true", help="try the failed jobs again")
        parser.add_argument("--drain", action="store_true", help="send the due jobs to the workers now")

    def handle(self, *args, **options):
        if options["retry_failed"]:
            self.stdout.write(f"failed jobs to try again: {outbox_retry_failed()}")
        if options["drain"]:
            self.stdout.write(f"jobs sent: {outbox_drain()}")
        rows = outbox_summary()
        if not rows:
            self.stdout.write("The outbox is empty: nothing waits.")
        for row in rows:
            oldest = f", oldest waiting {int(row['oldest'].total_seconds())} s" if row["oldest"] else ""
            self.stdout.write(f"{row['task']}: {row['waiting']} waiting, {row['failed']} failed{oldest}")
