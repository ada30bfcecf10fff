"""Text is gzipped for the phone on mobile data; files that are compressed already are not."""

import datetime as dt
import gzip

import pytest
from django.urls import reverse

from cadres.models import Cadre
from tests import factories as f
from training import services

pytestmark = pytest.mark.django_db


def test_a_kaders_page_is_gzipped_and_still_carries_a_fresh_csrf_mask(client_for, charlie):
    client = client_for(charlie)
    first = client.get(reverse("cases:report"), HTTP_ACCEPT_ENCODING="gzip")
    second = client.get(reverse("cases:report"), HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    page = gzip.decompress(first.content).decode()
    assert "csrfmiddlewaretoken" in page
    plain = len(gzip.decompress(first.content))
    assert len(first.content) < plain / 3

    def token(body: bytes) -> str:
        text = gzip.decompress(body).decode()
        start = text.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
        return text[start : text.index('"', start)]

    # BREACH: the token is masked anew in every answer, so it never repeats between answers.
    assert token(first.content) != token(second.content)


def test_nothing_is_gzipped_for_a_client_that_does_not_ask(client_for, charlie):
    response = client_for(charlie).get(reverse("cases:report"))
    assert not response.has_header("Content-Encoding")


def test_the_service_worker_is_gzipped(client):
    response = client.get("/sw.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


def test_a_pdf_is_not_gzipped_again(client_for, charlie, bob):
    training = services.training_create(
        actor=bob, title="Uji", organiser="DP2KBP3A", venue="Aula", dates=[dt.date(2022, 1, 3)]
    )
    cadre = Cadre.objects.create(
        name="Kader Uji", sex="P", cohort=2022, kelurahan=f.kelurahan(f.BANSIR_LAUT), user=charlie
    )
    services.participants_add_cadres(actor=bob, training=training, cadres=[cadre])
    participant = training.participants.get()
    services.attendance_mark(participant=participant, day=training.days.get(), actor=bob)
    response = client_for(charlie).get(
        reverse("training:my_certificate", args=[training.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not response.has_header("Content-Encoding")
