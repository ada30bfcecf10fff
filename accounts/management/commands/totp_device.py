"""Give a user a confirmed authenticator with a known key, for scripts that log in as that user
(a smoke crawl, a load test) and compute the codes themselves.

    python manage.py totp_device petugas --key 3132333435363738393031323334353637383930 --force

prints the key (hex), which a script turns into the current code with
``django_otp.oath.TOTP(bytes.fromhex(key)).token()`` (six digits, zero-padded) or any RFC 6238
tool. Refused when DEBUG is off unless --force: on a real server it would hand out a user's
second factor, so it is for test and demo databases only. Audited like an enrolment.
"""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import audit_record


class Command(BaseCommand):
    help = "Give USERNAME a confirmed TOTP authenticator with a known key (test and demo databases only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--key", help="the key as 40 hex digits (20 bytes); a random one if left out")
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on a production database)"
        )

    def handle(self, *args, username, key=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off: this would hand out a user's second factor. "
                    "Add --force on a test database only."
                )
            )
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as missing:
            raise CommandError(_("No user %(username)s.") % {"username": username}) from missing
        key = (key or secrets.token_hex(20)).lower()
        if len(key) != 40 or any(ch not in "0123456789abcdef" for ch in key):
            raise CommandError(_("The key must be 40 hex digits."))
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)
            audit_record(actor=None, action="otp.enrol", target=user, details={"command": "totp_device"})
        self.stdout.write(key)
