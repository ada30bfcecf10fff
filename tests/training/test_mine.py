"""'Pelatihan saya': a kader's own trainings, attendance and certificates, and nobody else's."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from tests import factories as f
from training import services

from .conftest import attend, make_cadre

pytestmark = pytest.mark.django_db

MINE = "/pelatihan/saya/"


@pytest.fixture
def me(charlie, training, bob):
    """Charlie's roster entry, on the list of the 2022 training."""
    cadre = make_cadre("Charlie Kader", user=charlie)
    services.participants_add_cadres(actor=bob, training=training, cadres=[cadre])
    return training.participants.get(cadre=cadre)


def english(client):
    client.cookies["django_language"] = "en"
    return client


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_a_kader_sees_their_past_training_with_attendance_and_certificate(
    client_for, charlie, bob, training, me
):
    attend(training, me, bob)
    body = english(client_for(charlie)).get(MINE).content.decode()
    assert f'data-testid="my-training-{training.pk}"' in body
    assert body.count('data-present="yes"') == 2
    assert reverse("training:my_certificate", args=[training.pk]) in body
    assert 'data-testid="no-upcoming"' in body


@time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False)
def test_an_invitation_to_a_training_to_come_is_listed_as_upcoming(client_for, charlie, bob, me):
    later = services.training_create(
        actor=bob,
        title="Pelatihan Lanjutan",
        organiser="DP2KBP3A",
        venue="Aula",
        dates=[dt.date(2026, 12, 20)],
    )
    services.participants_add_cadres(actor=bob, training=later, cadres=[me.cadre])
    response = english(client_for(charlie)).get(MINE)
    upcoming = response.context["upcoming"]
    assert [p.training for p in upcoming] == [later]
    assert [p.training.pk for p in response.context["past"]] == [me.training_id]
    assert 'data-present="unmarked"' in response.content.decode()


def test_a_kader_who_missed_a_day_gets_no_certificate(client_for, charlie, bob, training, me):
    attend(training, me, bob, days=[training.days.first()])
    client = english(client_for(charlie))
    body = client.get(MINE).content.decode()
    assert reverse("training:my_certificate", args=[training.pk]) not in body
    assert "Present 1 of 2 days" in body
    response = client.get(reverse("training:my_certificate", args=[training.pk]))
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.certificate_code is None


def test_a_kader_downloads_their_certificate_and_the_code_is_issued_once(
    client_for, charlie, bob, training, me
):
    attend(training, me, bob)
    client = client_for(charlie)
    url = reverse("training:my_certificate", args=[training.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    me.refresh_from_db()
    assert me.certificate_code and me.certificate_code in first["Content-Disposition"]
    assert client.get(url).status_code == 200
    me.refresh_from_db()
    assert me.certificate_code in first["Content-Disposition"]  # the code stays
    assert AuditEvent.objects.filter(action="training.certificates_issue").count() == 1


def test_a_kader_never_sees_a_training_they_are_not_on(client_for, charlie, bob, training, cadres, me):
    other = services.training_create(
        actor=bob, title="Pelatihan Lain", organiser="DP2KBP3A", venue="Aula", dates=[dt.date(2022, 12, 1)]
    )
    services.participants_add_cadres(actor=bob, training=other, cadres=cadres[:1])
    attend(other, other.participants.get(), bob)
    client = client_for(charlie)
    assert "Pelatihan Lain" not in client.get(MINE).content.decode()
    assert client.get(reverse("training:my_certificate", args=[other.pk])).status_code == 404


def test_a_kader_without_a_roster_entry_sees_an_empty_page(client_for, training):
    loner = f.KaderFactory(username="sendiri")
    response = client_for(loner).get(MINE)
    assert response.status_code == 200
    assert response.context["upcoming"] == [] and response.context["past"] == []


def test_the_page_reads_a_fixed_number_of_queries(
    client_for, charlie, bob, training, me, django_assert_max_num_queries
):
    attend(training, me, bob)
    for n in range(3):
        extra = services.training_create(
            actor=bob, title=f"Pelatihan {n}", organiser="D", venue="A", dates=[dt.date(2023, 1, 1 + n)]
        )
        services.participants_add_cadres(actor=bob, training=extra, cadres=[me.cadre])
    client = client_for(charlie)
    client.get(MINE)
    with django_assert_max_num_queries(12):
        client.get(MINE)


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_other_roles_are_refused_pelatihan_saya(client_for, who, request, training):
    client = client_for(request.getfixturevalue(who))
    assert client.get(MINE).status_code == 403
    assert client.get(reverse("training:my_certificate", args=[training.pk])).status_code == 403


def test_a_kader_still_gets_403_on_the_petugas_training_pages(client_for, charlie, training, me):
    assert client_for(charlie).get(reverse("training:detail", args=[training.pk])).status_code == 403


def test_the_own_pages_refuse_post(client_for, charlie, training, me):
    client = client_for(charlie)
    assert client.post(MINE).status_code == 405
    assert client.post(reverse("training:my_certificate", args=[training.pk])).status_code == 405


def test_the_menu_offers_pelatihan_saya_to_a_kader_only(client_for, charlie, bob):
    assert (
        MINE in client_for(charlie).get("/").content.decode()
        or MINE in client_for(charlie).get(reverse("start:kader")).content.decode()
    )
    assert MINE not in client_for(bob).get(reverse("start:petugas")).content.decode()
