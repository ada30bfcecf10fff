"""KPAD's review queue and review page: who may use them, what the queue shows and in which
order, the masked identity and its audited reveal, and each of KPAD's steps with its effect
on the escalation, the case's timeline, the audit log and the petugas' inbox."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, Notification
from cases import kpad_services, services
from cases.models import CaseEvent, Escalation, KpadMessage
from tests import factories as f

pytestmark = pytest.mark.django_db

CHILD_NAME = "Siti Nur Aisyah"
CHILD_NIK = "6171014507140003"


def make_escalated_case(actor, *, rule=Escalation.Rule.IMMEDIATE, days_ago=0, state="open", **fields):
    fields.setdefault("violence_types", ["seksual"])
    fields.setdefault(
        "children",
        [services.ChildData(name=CHILD_NAME, sex="P", birth_date=dt.date(2014, 7, 5), nik=CHILD_NIK)],
    )
    case = f.make_case(actor=actor, **fields)
    return escalate(case, rule=rule, days_ago=days_ago, state=state)


def escalate(case, *, rule=Escalation.Rule.IMMEDIATE, days_ago=0, state="open"):
    opened = timezone.now() - dt.timedelta(days=days_ago, minutes=1)
    escalation = Escalation.objects.create(case=case, rule=rule, state=state, opened_at=opened)
    if case.escalated_at is None:
        case.escalated_at = opened
        case.save(update_fields=["escalated_at"])
    return escalation


@pytest.fixture
def escalation(charlie):
    return make_escalated_case(charlie)


def review(escalation, name="kpad_review"):
    return reverse(f"cases:{name}", kwargs={"pk": escalation.pk})


QUEUE = "/kasus/kpad/"


# --- The queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_escalations_waiting_or_in_review_but_not_closed_ones(client_for, dave, charlie):
    waiting = make_escalated_case(charlie)
    in_review = make_escalated_case(charlie, state="acknowledged")
    closed = make_escalated_case(charlie, state="resolved")

    response = client_for(dave).get(QUEUE)

    assert response.status_code == 200
    numbers = [row.number for row in response.context["rows"]]
    assert set(numbers) == {waiting.case.number, in_review.case.number}
    assert closed.case.number not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=resolved", {"closed"}),
        ("state=open", {"waiting", "old"}),
        ("state=acknowledged", {"utara"}),
        ("state=all", {"waiting", "old", "utara", "closed"}),
        ("rule=stalled", {"old"}),
        ("kecamatan=PLACEHOLDER_UTARA", {"utara"}),
        ("risk=kritis", {"waiting"}),
        ("overdue=on", {"old"}),
    ],
)
def test_the_queue_filters(client_for, dave, charlie, carol, query, expected):
    made = {
        "waiting": make_escalated_case(charlie, risk="kritis"),
        "old": make_escalated_case(charlie, rule=Escalation.Rule.STALLED, days_ago=5),
        "utara": make_escalated_case(carol, state="acknowledged"),
        "closed": make_escalated_case(charlie, state="resolved"),
    }
    query = query.replace("PLACEHOLDER_UTARA", str(f.kecamatan(f.PONTIANAK_UTARA).pk))

    response = client_for(dave).get(f"{QUEUE}?{query}")

    assert response.status_code == 200
    numbers = {row.number for row in response.context["rows"]}
    assert numbers == {made[k].case.number for k in expected}


def test_an_invalid_filter_shows_nothing_rather_than_everything(client_for, dave, escalation):
    response = client_for(dave).get(f"{QUEUE}?state=nonsense")

    assert response.status_code == 200
    assert response.context["rows"] == []


def test_overdue_escalations_come_first_and_are_marked_in_words(client_for, dave, charlie, settings):
    settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS = 3
    fresh = make_escalated_case(charlie, days_ago=0)
    older_fresh = make_escalated_case(charlie, days_ago=2)
    overdue = make_escalated_case(charlie, days_ago=4)
    acknowledged_old = make_escalated_case(charlie, days_ago=10, state="acknowledged")

    with translation.override("en"):
        response = client_for(dave).get(QUEUE)

    rows = response.context["rows"]
    assert [r.number for r in rows] == [
        overdue.case.number,
        acknowledged_old.case.number,
        older_fresh.case.number,
        fresh.case.number,
    ]
    assert [r.overdue for r in rows] == [True, False, False, False]
    html = response.content.decode()
    row_html = html.split(f'data-number="{overdue.case.number}"')[1].split("</tr>")[0]
    assert 'class="table-danger kpad-overdue"' in row_html
    assert 'data-testid="overdue"' in row_html and "Terlambat" in row_html
    assert html.count('data-testid="overdue"') == 1


def test_the_queue_shows_how_long_an_escalation_has_waited(client_for, dave, charlie):
    make_escalated_case(charlie, days_ago=3)

    with translation.override("id"):
        response = client_for(dave).get(QUEUE, HTTP_ACCEPT_LANGUAGE="id")

    [row] = response.context["rows"]
    assert row.age == "3\xa0hari"
    assert "3\xa0hari" in response.content.decode()


def test_the_queue_never_shows_a_childs_name(client_for, dave, escalation):
    html = client_for(dave).get(QUEUE).content.decode()

    assert escalation.case.number in html
    assert CHILD_NAME not in html and CHILD_NIK not in html


def test_the_queue_pages_without_counting(client_for, dave, charlie, monkeypatch):
    monkeypatch.setattr("cases.views.kpad.PAGE_SIZE", 2)
    for _ in range(3):
        make_escalated_case(charlie)

    first = client_for(dave).get(QUEUE)
    second = client_for(dave).get(f"{QUEUE}?page=2")

    assert len(first.context["rows"]) == 2 and first.context["has_next"]
    assert len(second.context["rows"]) == 1 and not second.context["has_next"]
    assert second.context["has_previous"]


def test_the_queue_takes_a_fixed_number_of_queries(
    client_for, dave, charlie, carol, django_assert_max_num_queries
):
    client = client_for(dave)
    make_escalated_case(charlie)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for i in range(6):
        make_escalated_case(carol if i % 2 else charlie, days_ago=i)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)

    assert len(many.captured_queries) == len(few.captured_queries)
    # The page reads the overdue part, then (the page not full) the others: one query each.
    with django_assert_max_num_queries(7):
        client.get(QUEUE)


def test_the_queue_lists_the_overdue_first_across_pages(client_for, dave, charlie, monkeypatch):
    monkeypatch.setattr("cases.views.kpad.PAGE_SIZE", 2)
    recent = [make_escalated_case(charlie, days_ago=d) for d in (0, 1)]
    overdue = [make_escalated_case(charlie, days_ago=d) for d in (30, 20, 10)]
    client = client_for(dave)
    pages = [client.get(f"{QUEUE}?page={n}").context for n in (1, 2, 3)]
    numbers = [row.number for page in pages for row in page["rows"]]
    flags = [row.overdue for page in pages for row in page["rows"]]
    # Overdue oldest first, then the others oldest first; page 3 starts after the overdue part.
    assert numbers == [e.case.number for e in overdue + recent[::-1]]
    assert flags == [True, True, True, False, False]
    assert [p["has_next"] for p in pages] == [True, True, False]
    assert client.get(f"{QUEUE}?page=4").context["rows"] == []


@pytest.mark.parametrize("who", ["alice", "bob", "bella", "charlie"])
def test_the_queue_is_forbidden_to_everyone_but_kpad(client_for, everyone, who):
    assert client_for(everyone[who]).get(QUEUE).status_code == 403


def test_the_queue_sends_the_anonymous_to_the_login_page(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302 and response.url.startswith("/akun/masuk/")


def test_the_queue_refuses_a_post(client_for, dave):
    assert client_for(dave).post(QUEUE).status_code == 405


# --- The review page ---------------------------------------------------------------------------------


def test_kpad_opens_a_review_with_the_case_summary(client_for, dave, bob, escalation):
    case = escalation.case
    services.case_add_service(
        actor=bob, case=case, service_type="kesehatan", provider="RSUD Soedarso", date=timezone.localdate()
    )
    services.case_refer(actor=bob, case=case, institution="unit_ppa", date=timezone.localdate())

    response = client_for(dave).get(review(escalation))

    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html
    assert case.narrative in html
    assert "RSUD Soedarso" in html
    assert 'data-testid="referrals"' in html and "Polresta" in html
    assert AuditEvent.objects.filter(
        action="case.view", actor=dave, target_id=str(case.pk), details__escalation=escalation.pk
    ).exists()


@pytest.mark.parametrize("who", ["alice", "bob", "bella", "charlie"])
def test_the_review_is_forbidden_to_everyone_but_kpad(client_for, everyone, escalation, who):
    assert client_for(everyone[who]).get(review(escalation)).status_code == 403


def test_the_review_sends_the_anonymous_to_the_login_page(client, escalation):
    response = client.get(review(escalation))
    assert response.status_code == 302 and response.url.startswith("/akun/masuk/")


def test_an_unknown_review_is_a_404(client_for, dave, escalation):
    url = reverse("cases:kpad_review", kwargs={"pk": escalation.pk + 1000})
    assert client_for(dave).get(url).status_code == 404


def test_a_review_of_a_case_kpad_cannot_see_is_a_404(client_for, dave, escalation):
    # Not escalated any more as far as the case is concerned: KPAD's visibility follows the case.
    type(escalation.case).objects.filter(pk=escalation.case_id).update(escalated_at=None)
    assert client_for(dave).get(review(escalation)).status_code == 404


def test_the_review_masks_the_children_by_default(client_for, dave, escalation):
    response = client_for(dave).get(review(escalation))

    html = response.content.decode()
    assert CHILD_NAME not in html and CHILD_NIK not in html
    assert "S.N.A." in html
    assert 'data-testid="form-reveal"' in html


def test_revealing_the_identity_needs_a_reason(client_for, dave, escalation):
    with translation.override("en"):
        response = client_for(dave).post(review(escalation, "kpad_reveal"), {"reveal-reason": "  "})

    assert response.status_code == 400
    assert "reason" in response.context["forms"]["reveal"].errors
    html = response.content.decode()
    assert CHILD_NAME not in html and CHILD_NIK not in html
    assert not AuditEvent.objects.filter(action="case.reveal_identity").exists()


def test_revealing_the_identity_is_audited_and_lasts_one_response(client_for, dave, escalation):
    client = client_for(dave)

    response = client.post(review(escalation, "kpad_reveal"), {"reveal-reason": "Koordinasi dengan Unit PPA"})

    assert response.status_code == 200
    html = response.content.decode()
    assert CHILD_NAME in html and CHILD_NIK in html
    assert "no-store" in response["Cache-Control"]
    audit = AuditEvent.objects.get(action="case.reveal_identity")
    assert audit.actor == dave and audit.target_id == str(escalation.case_id)
    assert audit.details["reason"] == "Koordinasi dengan Unit PPA"
    assert CHILD_NAME not in str(audit.details) and CHILD_NIK not in str(audit.details)
    assert escalation.case.events.filter(kind=CaseEvent.Kind.KPAD, actor=dave).exists()
    # The next view is masked again.
    again = client.get(review(escalation)).content.decode()
    assert CHILD_NAME not in again and CHILD_NIK not in again


def test_revealing_is_forbidden_to_others(client_for, bob, escalation):
    response = client_for(bob).post(review(escalation, "kpad_reveal"), {"reveal-reason": "x"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="case.reveal_identity").exists()


def test_the_review_shows_requests_with_their_answers_and_recommendations(client_for, dave, bob, escalation):
    request = kpad_services.kpad_request_information(actor=dave, escalation=escalation, text="Sudah visum?")
    KpadMessage.objects.filter(pk=request.pk).update(
        answer="Sudah, 3 Maret.", answered_by=bob, answered_at=timezone.now()
    )
    kpad_services.kpad_request_information(actor=dave, escalation=escalation, text="Ada pendamping hukum?")
    kpad_services.kpad_recommend(actor=dave, escalation=escalation, text="Rujuk ke psikolog.")

    response = client_for(dave).get(review(escalation))

    html = response.content.decode()
    assert html.count('data-testid="kpad-message"') == 3
    assert "Sudah visum?" in html and "Sudah, 3 Maret." in html
    assert html.count('data-testid="kpad-unanswered"') == 1
    assert "Rujuk ke psikolog." in html


def test_the_review_page_takes_a_bounded_number_of_queries(
    client_for, dave, escalation, django_assert_max_num_queries
):
    kpad_services.kpad_recommend(actor=dave, escalation=escalation, text="Rujuk ke psikolog.")
    client = client_for(dave)
    with django_assert_max_num_queries(14):
        client.get(review(escalation))


# --- KPAD's steps ------------------------------------------------------------------------------------


def assert_numbers_only(note: Notification, case) -> None:
    text = f"{note.display_title} {note.display_body} {note.url}"
    assert case.number in note.display_title
    assert CHILD_NAME not in text and CHILD_NIK not in text
    assert note.url == reverse("cases:detail", kwargs={"number": case.number})


def test_kpad_acknowledges_an_escalation(
    client_for, dave, bob, escalation, django_capture_on_commit_callbacks
):
    case = escalation.case
    services.case_assign_worker(actor=bob, case=case, worker=bob)
    other = f.PetugasFactory(username="other_petugas")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(dave).post(review(escalation, "kpad_acknowledge"))

    assert response.status_code == 302 and response.url.startswith(review(escalation))
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.ACKNOWLEDGED
    assert escalation.acknowledged_by == dave and escalation.acknowledged_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.KPAD, actor=dave).count() == 1
    assert AuditEvent.objects.filter(action="kpad.acknowledge", actor=dave, target_id=str(case.pk)).exists()
    [note] = Notification.objects.filter(kind="kpad.acknowledged")
    assert note.user == bob  # the case worker only
    assert not Notification.objects.filter(user=other).exists()
    assert_numbers_only(note, case)
    [email] = mail.outbox
    assert case.number in email.subject
    assert CHILD_NAME not in email.body and CHILD_NIK not in email.body


def test_acknowledging_twice_is_refused_with_a_message(client_for, dave, escalation):
    client = client_for(dave)
    client.post(review(escalation, "kpad_acknowledge"))

    with translation.override("en"):
        response = client.post(review(escalation, "kpad_acknowledge"))

    assert response.status_code == 400
    assert "sudah diterima" in response.content.decode()
    assert escalation.case.events.filter(kind=CaseEvent.Kind.KPAD).count() == 1
    assert AuditEvent.objects.filter(action="kpad.acknowledge").count() == 1


def test_kpad_asks_for_information_and_every_petugas_of_the_area_is_told(
    client_for, dave, bob, bella, escalation
):
    # No case worker yet: every active petugas who sees the case (bob, city-wide; not bella,
    # who works in Pontianak Utara; not an inactive one).
    tenggara = f.PetugasFactory(username="tenggara", kecamatan=f.kecamatan(f.PONTIANAK_TENGGARA))
    f.PetugasFactory(username="gone", is_active=False)
    case = escalation.case

    response = client_for(dave).post(
        review(escalation, "kpad_request"), {"request-text": "Apakah sudah visum?"}
    )

    assert response.status_code == 302
    [message] = KpadMessage.objects.filter(escalation=escalation)
    assert message.kind == KpadMessage.Kind.REQUEST and message.text == "Apakah sudah visum?"
    assert message.author == dave and message.answer == ""
    event = case.events.get(kind=CaseEvent.Kind.KPAD)
    assert "Apakah sudah visum?" in event.note
    assert AuditEvent.objects.filter(action="kpad.request", target_id=str(case.pk)).exists()
    notes = Notification.objects.filter(kind="kpad.request")
    assert {n.user.username for n in notes} == {"bob", "tenggara"}
    for note in notes:
        assert_numbers_only(note, case)
        assert "visum" not in note.display_title + note.display_body  # KPAD's words stay in SIGAP
    escalation.refresh_from_db()
    # Any answer from KPAD acknowledges the escalation: no reminder for a case in review.
    assert escalation.state == Escalation.State.ACKNOWLEDGED and escalation.acknowledged_by == dave
    del tenggara


def test_a_request_without_text_comes_back_with_the_message_at_the_field(client_for, dave, escalation):
    response = client_for(dave).post(review(escalation, "kpad_request"), {"request-text": ""})

    assert response.status_code == 400
    assert "text" in response.context["forms"]["request"].errors
    assert 'id="id_request-text"' in response.content.decode()
    assert not KpadMessage.objects.exists()


def test_kpad_records_a_recommendation(client_for, dave, bob, escalation):
    case = escalation.case
    services.case_assign_worker(actor=bob, case=case, worker=bob)

    response = client_for(dave).post(
        review(escalation, "kpad_recommend"), {"recommend-text": "Rujuk ke psikolog klinis."}
    )

    assert response.status_code == 302
    message = KpadMessage.objects.get(escalation=escalation)
    assert message.kind == KpadMessage.Kind.RECOMMENDATION
    assert case.events.filter(kind=CaseEvent.Kind.KPAD, note__contains="Rujuk ke psikolog klinis.").exists()
    assert AuditEvent.objects.filter(action="kpad.recommendation", target_id=str(case.pk)).exists()
    [note] = Notification.objects.filter(kind="kpad.recommendation")
    assert note.user == bob
    assert_numbers_only(note, case)


def test_the_petugas_sees_kpads_recommendation_on_the_case_timeline(client_for, dave, bob, escalation):
    kpad_services.kpad_recommend(actor=dave, escalation=escalation, text="Rujuk ke psikolog klinis.")

    html = client_for(bob).get(reverse("cases:detail", args=[escalation.case.number])).content.decode()

    assert 'data-kind="kpad"' in html and "Rujuk ke psikolog klinis." in html


def test_kpad_closes_a_review_with_a_note(client_for, dave, bob, escalation):
    case = escalation.case

    response = client_for(dave).post(
        review(escalation, "kpad_resolve"), {"resolve-note": "Sudah ditangani UPTD."}
    )

    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.RESOLVED
    assert escalation.resolved_by == dave and escalation.resolved_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.KPAD, note__contains="Sudah ditangani UPTD.").exists()
    assert AuditEvent.objects.filter(action="kpad.resolve", target_id=str(case.pk)).exists()
    [note] = Notification.objects.filter(kind="kpad.resolved", user=bob)
    assert_numbers_only(note, case)
    # The case stays visible to KPAD, read-only, after the review.
    assert client_for(dave).get(review(escalation)).status_code == 200


def test_closing_without_a_note_is_refused_at_the_field(client_for, dave, escalation):
    response = client_for(dave).post(review(escalation, "kpad_resolve"), {"resolve-note": ""})

    assert response.status_code == 400
    assert "note" in response.context["forms"]["resolve"].errors
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.OPEN


def test_a_closed_review_takes_no_more_steps_and_keeps_what_was_typed(client_for, dave, escalation):
    kpad_services.kpad_resolve(actor=dave, escalation=escalation, note="Selesai.")

    with translation.override("en"):
        response = client_for(dave).post(
            review(escalation, "kpad_recommend"), {"recommend-text": "Satu hal lagi untuk dicatat"}
        )
        again = client_for(dave).post(review(escalation, "kpad_resolve"), {"resolve-note": "Lagi"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "sudah ditutup" in html and "Satu hal lagi untuk dicatat" in html
    assert again.status_code == 400
    assert not KpadMessage.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("kpad_acknowledge", {}),
        ("kpad_request", {"request-text": "x"}),
        ("kpad_recommend", {"recommend-text": "x"}),
        ("kpad_resolve", {"resolve-note": "x"}),
    ],
)
@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_kpads_steps_are_forbidden_to_others(client_for, everyone, escalation, name, data, who):
    response = client_for(everyone[who]).post(review(escalation, name), data)

    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.OPEN
    assert not escalation.case.events.filter(kind=CaseEvent.Kind.KPAD).exists()


@pytest.mark.parametrize(
    "name", ["kpad_reveal", "kpad_acknowledge", "kpad_request", "kpad_recommend", "kpad_resolve"]
)
def test_kpads_steps_refuse_a_get(client_for, dave, escalation, name):
    assert client_for(dave).get(review(escalation, name)).status_code == 405


def test_an_unknown_escalation_is_a_404_for_every_step(client_for, dave, escalation):
    missing = escalation.pk + 1000
    for name in ("kpad_reveal", "kpad_acknowledge", "kpad_request", "kpad_recommend", "kpad_resolve"):
        url = reverse(f"cases:{name}", kwargs={"pk": missing})
        assert client_for(dave).post(url, {}).status_code == 404, name


def test_no_child_data_reaches_the_audit_log_through_kpads_steps(client_for, dave, escalation):
    client = client_for(dave)
    client.post(review(escalation, "kpad_acknowledge"))
    client.post(review(escalation, "kpad_request"), {"request-text": "Kondisi anak?"})
    client.post(review(escalation, "kpad_recommend"), {"recommend-text": "Pendampingan psikolog."})
    # The request is unanswered: closing the review needs KPAD's reason (test_casework.py).
    client.post(
        review(escalation, "kpad_resolve"),
        {"resolve-note": "Selesai.", "resolve-unanswered_reason": "Dijawab lewat telepon."},
    )

    for audit in AuditEvent.objects.filter(action__startswith="kpad."):
        assert CHILD_NAME not in str(audit.details) and CHILD_NIK not in str(audit.details)
    assert AuditEvent.objects.filter(action__startswith="kpad.").count() == 4


# --- The start page ----------------------------------------------------------------------------------


def test_the_kpad_start_page_shows_the_queues_counts(client_for, dave, charlie, settings):
    settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS = 3
    make_escalated_case(charlie)
    make_escalated_case(charlie, days_ago=5)
    make_escalated_case(charlie, days_ago=5, state="acknowledged")

    response = client_for(dave).get(reverse("start:kpad"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="queue-open" data-count="2"' in html
    assert 'data-testid="queue-overdue"' in html and 'data-count="1"' in html
    assert reverse("cases:kpad_queue") in html
