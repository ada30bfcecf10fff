"""Escalation by hand, KPAD's requests answered on the case page, and the escalation panel."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from cases import escalation
from cases.models import CaseEvent, Escalation, KpadMessage
from tests.factories import make_case


@pytest.fixture
def case(charlie):
    return make_case(actor=charlie)


@pytest.fixture
def request_on(case, bob, dave):
    found, _ = escalation.escalate_case(case.pk, "manual", "Perlu pendapat KPAD.", actor=bob)
    return KpadMessage.objects.create(
        escalation=found, kind="request", text="Apakah sudah visum?", author=dave, created_at=timezone.now()
    )


def escalate_url(case):
    return reverse("cases:escalate", args=[case.number])


def answer_url(message):
    return reverse("cases:answer_request", args=[message.escalation.case.number, message.pk])


def test_a_petugas_escalates_a_case_by_hand(client_for, bob, dave, case):
    response = client_for(bob).post(escalate_url(case), {"escalate-reason": "Pelaku masih serumah."})
    assert response.status_code == 302
    assert response.url.endswith(f"/kasus/{case.number}/#escalation")
    [found] = case.escalations.all()
    assert (found.rule, found.opened_by, found.reason) == ("manual", bob, "Pelaku masih serumah.")
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert Notification.objects.filter(user=dave, kind="case.escalated").count() == 1


def test_escalation_by_hand_needs_a_reason_and_keeps_nothing_half_done(client_for, bob, case):
    response = client_for(bob).post(escalate_url(case), {"escalate-reason": "   "})
    assert response.status_code == 400
    assert b'data-testid="form-escalate"' in response.content
    assert b"is-invalid" in response.content
    assert not case.escalations.exists()


def test_a_kader_may_not_escalate(client_for, charlie, case):
    response = client_for(charlie).post(escalate_url(case), {"escalate-reason": "Tolong."})
    assert response.status_code == 403
    assert not case.escalations.exists()


def test_a_petugas_of_another_kecamatan_gets_a_404(client_for, bella, case):
    response = client_for(bella).post(escalate_url(case), {"escalate-reason": "Tolong."})
    assert response.status_code == 404


def test_kpad_cannot_see_an_unescalated_case_nor_escalate_one(client_for, dave, case):
    assert client_for(dave).post(escalate_url(case), {"escalate-reason": "x"}).status_code == 404


def test_escalation_is_post_only(client_for, bob, case):
    assert client_for(bob).get(escalate_url(case)).status_code == 405


def test_a_petugas_answers_a_request_on_the_case_page(client_for, bob, dave, request_on):
    client = client_for(bob)
    page = client.get(reverse("cases:detail", args=[request_on.escalation.case.number]))
    html = page.content.decode()
    assert f'data-testid="form-answer-{request_on.pk}"' in html
    assert 'data-testid="open-requests"' in html
    response = client.post(answer_url(request_on), {f"answer{request_on.pk}-answer": "Sudah, di RSUD."})
    assert response.status_code == 302
    request_on.refresh_from_db()
    assert request_on.answer == "Sudah, di RSUD." and request_on.answered_by == bob
    case = request_on.escalation.case
    assert case.events.filter(kind=CaseEvent.Kind.KPAD).exists()
    assert Notification.objects.filter(user=dave, kind="kpad.answered").count() == 1
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-testid="kpad-answer"' in html and "Sudah, di RSUD." in html
    assert f'data-testid="form-answer-{request_on.pk}"' not in html


def test_an_empty_answer_is_refused_at_the_field(client_for, bob, request_on):
    response = client_for(bob).post(answer_url(request_on), {f"answer{request_on.pk}-answer": ""})
    assert response.status_code == 400
    assert b"is-invalid" in response.content
    request_on.refresh_from_db()
    assert request_on.answered_at is None


def test_a_kader_may_not_answer_kpad(client_for, charlie, request_on):
    response = client_for(charlie).post(answer_url(request_on), {f"answer{request_on.pk}-answer": "x"})
    assert response.status_code == 403


def test_kpad_may_not_answer_its_own_request(client_for, dave, request_on):
    response = client_for(dave).post(answer_url(request_on), {f"answer{request_on.pk}-answer": "x"})
    assert response.status_code == 403


def test_a_request_of_another_case_is_a_404(client_for, bob, request_on):
    other = make_case(actor=bob)
    url = reverse("cases:answer_request", args=[other.number, request_on.pk])
    assert client_for(bob).post(url, {f"answer{request_on.pk}-answer": "x"}).status_code == 404


def test_answering_is_post_only(client_for, bob, request_on):
    assert client_for(bob).get(answer_url(request_on)).status_code == 405


def test_the_case_page_shows_escalations_requests_and_recommendations(client_for, bob, dave, request_on):
    found = request_on.escalation
    KpadMessage.objects.create(
        escalation=found,
        kind="recommendation",
        text="Rujuk ke UPTD PPA.",
        author=dave,
        created_at=timezone.now(),
    )
    Escalation.objects.filter(pk=found.pk).update(state="acknowledged", acknowledged_at=timezone.now())
    html = client_for(bob).get(reverse("cases:detail", args=[found.case.number])).content.decode()
    assert re.search(r'data-testid="escalation"\s+data-rule="manual"\s+data-state="acknowledged"', html)
    assert 'data-kind="recommendation"' in html and "Rujuk ke UPTD PPA." in html
    assert 'data-kind="request"' in html and "Apakah sudah visum?" in html
    # A manual escalation is already open: no second form.
    assert 'data-testid="form-escalate"' not in html


def test_a_kader_does_not_see_the_escalation_panel(client_for, charlie, request_on):
    html = client_for(charlie).get(reverse("cases:detail", args=[request_on.escalation.case.number]))
    assert b'data-testid="escalation-panel"' not in html.content


def test_the_escalated_case_page_stays_within_a_fixed_number_of_queries(
    client_for, bob, dave, request_on, django_assert_max_num_queries
):
    for i in range(5):
        KpadMessage.objects.create(
            escalation=request_on.escalation,
            kind="recommendation",
            text=f"Saran {i}",
            author=dave,
            created_at=timezone.now(),
        )
    escalation.escalate_case(request_on.escalation.case_id, "stalled", "x")
    client = client_for(bob)
    url = reverse("cases:detail", args=[request_on.escalation.case.number])
    client.get(url)
    # With consent, who must not be told and the family, and each child's own coding (types,
    # perpetrator pairs, services received).
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200
