"""Every state-changing POST acts once per key (accounts/idempotency.py): the same send again
replays the first answer, a send sent back with errors keeps its key free, keys are per user
and per address, and they expire."""

import datetime as dt
import threading
import time
import uuid
from unittest import mock

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone, translation

from accounts.idempotency import REPLAY_HEADER, SENT_COOKIE, idempotency_keys_purge
from accounts.models import IdempotencyKey
from accounts.tasks import purge_idempotency_keys_task
from cases.models import Case, CaseEvent, Person
from cases.views.intake import SENT_COOKIE as INTAKE_SENT_COOKIE
from tests import factories as f
from tests.cases.test_intake import REPORT, report_data

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="blocking on a unique index and advisory locks need PostgreSQL's concurrent connections",
)


def key() -> str:
    return str(uuid.uuid4())


def answer(response) -> tuple:
    return (
        response.status_code,
        response.get("Location"),
        response.cookies.get(INTAKE_SENT_COOKIE) is not None,
    )


# --- The intake ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_intake_sent_three_times_makes_one_case_and_three_identical_answers(client_for, charlie):
    client = client_for(charlie)
    data = report_data(charlie.kelurahan_id, idempotency_key=key())

    answers = [client.post(REPORT, data) for _ in range(3)]

    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert {answer(r) for r in answers} == {(302, f"/kasus/{case.number}/", True)}
    assert [r.get(REPLAY_HEADER) for r in answers] == [None, "true", "true"]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED).count() == 1
    assert Person.objects.filter(nik=data["children-0-nik"]).count() == 1
    # Each answer tells the page's script that this send arrived.
    assert all(r.cookies[SENT_COOKIE].value == data["idempotency_key"] for r in answers)


@pytest.mark.django_db
def test_a_replayed_answer_says_it_was_already_sent(client_for, charlie):
    client = client_for(charlie)
    data = report_data(charlie.kelurahan_id, idempotency_key=key())
    client.post(REPORT, data, follow=True)

    page = client.post(REPORT, data, follow=True)

    assert "sudah terkirim sebelumnya" in page.content.decode()


@pytest.mark.django_db
def test_a_header_key_works_like_the_form_field(client_for, charlie):
    client = client_for(charlie)
    sent = key()
    data = report_data(charlie.kelurahan_id)

    first = client.post(REPORT, data, headers={"Idempotency-Key": sent})
    again = client.post(REPORT, data, headers={"Idempotency-Key": sent})

    assert Case.objects.count() == 1
    assert answer(first) == answer(again)


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_with_the_same_key(client_for, charlie):
    client = client_for(charlie)
    sent = key()
    wrong = client.post(
        REPORT, report_data(charlie.kelurahan_id, idempotency_key=sent, **{"children-0-name": ""})
    )
    assert wrong.status_code == 200
    assert not IdempotencyKey.objects.exists()

    right = client.post(REPORT, report_data(charlie.kelurahan_id, idempotency_key=sent))

    assert right.status_code == 302
    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.get().status == 302


@pytest.mark.django_db
def test_without_a_key_every_send_runs(client_for, bob):
    client = client_for(bob)
    case = f.make_case(actor=bob)
    for _ in range(2):
        client.post(f"/kasus/{case.number}/catatan/", {"note-note": "Catatan sintetis."})
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count() == 2


# --- Other forms: one mechanism for every POST ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [
        ("catatan", {"note-note": "Catatan sintetis."}, CaseEvent.Kind.NOTE),
        (
            "kunjungan",
            {"visit-note": "Kunjungan sintetis.", "visit-visit_date": "TODAY"},
            CaseEvent.Kind.VISIT,
        ),
        ("status", {"status-to": "diverifikasi", "status-note": ""}, CaseEvent.Kind.STATUS),
    ],
)
def test_a_case_action_sent_twice_with_one_key_is_saved_once(client_for, bob, path, data, kind):
    client = client_for(bob)
    case = f.make_case(actor=bob)
    data = {k: (timezone.localdate().isoformat() if v == "TODAY" else v) for k, v in data.items()}
    data["idempotency_key"] = key()
    if path == "status":
        data["status-case_worker"] = str(bob.pk)

    first = client.post(f"/kasus/{case.number}/{path}/", data)
    again = client.post(f"/kasus/{case.number}/{path}/", data)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert CaseEvent.objects.filter(case=case, kind=kind).count() == 1


@pytest.mark.django_db
def test_a_json_answer_is_replayed_with_its_body(client_for, charlie):
    client = client_for(charlie)
    sent = key()
    headers = {"Idempotency-Key": sent, "Accept": "application/json"}
    first = client.post("/kasus/lapor/draf/buang/", headers=headers)
    again = client.post("/kasus/lapor/draf/buang/", headers=headers)
    assert first.json() == again.json() == {"discarded": True}
    assert again[REPLAY_HEADER] == "true"
    assert again["Content-Type"] == "application/json"


# --- Keys are the user's and the address's -------------------------------------------------------


@pytest.mark.django_db
def test_another_users_key_never_replays(bob, charlie):
    sent = key()
    kader, petugas = Client(), Client()
    kader.force_login(charlie)
    petugas.force_login(bob)

    kader.post(REPORT, report_data(charlie.kelurahan_id, idempotency_key=sent))
    other = report_data(
        charlie.kelurahan_id, idempotency_key=sent, **{"children-0-nik": "", "children-0-name": "Ani Lain"}
    )
    other.update({"children-1-name": "Adi Lain"})
    petugas.post(REPORT, other)

    assert Case.objects.count() == 2
    assert set(Case.objects.values_list("reported_by__username", flat=True)) == {"bob", "charlie"}


