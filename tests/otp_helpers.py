"""Second-factor helpers for tests: a known authenticator key and the codes it shows."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# RFC 6238's own test key ("12345678901234567890"), hex.
KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user, key: str = KEY) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)


def code_for(key: str = KEY, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or that many 30-second steps later: an app's code is accepted
    once, and one step early or late, so a second login within 30 seconds uses the next one)."""
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def key_from_typed(text: str) -> str:
    """The hex key from the base32 key the enrolment page shows for typing."""
    import base64

    compact = text.replace(" ", "")
    return base64.b32decode(compact + "=" * (-len(compact) % 8)).hex()


def verified_client(user):
    """A test client logged in as ``user`` with the second factor given (an authenticator is
    added if the user has none), as after a full login."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import SESSION_HAS_SECOND_FACTOR

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or give_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_HAS_SECOND_FACTOR] = True
    session.save()
    return client
