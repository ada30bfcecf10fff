"""Create SIGAP's demo users (idempotent). Synthetic data only, never real people."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Role, User
from kelurahan.models import Kelurahan

# username, first name, last name, role, kelurahan code
DEMO_USERS = (
    ("admin", "Admin", "SIGAP", Role.ADMIN, None),
    ("petugas", "Rina", "Petugas", Role.PETUGAS, None),
    ("kader", "Siti", "Kader", Role.KADER, "61.71.06.1001"),  # Bansir Laut, Pontianak Tenggara
    ("kader2", "Dewi", "Kader", Role.KADER, "61.71.04.1001"),  # Siantan Hulu, Pontianak Utara
    ("kpad", "Hendra", "Komisioner", Role.KPAD, None),
)


class Command(BaseCommand):
    help = "Create the demo users (password 'sigap-demo'). Refuses when DEBUG is off unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on a production database)"
        )

    @transaction.atomic
    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("Demo data is for development: DEBUG is off. Use --force if this is really a test machine.")
            )
        password = settings.SIGAP_DEMO_PASSWORD
        rows = []
        for username, first, last, role, kelurahan_code in DEMO_USERS:
            kelurahan = Kelurahan.objects.get(code=kelurahan_code) if kelurahan_code else None
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    actor=None,
                    username=username,
                    password=password,
                    role=role,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@sigap.invalid",
                    kelurahan=kelurahan,
                )
                state = _("created")
            else:
                state = _("already there")
            rows.append((username, user.get_role_display(), user.area_label or "—", state))
        self.stdout.write(_("Demo users (password: %(password)s):") % {"password": password})
        for username, role, area, state in rows:
            self.stdout.write(f"  {username:<8} {role:<22} {area:<16} {state}")