@pytest.mark.django_db
def test_the_same_key_at_another_address_is_refused_in_indonesian(client_for, bob):
    client = client_for(bob)
    case = f.make_case(actor=bob)
    sent = key()
    client.post(f"/kasus/{case.number}/catatan/", {"note-note": "Satu.", "idempotency_key": sent})

    refused = client.post(f"/kasus/{case.number}/kunjungan/", {"visit-note": "Dua.", "idempotency_key": sent})

    assert refused.status_code == 422
    assert "sudah dipakai untuk formulir lain" in refused.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.VISIT).exists()


@pytest.mark.django_db
def test_a_malformed_key_is_refused(client_for, bob):
    case = f.make_case(actor=bob)
    response = client_for(bob).post(
        f"/kasus/{case.number}/catatan/", {"note-note": "Satu.", "idempotency_key": "x" * 5}
    )
    assert response.status_code == 400
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).exists()


@pytest.mark.django_db
def test_a_view_that_fails_leaves_neither_its_writes_nor_the_key(client_for, bob):
    client = client_for(bob)
    client.raise_request_exception = False
    case = f.make_case(actor=bob)
    data = {"note-note": "Catatan sintetis.", "idempotency_key": key()}
    with mock.patch("cases.services.audit_record", side_effect=RuntimeError("disk full")):
        failed = client.post(f"/kasus/{case.number}/catatan/", data)
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).exists()

    retried = client.post(f"/kasus/{case.number}/catatan/", data)

    assert retried.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count() == 1


# --- Expiry -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_keys_expire_after_the_configured_days(client_for, bob, settings):
    settings.SIGAP_IDEMPOTENCY_KEY_DAYS = 7
    client = client_for(bob)
    case = f.make_case(actor=bob)
    data = {"note-note": "Catatan sintetis.", "idempotency_key": key()}
    client.post(f"/kasus/{case.number}/catatan/", data)
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=8))

    client.post(f"/kasus/{case.number}/catatan/", data)  # an expired key is a new send

    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count() == 2
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_forgets_only_expired_keys(bob):
    now = timezone.now()
    IdempotencyKey.objects.create(
        user=bob, key="old-key-1", method="POST", path="/", created_at=now - dt.timedelta(days=8)
    )
    IdempotencyKey.objects.create(
        user=bob, key="new-key-1", method="POST", path="/", created_at=now - dt.timedelta(days=6)
    )

    assert idempotency_keys_purge(now=now) == 1
    assert purge_idempotency_keys_task() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key-1"]


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------


def _slow_cadre_activity(*args, **kwargs):
    """Hold the intake's transaction open, so the second send surely arrives while it is."""
    time.sleep(0.6)


def _send_together(user, data_list, *, headers=None):
    start = threading.Barrier(len(data_list))
    answers, errors = [None] * len(data_list), []

    def send(i):
        try:
            client = Client()
            client.force_login(user)
            start.wait()
            with translation.override("id"):
                answers[i] = client.post(REPORT, data_list[i], headers=headers or {})
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(data_list))]
    with mock.patch("cases.services.count_cadre_activity", _slow_cadre_activity):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    return answers


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_with_one_key_make_one_case_and_one_key_row():
    f.ensure_regions()  # a transactional test starts without the migration's regions
    kader = f.KaderFactory(username="kader_serentak", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    data = report_data(kader.kelurahan_id, idempotency_key=key())

    first, second = _send_together(kader, [data, data])

    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert answer(first) == answer(second)
    assert first["Location"] == f"/kasus/{Case.objects.get().number}/"
    assert sorted(str(r.get(REPLAY_HEADER)) for r in (first, second)) == ["None", "true"]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_intakes_without_a_key_make_one_case_by_the_nik():
    f.ensure_regions()
    kader = f.KaderFactory(username="kader_serentak", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    data = report_data(kader.kelurahan_id)
    data.update(
        {
            "children-1-name": "",
            "children-1-sex": "",
            "children-1-estimated_age": "",
            "children-1-school_level": "",
        }
    )
    data["children-TOTAL_FORMS"] = "1"

    answers = _send_together(kader, [data, data])

    assert Case.objects.count() == 1
    assert sorted(r.status_code for r in answers) == [200, 302]
    refused = next(r for r in answers if r.status_code == 200)
    assert "Data anak ini baru saja tersimpan" in refused.content.decode()
    assert Person.objects.filter(nik=data["children-0-nik"]).count() == 1


# --- KPAD and escalation: a retried send after a lost reply is one request -------------------


@pytest.mark.django_db
def test_a_kpad_request_for_information_sent_twice_is_one_request(client_for, dave, charlie):
    from cases.models import KpadMessage
    from tests.cases.test_kpad import make_escalated_case, review

    escalation = make_escalated_case(charlie)
    client = client_for(dave)
    data = {"request-text": "Apakah sudah visum?", "idempotency_key": key()}

    first = client.post(review(escalation, "kpad_request"), data)
    again = client.post(review(escalation, "kpad_request"), data)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert again[REPLAY_HEADER] == "true"
    assert KpadMessage.objects.filter(escalation=escalation, kind=KpadMessage.Kind.REQUEST).count() == 1


@pytest.mark.django_db
def test_a_manual_escalation_sent_twice_is_answered_once(client_for, bob):
    case = f.make_case(actor=bob, violence_types=("fisik",), risk="sedang")
    client = client_for(bob)
    data = {"escalate-reason": "Keluarga menolak ditemui (data sintetis).", "idempotency_key": key()}

    answers = [client.post(f"/kasus/{case.number}/eskalasi/", data) for _ in range(2)]

    assert {a.status_code for a in answers} == {302}
    assert answers[0]["Location"] == answers[1]["Location"]
    assert answers[1][REPLAY_HEADER] == "true"  # the view did not run again
    assert case.escalations.count() == 1
