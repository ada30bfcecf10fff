"""The server's side of offline-first: what the service worker may keep, and for whom."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.offline import HEADER
from cases import services
from cases.models import IntakeDraft
from tests import factories as f

pytestmark = pytest.mark.django_db


def kader_pages(case):
    return [
        reverse("start:kader"),
        reverse("cases:report"),
        reverse("cases:mine"),
        reverse("cases:detail", args=[case.number]),
        reverse("cadres:my_activity"),
    ]


def test_a_kaders_own_pages_are_marked_for_their_device_only(client_for, charlie):
    case = f.make_case(actor=charlie)
    client = client_for(charlie)
    for url in kader_pages(case):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[HEADER] == str(charlie.pk), url


def test_no_staff_page_is_ever_marked_for_keeping(client_for, bob, charlie, dave, alice):
    case = f.make_case(actor=charlie)
    for user, urls in (
        (
            bob,
            [
                reverse("start:petugas"),
                reverse("cases:list"),
                reverse("cases:report"),
                reverse("cases:detail", args=[case.number]),
            ],
        ),
        (dave, [reverse("start:kpad")]),
        (alice, [reverse("accounts:user_list")]),
    ):
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert HEADER not in response, url


def test_a_page_sent_back_with_errors_is_not_marked(client_for, charlie):
    response = client_for(charlie).post(reverse("cases:report"), {})
    assert HEADER not in response


def test_the_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "SIGAP-Offline" in body and "sigap-pages-" in body
    assert "{{" not in body and "{%" not in body


def test_the_manifest_lets_sigap_install_to_the_home_screen(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    data = response.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}


def test_every_page_links_the_manifest(client):
    assert 'rel="manifest"' in client.get(reverse("accounts:login")).content.decode()


def test_the_worker_and_manifest_refuse_post(client):
    assert client.post("/sw.js").status_code == 405
    assert client.post("/manifest.webmanifest").status_code == 405


def test_logout_tells_the_browser_to_forget_what_sigap_kept(client_for, charlie):
    response = client_for(charlie).post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_outbox_script_knows_who_may_work_offline(client_for, charlie, bob):
    kader_page = client_for(charlie).get(reverse("start:kader")).content.decode()
    assert 'data-offline="1"' in kader_page and f'data-user="{charlie.pk}"' in kader_page
    staff_page = client_for(bob).get(reverse("start:petugas")).content.decode()
    assert 'data-offline="0"' in staff_page


def test_a_server_draft_older_than_the_device_draft_days_is_deleted(client_for, charlie, settings):
    settings.SIGAP_DEVICE_DRAFT_DAYS = 7
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)):
        services.intake_draft_save(user=charlie, data={"values": {"address": "Jl. Lama"}})
    with time_machine.travel(dt.datetime(2026, 11, 7, 9, tzinfo=dt.UTC)):
        assert client_for(charlie).get(reverse("cases:draft")).json()["data"] is not None
    with time_machine.travel(dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)):
        assert client_for(charlie).get(reverse("cases:draft")).json()["data"] is None
    assert not IntakeDraft.objects.filter(user=charlie).exists()


def test_the_report_form_carries_the_draft_days_and_indonesian_messages(client_for, charlie, settings):
    settings.SIGAP_DEVICE_DRAFT_DAYS = 3
    body = client_for(charlie).get(reverse("cases:report")).content.decode()
    assert 'data-draft-days="3"' in body
    assert 'data-msg-pattern="NIK harus 16 angka"' in body
    assert "Buang draf ini?" in body
