"""Pages a kader may open offline: the service worker keeps only what the server marks.

A view decorated with ``offline_page`` answers a GET from a user with ``Cap.WORK_OFFLINE`` with
the header ``SIGAP-Offline: <user id>``. The service worker (``/sw.js``, templates/sw.js) keeps a
page in that user's cache only when it carries the header, so no staff page is ever kept on a
device, and a cache never holds another user's page (it is named after the user and emptied
when another one logs in, and on logout by ``Clear-Site-Data``).
"""

from __future__ import annotations

from functools import wraps

from .policy import Cap, user_can

HEADER = "SIGAP-Offline"


def offline_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and user_can(request.user, Cap.WORK_OFFLINE)
        ):
            response[HEADER] = str(request.user.pk)
        return response

    return wrapped
