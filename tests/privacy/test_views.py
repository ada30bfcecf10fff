"""The privacy pages for each role: who may, who may not, the wrong method, what is audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import Case
from privacy import services
from privacy.models import Breach, DestructionList, LegalHold, SubjectRequest
from privacy.urls import urlpatterns
from tests import factories as f

from .conftest import close_case

WHO = ["alice", "bob", "bella", "charlie", "carol", "dave", "kasubid", None]


@pytest.fixture
def world(everyone, kasubid):
    bob = everyone["bob"]
    case = close_case(f.make_case(actor=bob), years_ago=11)  # Bansir Laut: outside bella's area
    destruction_list = services.destruction_list_build()
    request = services.subject_request_create(
        actor=bob,
        kind=SubjectRequest.Kind.ACCESS,
        requester_name="Ibu Sintetis",
        requester_relation=SubjectRequest.Relation.PARENT,
        details="Meminta salinan data anaknya.",
    )
    breach = services.breach_create(
        actor=bob, summary="Laptop hilang", found_at=timezone.now(), data_affected="Lampiran 2 kasus"
    )
    return {
        **everyone,
        "kasubid": kasubid,
        "case": case,
        "list": destruction_list,
        "request": request,
        "breach": breach,
    }


def _client(client, world, who):
    if who is not None:
        client.force_login(world[who])
    return client


PETUGAS_ALL = {"bob": 200, "bella": 200, "kasubid": 200}
GETS = {
    # name: (kwargs maker, {who: status}, default status for the others)
    "request_list": (lambda w: {}, PETUGAS_ALL, 403),
    "request_new": (lambda w: {}, PETUGAS_ALL, 403),
    "request_detail": (lambda w: {"pk": w["request"].pk}, PETUGAS_ALL, 403),
    "breach_list": (lambda w: {}, {**PETUGAS_ALL, "alice": 200}, 403),
    "breach_new": (lambda w: {}, {**PETUGAS_ALL, "alice": 200}, 403),
    "breach_detail": (lambda w: {"pk": w["breach"].pk}, {**PETUGAS_ALL, "alice": 200}, 403),
    "retention": (lambda w: {}, {**PETUGAS_ALL, "alice": 200}, 403),
    "destruction_detail": (lambda w: {"pk": w["list"].pk}, {**PETUGAS_ALL, "alice": 200}, 403),
    # Bella's area does not hold the case: a 404, as for every case address.
    "case_hold": (lambda w: {"number": w["case"].number}, {"bob": 200, "kasubid": 200, "bella": 404}, 403),
}
POSTS = {
    "destruction_build": lambda w: {},
    "destruction_decide": lambda w: {"pk": w["list"].pk},
    "case_hold_place": lambda w: {"number": w["case"].number},
    "case_hold_lift": lambda w: {"number": w["case"].number},
}


def test_every_privacy_url_is_in_this_test():
    assert {p.name for p in urlpatterns} == set(GETS) | set(POSTS)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(GETS))
def test_who_may_open_each_privacy_page(client, world, name, who):
    kwargs, allowed, default = GETS[name]
    response = _client(client, world, who).get(reverse(f"privacy:{name}", kwargs=kwargs(world)))
    expected = 302 if who is None else allowed.get(who, default)
    assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(POSTS))
def test_the_post_only_addresses_refuse_a_get_with_405(client, world, name):
    response = _client(client, world, "kasubid").get(reverse(f"privacy:{name}", kwargs=POSTS[name](world)))
    assert response.status_code == 405


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave"])
def test_only_a_supervisor_may_decide_a_destruction_list(client, world, who):
    response = _client(client, world, who).post(
        reverse("privacy:destruction_decide", args=[world["list"].pk]),
        {"decision": "approve", "confirm": "on"},
    )
    assert response.status_code == 403
    assert Case.objects.filter(pk=world["case"].pk).exists()
    assert DestructionList.objects.get().state == DestructionList.State.PROPOSED


def test_a_supervisor_must_confirm_before_approving_and_keeps_what_they_typed(client, world):
    url = reverse("privacy:destruction_decide", args=[world["list"].pk])
    response = _client(client, world, "kasubid").post(url, {"decision": "approve", "note": "Catatan saya"})
    assert response.status_code == 400
    assert "confirm" in response.context["form"].errors
    assert "Catatan saya" in response.content.decode()
    assert Case.objects.filter(pk=world["case"].pk).exists()


def test_a_supervisor_approves_the_list_and_the_case_is_destroyed(client, world):
    url = reverse("privacy:destruction_decide", args=[world["list"].pk])
    response = _client(client, world, "kasubid").post(url, {"decision": "approve", "confirm": "on"})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=world["case"].pk).exists()
    page = client.get(reverse("privacy:destruction_detail", args=[world["list"].pk]))
    assert world["case"].number in page.content.decode()  # named by number, not linked any more
    assert page.context["items"][0].outcome == "dimusnahkan"


def test_rejecting_needs_a_reason(client, world):
    url = reverse("privacy:destruction_decide", args=[world["list"].pk])
    response = _client(client, world, "kasubid").post(url, {"decision": "reject"})
    assert response.status_code == 400
    assert DestructionList.objects.get().state == DestructionList.State.PROPOSED


def test_a_petugas_limited_to_a_kecamatan_sees_only_their_area_on_the_list(client, world):
    response = _client(client, world, "bella").get(
        reverse("privacy:destruction_detail", args=[world["list"].pk])
    )
    assert response.context["items"] == []
    assert response.context["outside"] == 1
    assert world["case"].number not in response.content.decode()


def test_a_petugas_places_and_lifts_a_legal_hold_with_reasons_audited(client, world):
    c = _client(client, world, "bob")
    number = world["case"].number
    response = c.post(reverse("privacy:case_hold_place", args=[number]), {"reason": ""})
    assert response.status_code == 400
    response = c.post(
        reverse("privacy:case_hold_place", args=[number]),
        {"reason": "Sidang anak", "reference": "3/Pid.Sus-Anak"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.active and hold.placed_by == world["bob"]
    page = c.get(reverse("privacy:case_hold", args=[number]))
    assert b'data-testid="hold-active"' in page.content
    response = c.post(reverse("privacy:case_hold_lift", args=[number]), {"lift_reason": "Putusan inkracht"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert not hold.active and hold.lift_reason == "Putusan inkracht"
    actions = list(
        AuditEvent.objects.filter(target_id=str(world["case"].pk)).values_list("action", flat=True)
    )
    assert "case.legal_hold" in actions and "case.legal_hold_lift" in actions
    # The held case was taken off the waiting list.
    assert world["list"].items.get().outcome == "ditahan"


def test_the_case_page_links_to_the_legal_hold_for_petugas_only(client, world):
    f.make_case(actor=world["charlie"])
    own = Case.objects.filter(reported_by=world["charlie"]).get()
    assert (
        b"case-legal-hold"
        in _client(client, world, "bob").get(reverse("cases:detail", args=[own.number])).content
    )
    client.logout()
    kader_page = _client(client, world, "charlie").get(reverse("cases:detail", args=[own.number]))
    assert kader_page.status_code == 200 and b"case-legal-hold" not in kader_page.content


def test_a_petugas_records_a_subject_request_and_its_clock_runs_72_hours(client, world):
    received = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    response = _client(client, world, "bob").post(
        reverse("privacy:request_new"),
        {
            "kind": "perbaikan",
            "requester_name": "Bapak Sintetis",
            "requester_relation": "orang_tua",
            "case_number": world["case"].number.lower(),
            "details": "Tanggal lahir anak salah.",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    row = SubjectRequest.objects.get(kind="perbaikan")
    assert row.case_number == world["case"].number
    assert row.due_at == received + dt.timedelta(hours=72)
    page = client.get(response["Location"])
    assert "69 jam lagi" in page.content.decode()
    audit = AuditEvent.objects.get(action="privacy.subject_request", target_id=str(row.pk))
    assert "Sintetis" not in str(audit.details)


def test_a_bad_subject_request_is_refused_at_the_field_with_what_was_typed_kept(client, world):
    response = _client(client, world, "bob").post(
        reverse("privacy:request_new"),
        {
            "kind": "akses",
            "requester_name": "Nenek Sintetis",
            "requester_relation": "wali",
            "case_number": "SGP-1999-00001",
            "details": "Ingin melihat data cucunya.",
            "received_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "case_number" in errors and "received_at" in errors
    assert "Nenek Sintetis" in response.content.decode()


def test_an_overdue_request_is_red_on_the_register_and_the_start_page(client, world):
    SubjectRequest.objects.filter(pk=world["request"].pk).update(
        received_at=timezone.now() - dt.timedelta(hours=80), due_at=timezone.now() - dt.timedelta(hours=8)
    )
    c = _client(client, world, "bob")
    page = c.get(reverse("privacy:request_list"))
    assert b'data-testid="requests-overdue"' in page.content
    assert page.context["open_requests"][0].clock.state == "overdue"
    start = c.get(reverse("start:petugas")).content.decode()
    assert 'data-testid="pdp-start-request"' in start and "list-group-item-danger" in start
    assert "8 jam terlambat" in start


def test_answering_a_request_needs_the_answer_and_stops_the_clock(client, world):
    c = _client(client, world, "bob")
    url = reverse("privacy:request_detail", args=[world["request"].pk])
    assert c.post(url, {"status": "dijawab", "answer": ""}).status_code == 400
    assert c.post(url, {"status": "dijawab", "answer": "Salinan diserahkan langsung."}).status_code == 302
    row = SubjectRequest.objects.get(pk=world["request"].pk)
    assert row.status == "dijawab" and row.answered_by == world["bob"]
    page = c.get(url)
    assert page.context["row"].clock.state == "done" and page.context["form"] is None
    assert AuditEvent.objects.filter(action="privacy.subject_request_update").count() == 1


def test_the_admin_records_a_breach_and_its_notices(client, world):
    c = _client(client, world, "alice")
    found = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    response = c.post(
        reverse("privacy:breach_new"),
        {
            "summary": "Surat salah kirim",
            "found_at": found.strftime("%Y-%m-%dT%H:%M"),
            "data_affected": "Nama dan alamat satu anak",
            "subjects_count": "1",
        },
    )
    assert response.status_code == 302
    breach = Breach.objects.get(summary="Surat salah kirim")
    assert breach.due_at == found + dt.timedelta(hours=72)
    url = reverse("privacy:breach_detail", args=[breach.pk])
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert c.post(url, {"whom": "subjects", "at": now, "how": "Surat kepada orang tua"}).status_code == 302
    assert c.get(url).context["breach"].clock.state == "running"  # the authority is still to be told
    assert c.post(url, {"whom": "authority", "at": now, "how": "Surel ke Komdigi"}).status_code == 302
    breach.refresh_from_db()
    assert breach.notices_done
    assert c.get(url).context["breach"].clock.state == "done"
    assert AuditEvent.objects.filter(action="privacy.breach_notice", target_id=str(breach.pk)).count() == 2


def test_a_notice_before_the_breach_was_found_is_refused_at_the_field(client, world):
    c = _client(client, world, "bob")
    url = reverse("privacy:breach_detail", args=[world["breach"].pk])
    before = timezone.localtime(world["breach"].found_at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = c.post(url, {"whom": "authority", "at": before, "how": "Surel"})
    assert response.status_code == 400
    assert "at" in response.context["form"].errors


def test_the_request_register_keeps_its_query_count_flat(client, world, django_assert_max_num_queries):
    for i in range(15):
        services.subject_request_create(
            actor=world["bob"],
            kind="akses",
            requester_name=f"Pemohon {i}",
            requester_relation="orang_tua",
            details="Salinan data.",
        )
    c = _client(client, world, "bob")
    with django_assert_max_num_queries(8):
        assert c.get(reverse("privacy:request_list")).status_code == 200
