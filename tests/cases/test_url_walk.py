"""Every case URL pattern, for every role: who gets in, who gets a 404, who gets a 403.

The patterns are read from cases.urls, so a new case URL without an entry here fails
this test instead of slipping through unchecked.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from django.utils import timezone

from cases import casework_services, services
from cases.casework_models import CaseConference
from cases.models import Attachment, DoNotTell, Perpetrator, Referral
from cases.urls import urlpatterns
from tests import images
from tests.factories import make_case

# URLs that name no case: the expected status per role for a plain GET.
# (302: redirect to login for the anonymous; 405: a POST-only endpoint.)
GENERAL = {
    "list": {"alice": 403, "bob": 200, "bella": 200, "charlie": 403, "carol": 403, "dave": 403, None: 302},
    "mine": {"alice": 403, "bob": 403, "bella": 403, "charlie": 200, "carol": 200, "dave": 403, None: 302},
    "escalated": {
        "alice": 403,
        "bob": 403,
        "bella": 403,
        "charlie": 403,
        "carol": 403,
        "dave": 200,
        None: 302,
    },
    "report": {"alice": 403, "bob": 200, "bella": 200, "charlie": 200, "carol": 200, "dave": 403, None: 302},
    "draft": {"alice": 403, "bob": 200, "bella": 200, "charlie": 200, "carol": 200, "dave": 403, None: 302},
    "draft_discard": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    "duplicates": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    # KPAD's queue and reviews (an escalation by id: an unknown one is a 404 for KPAD, a 403 for others).
    "kpad_queue": {
        "alice": 403,
        "bob": 403,
        "bella": 403,
        "charlie": 403,
        "carol": 403,
        "dave": 200,
        None: 302,
    },
    "kpad_review": {
        "alice": 403,
        "bob": 403,
        "bella": 403,
        "charlie": 403,
        "carol": 403,
        "dave": 404,
        None: 302,
    },
    "kpad_reveal": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    "kpad_acknowledge": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    "kpad_request": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    "kpad_recommend": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
    "kpad_resolve": {
        "alice": 405,
        "bob": 405,
        "bella": 405,
        "charlie": 405,
        "carol": 405,
        "dave": 405,
        None: 405,
    },
}
ALL_405 = {"alice": 405, "bob": 405, "bella": 405, "charlie": 405, "carol": 405, "dave": 405, None: 405}
GENERAL.update(
    {
        # "Tugas saya": whoever handles or accompanies cases.
        "my_tasks": {
            "alice": 403,
            "bob": 200,
            "bella": 200,
            "charlie": 200,
            "carol": 200,
            "dave": 403,
            None: 302,
        },
        "task_state": ALL_405,
        # Approvals: supervisors only (none in this cast).
        "approvals": {
            "alice": 403,
            "bob": 403,
            "bella": 403,
            "charlie": 403,
            "carol": 403,
            "dave": 403,
            None: 302,
        },
        "approval_decide": ALL_405,
    }
)
# Case URLs: charlie reported the case in Bansir Laut (Pontianak Tenggara); it is not escalated.
# Those who may see it get anything but a 404; everyone else a 404, whatever the method.
SEES_THE_CASE = {"bob", "charlie"}
CASE_ROLES = ["alice", "bob", "bella", "charlie", "carol", "dave"]


def names():
    return [p.name for p in urlpatterns if isinstance(p, URLPattern)]


def test_every_case_url_is_in_this_walk():
    case_urls = {p.name for p in urlpatterns if "<str:number>" in str(p.pattern)}
    assert set(names()) == set(GENERAL) | case_urls
    assert not set(GENERAL) & case_urls


@pytest.fixture
def case(bob, charlie):
    case = make_case(
        actor=charlie,
        perpetrators=[services.PerpetratorData(relation="orang_tua", sex="L", age=40)],
        do_not_tell="paman korban",
    )
    services.case_refer(actor=bob, case=case, institution="unit_ppa", date=timezone.localdate())
    casework_services.conference_record(
        actor=bob,
        case=case,
        held_on=timezone.localdate(),
        decisions=[
            casework_services.ActionData(
                title="Rapat lanjutan", owner_kind="petugas", owner_user=bob, due_on=timezone.localdate()
            )
        ],
    )
    png = images.PNG
    services.case_add_attachment(
        actor=charlie,
        case=case,
        upload=SimpleUploadedFile("foto.png", png),
        kind="foto",
        content_type="image/png",
    )
    return case


def kpad_request_on(case, author):
    """A KPAD request on a closed review of the case (the case itself stays unescalated)."""
    from cases.models import Escalation, KpadMessage

    review, _ = Escalation.objects.get_or_create(
        case=case, rule="manual", state="resolved", defaults={"opened_at": timezone.now()}
    )
    message, _ = KpadMessage.objects.get_or_create(
        escalation=review,
        kind="request",
        defaults={"text": "?", "author": author, "created_at": timezone.now()},
    )
    return message


def case_url(name: str, case, charlie) -> str:
    pattern = next(p for p in urlpatterns if p.name == name)
    kwargs = {"number": case.number}
    route = str(pattern.pattern)
    if "<int:pk>" in route and name == "answer_request":
        kwargs["pk"] = kpad_request_on(case, charlie).pk
    elif "<int:pk>" in route:
        models = {
            "referral": Referral,
            "do_not_tell": DoNotTell,
            "perpetrator": Perpetrator,
            "conference": CaseConference,
        }
        model = next((m for prefix, m in models.items() if name.startswith(prefix)), Attachment)
        kwargs["pk"] = model.objects.get(case=case).pk
    if "<int:user_id>" in route:
        kwargs["user_id"] = charlie.pk
    return reverse(f"cases:{name}", kwargs=kwargs)


def general_url(name: str) -> str:
    """A URL naming no case; an escalation id in it is one that does not exist."""
    pattern = next(p for p in urlpatterns if p.name == name)
    kwargs = {"pk": 999999} if "<int:pk>" in str(pattern.pattern) else {}
    return reverse(f"cases:{name}", kwargs=kwargs)


@pytest.mark.parametrize("who", [*CASE_ROLES, None])
def test_general_case_urls_answer_each_role_as_the_policy_says(client, everyone, who):
    if who is not None:
        client.force_login(everyone[who])
    for name, expected in GENERAL.items():
        response = client.get(general_url(name))
        assert response.status_code == expected[who], (name, who, response.status_code)


@pytest.mark.parametrize("who", CASE_ROLES)
def test_case_urls_are_a_404_for_everyone_who_may_not_see_the_case(client, everyone, case, who):
    client.force_login(everyone[who])
    case_names = [n for n in names() if n not in GENERAL]
    events_before = case.events.count()
    for name in case_names:
        url = case_url(name, case, everyone["charlie"])
        unknown = url.replace(case.number, "SGP-1999-99999")
        statuses = {}
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            statuses[method] = status
            if who in SEES_THE_CASE:
                assert status != 404, (name, method, who)
            else:
                # The same answer as for a case that does not exist: a 404, or a 405 for the
                # wrong method (decided before the case is looked up, so it tells nothing).
                assert status in (404, 405), (name, method, who, status)
                assert status == getattr(client, method)(unknown).status_code, (name, method, who)
        if who not in SEES_THE_CASE:
            assert 404 in statuses.values(), (name, who, statuses)
    if who not in SEES_THE_CASE:
        assert case.events.count() == events_before


def test_case_urls_send_the_anonymous_to_the_login_page(client, everyone, case):
    for name in [n for n in names() if n not in GENERAL]:
        response = client.get(case_url(name, case, everyone["charlie"]))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response.url.startswith("/akun/masuk/"), name
