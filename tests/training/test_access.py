"""Every training URL: petugas may; kader, KPAD and admin get 403; anonymous goes to log in;
POST-only actions refuse GET (405); the public certificate pages are open to anyone."""

import pytest
from django.urls import reverse

from training import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(training, participants, bob):
    day = training.days.first()
    p = participants[0]
    for d in training.days.all():
        services.attendance_mark(participant=p, day=d, actor=bob)
    item = services.agenda_item_add(actor=bob, day=day, start_time="09:00", topic="Pembukaan")
    pk = training.pk
    return {
        "get": [
            reverse("training:list"),
            reverse("training:create"),
            reverse("training:detail", kwargs={"pk": pk}),
            reverse("training:edit", kwargs={"pk": pk}),
            reverse("training:agenda", kwargs={"pk": pk}),
            reverse("training:participants", kwargs={"pk": pk}),
            reverse("training:attendance", kwargs={"pk": pk, "day": day.pk}),
            reverse("training:attendance", kwargs={"pk": pk, "day": day.date.isoformat()}),
            reverse("training:scores", kwargs={"pk": pk}),
            reverse("training:certificates", kwargs={"pk": pk}),
            reverse("training:certificates_pdf", kwargs={"pk": pk}),
            reverse("training:certificate_pdf", kwargs={"pk": pk, "participant_pk": p.pk}),
            reverse("training:cohort", kwargs={"pk": pk}),
        ],
        "post_only": [
            reverse("training:agenda_delete", kwargs={"pk": pk, "item_pk": item.pk}),
            reverse("training:participant_remove", kwargs={"pk": pk, "participant_pk": participants[-1].pk}),
            reverse("training:attendance_mark", kwargs={"pk": pk, "day": day.pk, "participant_pk": p.pk}),
        ],
    }


def test_it_lets_petugas_open_every_training_page(client_for, bob, urls):
    client = client_for(bob)
    for url in urls["get"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["charlie", "dave", "alice"])
def test_it_forbids_other_roles_every_training_url(client_for, who, urls, request):
    client = client_for(request.getfixturevalue(who))
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post_only"]:
        assert client.post(url).status_code == 403, url


def test_it_sends_anonymous_users_to_log_in(client, urls):
    for method, url in [("get", u) for u in urls["get"]] + [("post", u) for u in urls["post_only"]]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_it_refuses_get_on_post_only_actions(client_for, bob, urls):
    client = client_for(bob)
    for url in urls["post_only"]:
        assert client.get(url).status_code == 405, url


def test_it_refuses_post_on_read_only_pages(client_for, bob, training):
    client = client_for(bob)
    assert client.post(reverse("training:list")).status_code == 405
    assert client.post(reverse("training:detail", kwargs={"pk": training.pk})).status_code == 405
    assert client.post(reverse("training:certificates", kwargs={"pk": training.pk})).status_code == 405


def test_it_is_a_404_for_an_unknown_training_or_day(client_for, bob, training):
    client = client_for(bob)
    assert client.get(reverse("training:detail", kwargs={"pk": 999999})).status_code == 404
    assert (
        client.get(
            reverse("training:attendance", kwargs={"pk": training.pk, "day": "2030-01-01"})
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("training:attendance", kwargs={"pk": training.pk, "day": "kemarin"})).status_code
        == 404
    )


@pytest.mark.parametrize("who", [None, "charlie", "dave", "alice", "bob"])
def test_it_opens_the_public_certificate_pages_to_anyone(client, who, request, training, participants, bob):
    p = participants[0]
    for d in training.days.all():
        services.attendance_mark(participant=p, day=d, actor=bob)
    code = services.certificates_issue(actor=bob, training=training).get(pk=p.pk).certificate_code
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("certificate:verify_form")).status_code == 200
    assert client.get(reverse("certificate:verify", kwargs={"code": code})).status_code == 200
    assert client.get(reverse("certificate:verify", kwargs={"code": "ZZZZZZZZZZ"})).status_code == 404
    assert client.post(reverse("certificate:verify_form")).status_code == 405
