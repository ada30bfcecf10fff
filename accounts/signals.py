"""Signal receivers of accounts (connected in AccountsConfig.ready)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import session_start


@receiver(user_logged_in, dispatch_uid="sigap-session-start")
def _session_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request, user)
