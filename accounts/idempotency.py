"""Every state-changing request may be sent twice and still act once.

A phone on mobile data loses replies: Chromium then silently sends the same POST again, the
kader taps "Kirim" a second time, or taps twice. So every POST form carries a key the browser
made for it (``static/js/send-once.js`` adds the hidden field ``idempotency_key``; a script
that posts with fetch() sends the ``Idempotency-Key`` header), and this middleware, for a
signed-in user:

1. opens one transaction and claims (user, key) in ``IdempotencyKey``, whose unique index is
   the whole guarantee: a concurrent request with the same key blocks on that index until
   the first commits (PostgreSQL), then finds the row;
2. runs the view inside that transaction, so the view's writes and the claim commit together
   or not at all;
3. keeps the answer if it is a success worth replaying (a redirect: status and Location; a
   JSON answer: its body), and drops the claim otherwise: a form sent back with errors (200,
   400) must be correctable and sendable again with the same key;
4. answers a repeat with the kept answer, without running the view again.

The same key sent to another address is refused (422): it is a bug or a tampered request,
never a retry. Keys are the user's own (another user's key never replays), and expire after
``SIGAP_IDEMPOTENCY_KEY_DAYS`` (``idempotency_keys_purge``, run daily by beat).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyKey

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
# Tells send-once.js that the send with this key was answered: it forgets the key it kept for
# a re-send, and gives back the send button of a page that stays (a download). Readable by the
# script, so not HttpOnly; the key is no secret.
SENT_COOKIE = "sigap_sent"
REPLAY_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
# Cookies that are the session's own: never replayed from another moment.
_OWN_COOKIES = {"messages"}


def idempotency_exempt(view):
    """For a view whose every request must run (none so far): the middleware leaves it be."""
    view.idempotency_exempt = True
    return view


def _wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get(
        "accept", ""
    )


def _key_of(request) -> str:
    key = request.headers.get(HEADER, "")
    if not key and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        key = request.POST.get(FIELD, "")
    return key.strip()


def _refuse(request, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    html = render_to_string("accounts/idempotency_refused.html", {"message": message}, request=request)
    return HttpResponse(html, status=status)


def _expiry_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.SIGAP_IDEMPOTENCY_KEY_DAYS)


def _storable(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    if 300 <= response.status_code < 400:
        return response.has_header("Location")
    if 200 <= response.status_code < 300:
        return response.status_code == 204 or response.get("Content-Type", "").startswith("application/json")
    return False


def _cookies_of(response) -> list[dict]:
    own = {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        SENT_COOKIE,
    }
    kept = []
    for name, morsel in response.cookies.items():
        if name in own or name in _OWN_COOKIES:
            continue
        kept.append(
            {
                "name": name,
                "value": morsel.value,
                "max_age": int(morsel["max-age"]) if morsel["max-age"] else None,
                "path": morsel["path"] or "/",
                "samesite": morsel["samesite"] or None,
                "httponly": bool(morsel["httponly"]),
                "secure": bool(morsel["secure"]),
            }
        )
    return kept


def _mark_sent(response, key: str) -> None:
    response.set_cookie(SENT_COOKIE, key, max_age=300, samesite="Lax", httponly=False)


def _replay(request, row: IdempotencyKey) -> HttpResponse:
    if row.status is None:
        # Only a row of a transaction still open could be like this, and those are not seen.
        return _refuse(
            request, _("This form is still being sent. Wait a moment, then open the page again."), 409
        )
    if row.location:
        response = HttpResponseRedirect(row.location)
        response.status_code = row.status
        messages.info(request, _("This was already sent earlier, so it was not saved a second time."))
    else:
        response = HttpResponse(row.body, status=row.status, content_type=row.content_type or None)
    for cookie in row.cookies:
        response.set_cookie(
            cookie["name"],
            cookie["value"],
            max_age=cookie["max_age"],
            path=cookie["path"],
            samesite=cookie["samesite"],
            httponly=cookie["httponly"],
            secure=cookie["secure"],
        )
    response[REPLAY_HEADER] = "true"
    _mark_sent(response, row.key)
    return response


def _claim(*, user, key: str, request, now: dt.datetime) -> tuple[IdempotencyKey, bool]:
    """Claim the key inside the caller's transaction (True), or return the row that holds it
    (False). Blocks while another open transaction holds the same key (the unique index), so
    a row returned as held was committed."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, key=key, method=request.method, path=request.path[:500], created_at=now
                )
            return row, True
        except IntegrityError:
            found = IdempotencyKey.objects.filter(user=user, key=key).first()
            if found is None:
                continue  # the first request's claim was dropped meanwhile: claim it now
            if found.created_at < _expiry_cutoff(now):
                found.delete()
                continue
            return found, False
    raise RuntimeError("could not claim an idempotency key")  # pragma: no cover - three races lost


class IdempotencyMiddleware:
    """See the module's docstring. Placed last, so CSRF, the session rules and the second
    factor have said yes before a key is claimed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in UNSAFE_METHODS or getattr(view_func, "idempotency_exempt", False):
            return None
        # A CSRF-exempt endpoint (the browser's CSP reports) takes no user's form, and reads its
        # body itself: reading request.POST here would consume a multipart body before it.
        if getattr(view_func, "csrf_exempt", False):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        key = _key_of(request)
        if not key:
            return None
        if not KEY_PATTERN.match(key):
            return _refuse(
                request, _("The form's send key is not valid. Open the page again and resend."), 400
            )
        now = timezone.now()
        with transaction.atomic():
            row, claimed = _claim(user=user, key=key, request=request, now=now)
            if not claimed:
                if row.method != request.method or row.path != request.path[:500]:
                    return _refuse(
                        request,
                        _(
                            "This send key was already used for another form. Nothing was saved: "
                            "open the page again and resend."
                        ),
                        422,
                    )
                return _replay(request, row)
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if not _storable(response):
                # An answer to correct and resend (or a file): the key must be free again.
                row.delete()
                _mark_sent(response, key)  # a download leaves the page: its button comes back
                return response
            row.status = response.status_code
            row.location = response.get("Location", "")[:2000]
            if not row.location and response.status_code != 204:
                row.content_type = response.get("Content-Type", "")[:100]
                row.body = response.content.decode(response.charset or "utf-8")
            row.cookies = _cookies_of(response)
            row.save(update_fields=["status", "location", "content_type", "body", "cookies"])
        _mark_sent(response, key)
        return response


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Forget the keys older than SIGAP_IDEMPOTENCY_KEY_DAYS. One statement; safe to run twice."""
    deleted, _rows = IdempotencyKey.objects.filter(
        created_at__lt=_expiry_cutoff(now or timezone.now())
    ).delete()
    return deleted
