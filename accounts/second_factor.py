"""The second factor: an authenticator app (TOTP, RFC 6238, via django-otp) and recovery codes.

* Enrolment: one unconfirmed TOTP device is made and shown as a QR code (drawn on the server,
  no outside service) and as its key, until the user types a code from the app. Then it is
  confirmed, an older authenticator of the user's removed, and ten recovery codes made and
  shown once.
* Recovery codes: django-otp static tokens; each works once (deleted when used). Making new
  ones voids the old.
* At login: six digits from the app, or one recovery code. Both are throttled by django-otp
  (after each wrong code the next try waits 1, 2, 4, 8… seconds) and checked with the device
  row locked, so one code cannot be used twice at once.

Every write here owns its transaction and writes its audit row, as services do.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .services import audit_record

APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code is copied by hand from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
TOTP_CODE = re.compile(r"\d{6}")


# --- Reading ------------------------------------------------------------------------------------


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user: User) -> TOTPDevice:
    """The authenticator being set up: made once, so a reloaded page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no style attribute: the CSP holds)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        title=_("QR code for the authenticator app"),
    )


def key_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalize_recovery_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").lower()


def _format_recovery_code(code: str) -> str:
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


# --- Writing ------------------------------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = {
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    }
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in sorted(codes)])
    return [_format_recovery_code(code) for code in sorted(codes)]


@transaction.atomic
def second_factor_enrol(
    *, user: User, device_id: int, token: str, ip: str | None = None
) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the authenticator being set up with a code from it. Returns the device and the new
    recovery codes (to be shown once), or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    token = (token or "").strip()
    if device is None or not TOTP_CODE.fullmatch(token) or not device.verify_token(token):
        return None
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).delete()[0]
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="otp.enrol", target=user, ip=ip, details={"replaced": bool(replaced)})
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, ip: str | None = None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="otp.recovery_codes", target=user, ip=ip)
    return codes


@transaction.atomic
def second_factor_disable(*, user: User, ip: str | None = None) -> None:
    """The user's own choice (only offered to roles for which it is optional)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(actor=user, action="otp.disable", target=user, ip=ip)


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice | StaticDevice | None = None
    error: str = ""
    recovery_codes_left: int | None = None  # set when a recovery code was used

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def second_factor_verify(*, user: User, code: str, ip: str | None = None) -> Verification:
    """Check a code given at login: six digits from the app, or a recovery code.

    A wrong code is recorded in the audit log (whoever gives it knows the password)."""
    code = (code or "").strip()
    if TOTP_CODE.fullmatch(code):
        model, token, recovery = TOTPDevice, code, False
    else:
        model, token, recovery = StaticDevice, normalize_recovery_code(code), True
    device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        if recovery:
            return Verification(error=_("This account has no recovery codes. Use the code from the app."))
        return Verification(error=_("This account has no authenticator app. Use a recovery code."))
    allowed, why = device.verify_is_allowed()
    if not allowed:
        return Verification(error=throttled_message(why))
    if not device.verify_token(token):
        audit_record(
            actor=user, action="login.otp_failed", target=user, ip=ip, details={"recovery_code": recovery}
        )
        return Verification(error=_("That code is wrong or has expired. Try the newest code."))
    if recovery:
        left = StaticToken.objects.filter(device=device).count()
        audit_record(actor=user, action="otp.recovery_used", target=user, ip=ip, details={"left": left})
        return Verification(device=device, recovery_codes_left=left)
    return Verification(device=device)


def throttled_message(why: dict | None) -> str:
    from django.utils import formats, timezone

    until = (why or {}).get("locked_until")
    if until is None:
        return _("Too many wrong codes. Wait a moment, then try again.")
    return _("Too many wrong codes. Try again after %(time)s.") % {
        "time": formats.time_format(timezone.localtime(until), "H:i:s")
    }
