"""Search text kept out of addresses.

A search may be a child's name or a NIK. Sent in a query string it would stay in the
browser's history, in proxy and server access logs and in the Referer of the next click. So a
search form is POSTed; the text is kept in the user's session under a short random token, and
the result page is shown at ``?s=<token>``. The token means nothing outside that session.
"""

from __future__ import annotations

import secrets

SEARCH_PARAMETER = "s"
MAX_KEPT = 20


def keep_search(request, *, key: str, text: str) -> str:
    """Keep ``text`` in the session (the last MAX_KEPT per key) and return its token."""
    kept = dict(request.session.get(key, {}))
    token = secrets.token_urlsafe(6)
    kept[token] = text
    request.session[key] = dict(list(kept.items())[-MAX_KEPT:])
    return token


def recall_search(request, *, key: str) -> str:
    """The text kept under the request's ``?s=`` token, or "" (no token, or an expired one)."""
    token = request.GET.get(SEARCH_PARAMETER, "")
    return request.session.get(key, {}).get(token, "") if token else ""
