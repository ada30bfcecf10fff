"""Login throttling: two limits on failed passwords, on SIGAP's login and Django admin's alike.

django-axes records every failed login (django.contrib.auth's ``user_login_failed``) and
refuses ``authenticate()`` while a limit is reached, whichever login form called it. SIGAP
counts failures two ways within the cool-off window (``SIGAP_LOGIN_COOLOFF_MINUTES``):

* per user name *and* address: ``SIGAP_LOGIN_FAILURE_LIMIT`` (5) failures lock that name, from
  that address only. Someone guessing from one place is stopped at once; the real owner at
  another address, and colleagues behind the same office NAT (who use other names), are not.
* per user name, from every address together: ``SIGAP_LOGIN_USERNAME_FAILURE_LIMIT`` (20)
  failures lock the name everywhere, against guessing spread over many addresses.

A refused attempt while locked is not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
off): one address can add at most the first limit to a name's total, so locking somebody
out everywhere takes several addresses, and hammering does not stretch a lockout. An address
alone is never counted, so one office behind one NAT is never locked as a whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from .services import client_ip, login_failure_record


def client_ip_for_axes(request) -> str | None:
    """The same client address the audit log records (X-Forwarded-For only when trusted)."""
    return client_ip(request)


def cool_off() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SIGAP_LOGIN_COOLOFF_MINUTES)


# Axes reads its limit and cool-off through these, so SIGAP's own settings stay the only knobs.
def failure_limit_for_axes(request=None, credentials=None) -> int:
    return settings.SIGAP_LOGIN_FAILURE_LIMIT


def cool_off_for_axes(request=None) -> dt.timedelta:
    return cool_off()


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with SIGAP's two limits, and a row in the audit log per failure."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Axes compares this number with its failure limit, SIGAP's per-address limit. It is the
        failures from this address, raised to that limit once the name's failures from all
        addresses reach the higher per-name limit: either limit then locks."""
        username = get_client_username(request, credentials)
        counted = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            everywhere=Sum("failures_since_start"),
            here=Sum("failures_since_start", filter=Q(ip_address=request.axes_ip_address)),
        )
        here, everywhere = counted["here"] or 0, counted["everywhere"] or 0
        if everywhere >= settings.SIGAP_LOGIN_USERNAME_FAILURE_LIMIT:
            return max(here, settings.SIGAP_LOGIN_FAILURE_LIMIT)
        return here

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Set by axes' backend when it refused without checking the password (already locked).
        refused_while_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused_while_locked:
            return
        login_failure_record(
            username=get_client_username(request, credentials) or "",
            ip=request.axes_ip_address,
            path=request.path,
            locked=bool(request.axes_locked_out),
        )


def lockout_response(request, original_response=None, credentials=None):
    """A locked-out login gets a page that says what happened and what to do, in the user's
    language (status 429), on SIGAP's login and on Django admin's."""
    minutes = settings.SIGAP_LOGIN_COOLOFF_MINUTES
    return render(
        request,
        "accounts/login_locked.html",
        {"minutes": minutes, "retry_url": request.path},
        status=429,
    )


# --- What the admin sees -------------------------------------------------------------------------


@dataclass(frozen=True)
class LockState:
    """A user name's failed logins within the cool-off window."""

    failures: int
    locked: bool
    until: dt.datetime | None  # when the last lock ends by itself


def _window_start() -> dt.datetime:
    return timezone.now() - cool_off()


def lock_state(username: str) -> LockState:
    return lock_states([username]).get(username, LockState(failures=0, locked=False, until=None))


def lock_states(usernames) -> dict[str, LockState]:
    """The lock state of several user names in one query (for a page of the user list)."""
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=_window_start())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        by_name.setdefault(row["username"], []).append(row)
    return {name: _state(groups) for name, groups in by_name.items()}


def _state(groups: list[dict]) -> LockState:
    total = sum(g["failures"] for g in groups)
    locking = [g for g in groups if g["failures"] >= settings.SIGAP_LOGIN_FAILURE_LIMIT]
    if total >= settings.SIGAP_LOGIN_USERNAME_FAILURE_LIMIT:
        locking = groups
    until = max(g["last"] for g in locking) + cool_off() if locking else None
    return LockState(failures=total, locked=bool(locking), until=until)


def recent_failures(limit: int = 200) -> list[dict]:
    """Failed logins within the cool-off window, per user name and address, newest first."""
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_window_start())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")[:limit]
    )
    rows = list(rows)
    states = lock_states({r["username"] for r in rows if r["username"]})
    for row in rows:
        state = states.get(row["username"])
        row["locked_here"] = row["failures"] >= settings.SIGAP_LOGIN_FAILURE_LIMIT or bool(
            state and state.failures >= settings.SIGAP_LOGIN_USERNAME_FAILURE_LIMIT
        )
        row["until"] = row["last"] + cool_off() if row["locked_here"] else None
    return rows
