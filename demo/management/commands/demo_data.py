"""Create SIGAP's demo: its users, the cadre roster, the 2022 training and board, and a year of
cases lived through the services (idempotent); ``--cases N`` adds N more synthetic cases for
load tests. Synthetic data only, never real people.

The demo's year ends now. Its users and roster were set up a month before the year began, so
every row carries a believable date: nothing is dated "now" that happened months ago."""

import datetime as dt

import time_machine
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Role, User
from board.demo import seed_demo_board
from cadres.demo import demo_roster_entry, link_demo_users, seed_demo_cadres
from cases import demo as case_demo
from demo import year
from kelurahan.models import Kelurahan
from privacy.demo import seed_demo_privacy
from training.demo import seed_demo_training

# username, first name, last name, role, kelurahan code, supervisor
DEMO_USERS = (
    ("admin", "Admin", "SIGAP", Role.ADMIN, None, False),
    ("petugas", "Rina", "Petugas", Role.PETUGAS, None, False),
    ("kasubid", "Yuni", "Kasubid", Role.PETUGAS, None, True),  # Kasubid PP & PA: approves plans, closures
    ("kader", "Siti", "Kader", Role.KADER, "61.71.06.1001", False),  # Bansir Laut, Pontianak Tenggara
    ("kader2", "Dewi", "Kader", Role.KADER, "61.71.04.1001", False),  # Siantan Hulu, Pontianak Utara
    ("kpad", "Hendra", "Komisioner", Role.KPAD, None, False),
)


class Command(BaseCommand):
    help = (
        "Create the demo users (password 'sigap-demo'), the roster, training and board, and a year of "
        "demo cases; --cases N adds N more synthetic cases. Refuses when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on a production database)"
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            metavar="N",
            help="add N more synthetic cases with bulk inserts (for load tests)",
        )

    def handle(self, *args, force: bool, cases: int = 0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("Demo data is for development: DEBUG is off. Use --force if this is really a test machine.")
            )
        if cases < 0:
            raise CommandError(_("--cases must be zero or more."))
        end = timezone.now()
        set_up = end - dt.timedelta(days=year.YEAR_DAYS + 30)
        # The demo's escalations notify people; their emails would only flood the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with time_machine.travel(set_up, tick=False):
                # The roster first: a demo kader's account is linked to a cadre of its kelurahan
                # when it is created (cadres listens to accounts' roster_account_saved).
                seed_demo_cadres()
                self.create_users()
                link_demo_users()
                # The 2022 training and its board, entered as history when SIGAP was set up.
                seed_demo_training()
                seed_demo_board()
            self.create_cases(extra=cases, end=end)
            if seed_demo_privacy(petugas=User.objects.get(username="petugas")):
                self.stdout.write(_("Privacy registers: a subject request and a breach added."))

    @transaction.atomic
    def create_users(self):
        password = settings.SIGAP_DEMO_PASSWORD
        rows = []
        for username, first, last, role, kelurahan_code, supervisor in DEMO_USERS:
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
                    is_supervisor=supervisor,
                    roster=demo_roster_entry(kelurahan) if kelurahan else None,
                )
                state = _("created")
            else:
                state = _("already there")
            rows.append((username, user.get_role_display(), user.area_label or "—", state))
        self.stdout.write(_("Demo users (password: %(password)s):") % {"password": password})
        for username, role, area, state in rows:
            self.stdout.write(f"  {username:<8} {role:<22} {area:<16} {state}")

    def create_cases(self, *, extra: int, end: dt.datetime) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["petugas", "kasubid", "kader", "kader2", "kpad"])
        }
        if not case_demo.demo_cases_exist():
            self.stdout.write(
                _("Demo cases: living a year of cases through the services, this takes a while…")
            )
        seeded = year.seed_demo_cases(
            petugas=users["petugas"],
            kaders=[users["kader"], users["kader2"]],
            kpad_user=users["kpad"],
            supervisor=users.get("kasubid"),
            end=end,
        )
        if seeded:
            self.stdout.write(_("Demo cases: %(count)d created.") % {"count": seeded})
        else:
            self.stdout.write(_("Demo cases: they exist already, none added."))
        if extra:

            def progress(done: int) -> None:
                if done % 10000 == 0 or done == extra:
                    self.stdout.write(
                        _("Synthetic cases: %(done)d of %(total)d") % {"done": done, "total": extra}
                    )

            case_demo.bulk_demo_cases(extra, progress=progress)
