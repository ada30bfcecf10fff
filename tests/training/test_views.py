import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from cadres.models import Cadre, CadreActivity
from training import services
from training.models import Attendance, Participant, Training

from .conftest import attend, make_cadre

pytestmark = pytest.mark.django_db


# --- Create and edit ----------------------------------------------------------------------------


def test_it_creates_a_training_with_its_days(client_for, bob):
    response = client_for(bob).post(
        reverse("training:create"),
        {
            "title": "Pelatihan Baru",
            "organiser": "DP2KBP3A",
            "venue": "Aula",
            "dates": "24/11/2022\n2022-11-23",
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:detail", kwargs={"pk": training.pk})
    assert [d.date for d in training.days.all()] == [dt.date(2022, 11, 23), dt.date(2022, 11, 24)]
    assert AuditEvent.objects.filter(action="training.create", target_id=str(training.pk)).exists()


def test_it_shows_a_bad_date_at_the_field_and_keeps_the_input(client_for, bob):
    with translation.override("en"):
        response = client_for(bob).post(
            reverse("training:create"),
            {"title": "Pelatihan Baru", "organiser": "DP2KBP3A", "venue": "Aula", "dates": "31/02/2022"},
        )
    assert response.status_code == 200
    assert "bukan tanggal" in response.context["form"].errors["dates"][0]
    assert 'value="Pelatihan Baru"' in response.content.decode()
    assert not Training.objects.exists()


def test_it_refuses_to_drop_a_day_that_has_attendance(client_for, bob, training, participants):
    attend(training, participants[0], bob)
    response = client_for(bob).post(
        reverse("training:edit", kwargs={"pk": training.pk}),
        {"title": "T", "organiser": "O", "venue": "V", "dates": "23/11/2022"},
    )
    assert response.status_code == 200
    assert "dates" in response.context["form"].errors
    assert training.days.count() == 2


def test_it_adds_an_agenda_item_and_checks_times(client_for, bob, training):
    client = client_for(bob)
    day = training.days.first()
    url = reverse("training:agenda", kwargs={"pk": training.pk})
    response = client.post(
        url, {"day": day.pk, "start_time": "10:00", "end_time": "09:00", "topic": "Materi"}
    )
    assert response.status_code == 200
    assert "end_time" in response.context["form"].errors
    response = client.post(
        url,
        {
            "day": day.pk,
            "start_time": "09:00",
            "end_time": "10:00",
            "topic": "Materi",
            "resource_person": "Dr. X",
        },
    )
    assert response.status_code == 302
    assert day.agenda_items.get().resource_person == "Dr. X"


# --- Participants ------------------------------------------------------------------------------


def test_it_finds_cadres_by_name_with_their_kelurahan(client_for, bob, training, cadres):
    response = client_for(bob).get(
        reverse("training:participants", kwargs={"pk": training.pk}), {"q": "budi"}
    )
    assert [c.name for c in response.context["found"]] == ["Budi Santoso"]
    assert "Siantan Hulu" in response.content.decode()


def test_it_adds_chosen_cadres(client_for, bob, training, cadres):
    url = reverse("training:participants", kwargs={"pk": training.pk})
    response = client_for(bob).post(url, {"action": "cadres", "cadre": [cadres[0].pk, cadres[2].pk]})
    assert response.status_code == 302
    assert set(training.participants.values_list("cadre_id", flat=True)) == {cadres[0].pk, cadres[2].pk}


def test_it_adds_many_cadres_by_kelurahan_or_cohort(client_for, bob, training, cadres):
    make_cadre("Dina 2017", cohort=2017)
    client = client_for(bob)
    url = reverse("training:participants", kwargs={"pk": training.pk})
    response = client.post(url, {"action": "bulk", "bulk-cohort": "2017"})
    assert response.status_code == 302
    assert sorted(p.cadre.name for p in training.participants.all()) == ["Ani Lestari", "Dina 2017"]
    kelurahan = cadres[1].kelurahan
    client.post(url, {"action": "bulk", "bulk-kelurahan": kelurahan.pk})
    assert training.participants.count() == 3


def test_it_asks_for_a_filter_before_adding_many_cadres(client_for, bob, training, cadres):
    response = client_for(bob).post(
        reverse("training:participants", kwargs={"pk": training.pk}), {"action": "bulk"}
    )
    assert response.status_code == 200
    assert response.context["bulk"].non_field_errors()
    assert not training.participants.exists()


def test_a_petugas_with_a_kecamatan_adds_only_cadres_of_that_kecamatan(client_for, bella, training, cadres):
    url = reverse("training:participants", kwargs={"pk": training.pk})
    client_for(bella).post(url, {"action": "cadres", "cadre": [c.pk for c in cadres]})
    assert [p.cadre.name for p in training.participants.all()] == ["Budi Santoso"]


def test_it_adds_a_kpad_member_and_a_guest(client_for, bob, training, dave, charlie):
    client = client_for(bob)
    url = reverse("training:participants", kwargs={"pk": training.pk})
    assert client.post(url, {"action": "kpad", "kpad-user": charlie.pk}).status_code == 200  # not KPAD
    assert client.post(url, {"action": "kpad", "kpad-user": dave.pk}).status_code == 302
    assert client.post(url, {"action": "guest", "guest-name": ""}).status_code == 200
    assert (
        client.post(url, {"action": "guest", "guest-name": "Tamu", "guest-institution": "LBH"}).status_code
        == 302
    )
    assert sorted(training.participants.values_list("kind", flat=True)) == ["guest", "kpad"]


# --- Attendance --------------------------------------------------------------------------------


def test_it_marks_attendance_without_javascript(client_for, bob, training, participants):
    day = training.days.first()
    p = participants[0]
    url = reverse(
        "training:attendance_mark", kwargs={"pk": training.pk, "day": day.pk, "participant_pk": p.pk}
    )
    response = client_for(bob).post(url, {"present": "1", "q": "ani"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?q=ani#p{p.pk}")
    record = Attendance.objects.get(participant=p, day=day)
    assert record.present and record.marked_by == bob


def test_it_marks_and_unmarks_attendance_by_fetch(client_for, bob, training, participants):
    client = client_for(bob)
    day = training.days.first()
    p = participants[0]
    url = reverse(
        "training:attendance_mark", kwargs={"pk": training.pk, "day": day.pk, "participant_pk": p.pk}
    )
    for _ in range(2):
        data = client.post(url, {"present": "1"}, headers={"Accept": "application/json"}).json()
        assert data["present"] is True and data["present_count"] == 1
    assert Attendance.objects.filter(participant=p, day=day).count() == 1
    assert CadreActivity.objects.filter(cadre=p.cadre).count() == 1
    data = client.post(url, {"present": "0"}, headers={"Accept": "application/json"}).json()
    assert data["present"] is False and data["present_count"] == 0


def test_it_is_a_404_to_mark_a_participant_of_another_training(client_for, bob, training, participants):
    other = services.training_create(
        actor=bob, title="Lain", organiser="O", venue="V", dates=[dt.date(2023, 1, 1)]
    )
    url = reverse(
        "training:attendance_mark",
        kwargs={"pk": other.pk, "day": other.days.get().pk, "participant_pk": participants[0].pk},
    )
    assert client_for(bob).post(url, {"present": "1"}).status_code == 404
    day_of_other = reverse("training:attendance", kwargs={"pk": training.pk, "day": other.days.get().pk})
    assert client_for(bob).get(day_of_other).status_code == 404


def test_the_attendance_page_shows_who_is_present_in_few_queries(
    client_for, bob, training, participants, django_assert_max_num_queries
):
    day = training.days.first()
    for p in participants:
        services.attendance_mark(participant=p, day=day, actor=bob)
    for i in range(20):
        Participant.objects.create(training=training, kind="guest", guest_name=f"Tamu {i}")
    client = client_for(bob)
    url = reverse("training:attendance", kwargs={"pk": training.pk, "day": day.date.isoformat()})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('aria-pressed="true"') == len(participants)
    assert html.count('data-testid="attendance-row"') == len(participants) + 20
    filtered = client.get(url, {"q": "citra"})
    assert [r["participant"].name for r in filtered.context["rows"]] == ["Citra Dewi"]


def test_the_detail_page_stays_cheap(client_for, bob, training, participants, django_assert_max_num_queries):
    attend(training, participants[0], bob)
    client = client_for(bob)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:detail", kwargs={"pk": training.pk}))
    assert response.context["complete_count"] == 1


# --- Scores ------------------------------------------------------------------------------------


def _score_data(participants, scores):
    data = {"form-TOTAL_FORMS": len(participants), "form-INITIAL_FORMS": len(participants)}
    for i, (p, (pre, post)) in enumerate(zip(participants, scores, strict=True)):
        data.update({f"form-{i}-id": p.pk, f"form-{i}-pre_score": pre, f"form-{i}-post_score": post})
    return data


def test_it_saves_scores(client_for, bob, training, participants):
    ordered = list(training.participants.order_by("kind", "id"))
    scores = [("50", "80"), ("", ""), ("0", "100"), ("70", ""), ("", "65")]
    response = client_for(bob).post(
        reverse("training:scores", kwargs={"pk": training.pk}), _score_data(ordered, scores)
    )
    assert response.status_code == 302
    saved = {p.pk: (p.pre_score, p.post_score) for p in Participant.objects.all()}
    assert saved[ordered[0].pk] == (50, 80)
    assert saved[ordered[1].pk] == (None, None)
    assert saved[ordered[2].pk] == (0, 100)


def test_it_refuses_scores_outside_0_to_100_at_the_field(client_for, bob, training, participants):
    ordered = list(training.participants.order_by("kind", "id"))
    scores = [("101", "80"), ("-1", ""), ("", ""), ("", ""), ("", "abc")]
    response = client_for(bob).post(
        reverse("training:scores", kwargs={"pk": training.pk}), _score_data(ordered, scores)
    )
    assert response.status_code == 200
    errors = response.context["formset"].errors
    assert "pre_score" in errors[0] and "pre_score" in errors[1] and "post_score" in errors[4]
    assert 'value="101"' in response.content.decode()
    assert not Participant.objects.filter(pre_score__isnull=False).exists()


# --- Certificates ------------------------------------------------------------------------------


def test_it_lists_certificates_for_full_attendance_only(client_for, bob, training, participants):
    attend(training, participants[0], bob)
    attend(training, participants[1], bob, days=[training.days.first()])
    response = client_for(bob).get(reverse("training:certificates", kwargs={"pk": training.pk}))
    assert [p.pk for p in response.context["holders"]] == [participants[0].pk]


def test_it_makes_a_real_pdf_with_the_name(client_for, bob, training, participants, monkeypatch):
    from training import certificates

    original = certificates.certificates_pdf
    monkeypatch.setattr(
        "training.views.sessions.certificates_pdf", lambda **kw: original(compress=False, **kw)
    )
    attend(training, participants[0], bob)
    client = client_for(bob)
    response = client.get(
        reverse("training:certificate_pdf", kwargs={"pk": training.pk, "participant_pk": participants[0].pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    code = Participant.objects.get(pk=participants[0].pk).certificate_code
    assert b"Ani Lestari" in response.content
    assert code.encode() in response.content
    assert f"/sertifikat/{code}/".encode() in response.content
    assert b"Pelatihan Uji Kader" in response.content
    attend(training, participants[2], bob)
    attend(training, participants[1], bob, days=[training.days.first()])
    everyone = client.get(reverse("training:certificates_pdf", kwargs={"pk": training.pk}))
    assert everyone.content.startswith(b"%PDF")
    assert b"Ani Lestari" in everyone.content and b"Citra Dewi" in everyone.content
    assert b"Budi Santoso" not in everyone.content  # one day only


def test_the_compressed_pdf_is_a_pdf_too(training, participants, bob):
    from training.certificates import certificates_pdf

    attend(training, participants[0], bob)
    holders = list(services.certificates_issue(actor=bob, training=training))
    assert certificates_pdf(training=training, participants=holders).startswith(b"%PDF")


def test_it_refuses_a_certificate_for_partial_attendance(client_for, bob, training, participants):
    attend(training, participants[1], bob, days=[training.days.first()])
    url = reverse(
        "training:certificate_pdf", kwargs={"pk": training.pk, "participant_pk": participants[1].pk}
    )
    response = client_for(bob).get(url)
    assert response.status_code == 302
    assert Participant.objects.get(pk=participants[1].pk).certificate_code is None
    response = client_for(bob).get(reverse("training:certificates_pdf", kwargs={"pk": training.pk}))
    assert response.status_code == 302


def test_the_public_page_shows_name_and_training_only(client, bob, training, participants):
    cadre = participants[0].cadre
    Cadre.objects.filter(pk=cadre.pk).update(address="Jalan Rahasia 12")
    attend(training, participants[0], bob)
    code = services.certificates_issue(actor=bob, training=training).get().certificate_code
    with translation.override("en"):
        response = client.get(reverse("certificate:verify", kwargs={"code": code}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sertifikat ini sah." in html
    assert "Ani Lestari" in html and "Pelatihan Uji Kader" in html
    for secret in (cadre.nik, cadre.phone, "Jalan Rahasia", str(cadre.kelurahan), "2017", "Aula Uji"):
        assert secret not in html, secret


def test_the_public_form_sends_to_the_code_page(client, bob, training, participants):
    attend(training, participants[0], bob)
    code = services.certificates_issue(actor=bob, training=training).get().certificate_code
    response = client.get(reverse("certificate:verify_form"), {"code": f" {code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate:verify", kwargs={"code": code})


def test_an_unknown_code_is_a_plain_not_found(client, bob, training, participants):
    attend(training, participants[1], bob, days=[training.days.first()])
    with translation.override("en"):
        response = client.get(reverse("certificate:verify", kwargs={"code": "ABCDEFGHJK"}))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Tidak ada sertifikat sah dengan kode ini." in html
    assert "Budi" not in html and "Pelatihan Uji Kader" not in html


# --- New cohort --------------------------------------------------------------------------------


def test_it_forms_a_cohort_from_the_training(client_for, bob, training, participants):
    attend(training, participants[0], bob)
    attend(training, participants[2], bob)
    attend(training, participants[1], bob, days=[training.days.first()])
    client = client_for(bob)
    url = reverse("training:cohort", kwargs={"pk": training.pk})
    page = client.get(url)
    assert page.context["form"].initial["year"] == 2022
    assert len(page.context["eligible"]) == 2
    with translation.override("en"):
        response = client.post(url, {"year": "2022"}, follow=True)
    assert "2 kader kini termasuk angkatan 2022." in response.content.decode()
    assert sorted(Cadre.objects.filter(cohort=2022).values_list("name", flat=True)) == [
        "Ani Lestari",
        "Citra Dewi",
    ]


def test_it_checks_the_cohort_year(client_for, bob, training):
    response = client_for(bob).post(reverse("training:cohort", kwargs={"pk": training.pk}), {"year": "22"})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
