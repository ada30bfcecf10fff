"""Session rules that hold on every request: the idle timeout, and nothing before the second factor."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .policy import second_factor_required

SESSION_LOGIN_AT = "sigap_login_at"
SESSION_SEEN_AT = "sigap_seen_at"
SESSION_HAS_SECOND_FACTOR = "sigap_has_2fa"
# The last-seen time is written at most this often: a session write per request is not needed
# to know that someone was idle for half an hour.
SEEN_GRANULARITY_SECONDS = 60


def _wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get(
        "accept", ""
    )


def session_start(request, user) -> None:
    """At login (accounts.signals): remember when the session began and whether the user has a
    second factor to give, so the middleware below need not ask the database on every request."""
    from .second_factor import has_second_factor

    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    request.session[SESSION_HAS_SECOND_FACTOR] = has_second_factor(user)


def mark_second_factor(request, *, present: bool) -> None:
    request.session[SESSION_HAS_SECOND_FACTOR] = present


class SessionIdleMiddleware:
    """Log a user out after SIGAP_SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE
    after the login however busy (Django's own expiry slides with every session write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refused = self._expired(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _expired(self, request):
        session = request.session
        now = time.time()
        login_at = session.setdefault(SESSION_LOGIN_AT, now)
        seen_at = session.get(SESSION_SEEN_AT, now)
        idle_minutes = settings.SIGAP_SESSION_IDLE_MINUTES
        if now - seen_at > idle_minutes * 60:
            message = _(
                "You were logged out after %(minutes)s minutes without activity. Please log in again."
            ) % {"minutes": idle_minutes}
        elif now - login_at > settings.SESSION_COOKIE_AGE:
            message = _("Your session has ended after %(hours)s hours. Please log in again.") % {
                "hours": round(settings.SESSION_COOKIE_AGE / 3600)
            }
        else:
            if now - seen_at >= SEEN_GRANULARITY_SECONDS or SESSION_SEEN_AT not in session:
                session[SESSION_SEEN_AT] = now
            return None
        logout(request)
        if _wants_json(request):
            return JsonResponse({"error": message, "login": reverse(settings.LOGIN_URL)}, status=401)
        messages.info(request, message)
        next_url = request.get_full_path() if request.method == "GET" else ""
        login = reverse(settings.LOGIN_URL)
        return redirect(f"{login}?{urlencode({'next': next_url})}" if next_url else login)


# What a signed-in user may reach before giving the second factor.
PENDING_ALLOWED = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp_verify",
        "accounts:otp_enrol",
        "set_language",
        "healthz",
        "csp_report",
    }
)


def second_factor_step(request) -> str | None:
    """What stands between this session and SIGAP: "verify" (give a code), "enrol" (set up an
    authenticator first, for a role that must have one), or None."""
    user = request.user
    # Right after django.contrib.auth.login() the user is not yet wrapped by django-otp.
    verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or (verified is not None and verified()):
        return None
    has = request.session.get(SESSION_HAS_SECOND_FACTOR)
    if has is None:  # a session that began before this rule: ask once
        from .second_factor import has_second_factor

        has = has_second_factor(user)
        mark_second_factor(request, present=has)
    if has:
        return "verify"
    if second_factor_required(user):
        return "enrol"
    return None


class SecondFactorMiddleware:
    """After the password and before anything else: a user with an authenticator gives its code; a
    role that must have one and has none sets one up. Until then the session has no capability
    (accounts.policy reads the mark set here) and every other page redirects to that step."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.second_factor_step = second_factor_step(request) if hasattr(request, "user") else None
        if request.second_factor_step:
            request.user.second_factor_pending = True
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = getattr(request, "second_factor_step", None)
        if not step or request.resolver_match.view_name in PENDING_ALLOWED:
            return None
        if _wants_json(request):
            return JsonResponse({"error": _("Give your second factor first.")}, status=403)
        target = reverse("accounts:otp_verify" if step == "verify" else "accounts:otp_enrol")
        next_url = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
