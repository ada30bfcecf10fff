"""The signals accounts sends, and its receivers (connected in AccountsConfig.ready)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from .middleware import session_start

# Sent inside the transaction of user_create / user_update when the account is (now) a cadre's
# (policy.on_the_roster), with user, actor, ip and what the form said of the cadre (nik, sex,
# cohort; cadre_id when the roster gave the login). The cadres app links the account to its
# roster entry or puts the cadre on the roster: accounts sits below cadres and cannot call it.
roster_account_saved = Signal()


@receiver(user_logged_in, dispatch_uid="sigap-session-start")
def _session_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request, user)
