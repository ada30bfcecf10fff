"""Every URL pattern of the URLconf, for every identity, filled with records outside its scope.

For each identity (anonymous, each role, a kader of another kelurahan, a kecamatan-limited
petugas) and each pattern with parameters, ``OUTSIDE`` names the records that identity must not
reach: another area's case and its children, a case not escalated (for KPAD), another user's
notification or export, records of features the role does not have. GET and POST to each must
answer 403, 404 or 405 (the anonymous: the login page), never 200, a redirect after a write,
or 500; a 404 must be the same answer as for a record that does not exist. Patterns without
parameters are asked by the anonymous (the login page, or a page that is public by design).

A new URL pattern fails ``test_every_url_pattern_is_in_the_walk`` until it is given its
records here (``_outside``), so nothing new slips past.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import world as world_module

pytestmark = pytest.mark.django_db

IDENTITIES = ["alice", "bob", "bella", "charlie", "carol", "dave", None]
# Public by design, without a login: the login steps, the health check, CSP reports, the
# language switch, certificate verification (a certificate's QR code points there), the phone
# app's service worker and manifest.
PUBLIC = {
    "healthz",
    "csp_report",
    "accounts:login",
    "accounts:otp_verify",
    "accounts:logout",
    "certificate:verify_form",
    "certificate:verify",
    "set_language",
    # The phone app's service worker and manifest: static code and the app's name, no data
    # (the worker keeps pages only for the user logged in; accounts/offline.py).
    "service_worker",
    "manifest",
}
NOT_FOUND = "SGP-1999-99999"


def patterns() -> dict[str, URLPattern]:
    found = {}

    def walk(items, namespace=None):
        for item in items:
            if isinstance(item, URLResolver):
                if item.app_name == "admin":  # Django's admin: its own login, covered by the lockout test
                    continue
                walk(item.url_patterns, item.namespace or namespace)
            elif isinstance(item, URLPattern) and item.name:
                found[f"{namespace}:{item.name}" if namespace else item.name] = item

    walk(get_resolver().url_patterns)
    return found


def with_parameters() -> list[str]:
    return sorted(name for name, p in patterns().items() if p.pattern.converters)


# The case each identity must not reach (None: every case of the world is theirs to see).
OTHER_CASE = {"alice": "t", "bob": None, "bella": "t", "charlie": "u", "carol": "t", "dave": "u", None: "t"}
PETUGAS = {"bob", "bella"}


def _outside(w: world_module.World, who: str | None) -> dict[str, dict | None]:
    """URL name -> the arguments naming a record outside ``who``'s scope, or None when every
    such record is in scope (the app's own tests check what they may do with it)."""
    out: dict[str, dict | None] = {}
    case = {"t": w.case_t, "u": w.case_u}.get(OTHER_CASE[who])
    for name in set(w.case_t.kwargs):
        out[name] = case.kwargs[name] if case else None
    # KPAD's review: escalations are all KPAD's; for everyone else the feature is not theirs.
    for step in ("review", "reveal", "acknowledge", "request", "recommend", "resolve"):
        out[f"cases:kpad_{step}"] = None if who == "dave" else {"pk": w.escalation.pk}
    # Users are the admin's to manage; another user's notification or export is nobody else's.
    user = {"pk": w.users["charlie"].pk}
    for name in ("user_edit", "user_set_password", "user_unlock", "user_reset_2fa"):
        out[f"accounts:{name}"] = None if who == "alice" else user
    owner = "bella" if who == "bob" else "bob"
    out["accounts:notification_open"] = {"pk": w.notifications[owner].pk}
    out["reports:export_download"] = {"pk": w.export_jobs[owner].pk}
    # The roster: bella's kecamatan is not the cadre's; kaders, KPAD and the admin do not manage it.
    cadre = None if who == "bob" else {"pk": w.cadre_t.pk}
    for name in ("detail", "edit", "create_login"):
        out[f"cadres:{name}"] = cadre
    # Trainings and the board are the Dinas' (city-wide); nobody else's.
    petugas = who in PETUGAS
    t = w.training.pk
    trainings = {
        "training:detail": {"pk": t},
        "training:edit": {"pk": t},
        "training:agenda": {"pk": t},
        "training:agenda_delete": {"pk": t, "item_pk": w.agenda_item.pk},
        "training:participants": {"pk": t},
        "training:participant_remove": {"pk": t, "participant_pk": w.participant.pk},
        "training:attendance": {"pk": t, "day": w.day},
        "training:attendance_mark": {"pk": t, "day": w.day, "participant_pk": w.participant.pk},
        "training:scores": {"pk": t},
        "training:certificates": {"pk": t},
        "training:certificates_pdf": {"pk": t},
        "training:certificate_pdf": {"pk": t, "participant_pk": w.participant.pk},
        "training:cohort": {"pk": t},
    }
    e = w.election.pk
    board = {
        "board:paper_result": {"pk": w.term.pk},
        "board:election": {"pk": e},
        "board:candidate_add": {"pk": e},
        "board:candidate_remove": {"pk": e, "candidate_pk": w.candidate.pk},
        "board:election_open": {"pk": e},
        "board:election_close": {"pk": e},
        "board:install": {"pk": e},
    }
    for name, kwargs in {**trainings, **board}.items():
        out[name] = None if petugas else kwargs
    # A ballot: a draft election is nobody's to vote in yet; nor has it a result to show.
    out["board:ballot"] = {"pk": e}
    out["board:result"] = {"pk": e}
    # One's own certificate: nobody of the walk attended every day of the world's training.
    out["training:my_certificate"] = {"pk": t}
    out["certificate:verify"] = None  # public by design
    # The privacy registers are the Dinas' (city-wide): petugas see them all, the admin the
    # breaches and the destruction lists; deciding a list is a supervisor's, and no one here is.
    out["privacy:request_detail"] = None if petugas else {"pk": w.subject_request.pk}
    keeps = petugas or who == "alice"
    out["privacy:breach_detail"] = None if keeps else {"pk": w.breach.pk}
    out["privacy:destruction_detail"] = None if keeps else {"pk": w.destruction_list.pk}
    out["privacy:destruction_decide"] = {"pk": w.destruction_list.pk}
    return out


@pytest.fixture
def world(everyone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world_module.build(everyone)


def test_every_url_pattern_is_in_the_walk(world):
    missing = [name for name in with_parameters() if name not in _outside(world, "bob")]
    assert missing == [], (
        f"give these URL patterns their records in tests/security/test_scope_walk.py: {missing}"
    )


def _unknown(url: str, kwargs: dict) -> str:
    """The same address with its record replaced by one that does not exist."""
    if "number" in kwargs:
        return url.replace(kwargs["number"], NOT_FOUND, 1)
    return None


@pytest.mark.parametrize("who", IDENTITIES, ids=lambda w: w or "anonymous")
def test_records_outside_the_scope_are_never_served(client, everyone, world, who, tally):
    if who is not None:
        client.force_login(everyone[who])
    outside = _outside(world, who)
    problems = []
    asked = 0
    for name in with_parameters():
        kwargs = outside[name]
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            asked += 1
            status = response.status_code
            if who is None:
                ok = status in (403, 404, 405) or (
                    status == 302 and response["Location"].startswith(reverse("accounts:login"))
                )
            else:
                ok = status in (403, 404, 405)
            if not ok:
                problems.append((name, method, status))
            elif status == 404 and _unknown(url, kwargs):
                asked += 1
                same = getattr(client, method)(_unknown(url, kwargs)).status_code
                if same != 404:
                    problems.append((name, method, "404, but a missing record answers", same))
    tally.add("requests", asked)
    tally.add("scope walk: requests", asked)
    assert problems == []


def test_the_anonymous_are_sent_to_log_in_everywhere_but_the_public_pages(client, tally):
    problems = []
    names = [name for name, p in patterns().items() if not p.pattern.converters and name not in PUBLIC]
    for name in names:
        response = client.get(reverse(name))
        if response.status_code == 405:
            continue
        if response.status_code != 302 or not response["Location"].startswith(reverse("accounts:login")):
            problems.append((name, response.status_code))
    tally.add("requests", len(names))
    tally.add("scope walk: requests", len(names))
    assert problems == []
