from django.core.management.base import BaseCommand

from cases.escalation import escalation_sweep


class Command(BaseCommand):
    help = (
        "Apply the escalation rules to every open case now (what the 15-minute beat job does). "
        "Safe to run at any time: a case already escalated under a rule is not escalated again."
    )

    def handle(self, *args, **options):
        counts = escalation_sweep()
        for rule, count in counts.items():
            self.stdout.write(f"{rule}: {count}")
