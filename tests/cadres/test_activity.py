"""Cadre activity from every source, and the kader's own activity page (log an outreach)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cadres import services
from cadres.models import Cadre, CadreActivity, Outreach
from cases import services as case_services
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/kader/kegiatan/"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def make_cadre(*, user=None, kelurahan_code=f.BANSIR_LAUT, **fields) -> Cadre:
    values = {"name": "Kader Uji", "sex": "P", "cohort": 2019, "kelurahan": f.kelurahan(kelurahan_code)}
    values.update(fields)
    return Cadre.objects.create(user=user, **values)


@pytest.fixture
def charlie_cadre(charlie):
    return make_cadre(user=charlie, name="Charlie Kader")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


def english(client):
    """Show the pages in English (the language switcher's cookie), to assert on new msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def activities(cadre, **filters):
    return list(CadreActivity.objects.filter(cadre=cadre, **filters))


# --- Sources ---------------------------------------------------------------------------------------


def test_it_records_a_case_report_once_per_case(charlie, charlie_cadre):
    case = f.make_case(actor=charlie)
    # Called again (a retry, a second hook): still one activity for this case.
    case_services.count_cadre_activity(actor=charlie, case=case)

    [activity] = activities(charlie_cadre)
    assert activity.kind == CadreActivity.Kind.CASE_REPORT
    assert (activity.source_type, activity.source_id) == ("cases.case", str(case.pk))
    assert activity.at == case.reported_at
    assert case.number in activity.summary
    assert "Anak" not in activity.summary  # the case by number, never the child
    charlie_cadre.refresh_from_db()
    assert charlie_cadre.last_activity_at == case.reported_at


def test_it_records_each_follow_up_on_an_accompanied_case_once(charlie, charlie_cadre, media):
    case = f.make_case(actor=charlie)
    note = case_services.case_add_note(actor=charlie, case=case, note="Kunjungan lanjutan.")
    visit = case_services.case_add_visit(
        actor=charlie, case=case, visit_date=timezone.localdate(), note="Keluarga ditemui."
    )
    case_services.case_add_attachment(
        actor=charlie,
        case=case,
        upload=SimpleUploadedFile("surat.pdf", PDF),
        kind="dokumen",
        content_type="application/pdf",
    )
    case_services.count_cadre_activity(actor=charlie, case=case, event=note)
    case_services.count_cadre_activity(actor=charlie, case=case, event=visit)

    follow_ups = activities(charlie_cadre, kind=CadreActivity.Kind.CASE_FOLLOW_UP)
    assert len(follow_ups) == 3
    assert {a.source_type for a in follow_ups} == {"cases.caseevent"}
    attachment_event = case.events.get(kind="attachment")
    assert {a.source_id for a in follow_ups} == {str(note.pk), str(visit.pk), str(attachment_event.pk)}


def test_a_follow_up_on_a_case_the_kader_does_not_accompany_records_nothing(bob, carol, charlie_cadre):
    carol_cadre = make_cadre(user=carol, kelurahan_code=f.SIANTAN_HULU, name="Carol Kader")
    case = f.make_case(actor=bob)
    case_services.case_add_note(actor=carol, case=case, note="Catatan.")
    assert activities(carol_cadre) == []


def test_a_follow_up_counts_once_the_cadre_is_assigned(bob, charlie, charlie_cadre):
    case = f.make_case(actor=bob)
    case_services.case_assign_cadre(actor=bob, case=case, cadre=charlie)
    event = case_services.case_add_note(actor=charlie, case=case, note="Sudah dikunjungi.")
    [activity] = activities(charlie_cadre)
    assert activity.source_id == str(event.pk)


def test_non_kader_actors_record_nothing(bob, charlie, charlie_cadre):
    case = f.make_case(actor=bob)
    case_services.case_assign_cadre(actor=bob, case=case, cadre=charlie)
    case_services.case_add_note(actor=bob, case=case, note="Catatan petugas.")
    assert CadreActivity.objects.count() == 0


def test_a_kader_without_a_roster_entry_records_nothing_and_the_case_still_saves(charlie):
    case = f.make_case(actor=charlie)
    case_services.case_add_note(actor=charlie, case=case, note="Catatan.")
    assert case.pk is not None
    assert CadreActivity.objects.count() == 0


def test_training_attendance_is_recorded_once_per_source(charlie_cadre):
    at = timezone.now() - dt.timedelta(days=2)
    first = services.cadre_activity_record(
        cadre=charlie_cadre, kind="training", at=at, summary="Pelatihan", source=("training.attendance", 7)
    )
    again = services.cadre_activity_record(
        cadre=charlie_cadre, kind="training", at=at, summary="Pelatihan", source=("training.attendance", "7")
    )
    assert first is not None and again is None
    assert len(activities(charlie_cadre, kind="training")) == 1
    charlie_cadre.refresh_from_db()
    assert charlie_cadre.last_activity_at == at


def test_last_activity_only_moves_forward(charlie_cadre):
    recent = timezone.now() - dt.timedelta(days=1)
    old = timezone.now() - dt.timedelta(days=30)
    services.cadre_activity_record(
        cadre=charlie_cadre, kind="training", at=recent, source=("training.attendance", 1)
    )
    services.cadre_activity_record(
        cadre=charlie_cadre, kind="training", at=old, source=("training.attendance", 2)
    )
    charlie_cadre.refresh_from_db()
    assert charlie_cadre.last_activity_at == recent
    assert CadreActivity.objects.filter(cadre=charlie_cadre).count() == 2


def test_the_outreach_service_refuses_a_future_date_and_a_negative_count(charlie, charlie_cadre):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.outreach_log(
            cadre=charlie_cadre,
            actor=charlie,
            kind=Outreach.Kind.SOSIALISASI,
            date=timezone.localdate() + dt.timedelta(days=1),
            kelurahan=charlie_cadre.kelurahan,
            people_reached=-1,
        )
    assert set(error.value.message_dict) == {"date", "people_reached"}
    assert not Outreach.objects.exists() and not CadreActivity.objects.exists()


def test_an_outreach_on_an_earlier_day_counts_on_that_day(charlie, charlie_cadre):
    day = timezone.localdate() - dt.timedelta(days=5)
    outreach = services.outreach_log(
        cadre=charlie_cadre,
        actor=charlie,
        kind=Outreach.Kind.KUNJUNGAN_RUMAH,
        date=day,
        kelurahan=charlie_cadre.kelurahan,
        people_reached=4,
    )
    [activity] = activities(charlie_cadre)
    assert (activity.kind, activity.source_type, activity.source_id) == (
        "outreach",
        "cadres.outreach",
        str(outreach.pk),
    )
    assert timezone.localtime(activity.at).date() == day


# --- The page ----------------------------------------------------------------------------------------


def test_the_url_is_named_my_activity():
    assert reverse("cadres:my_activity") == URL


def post_outreach(client, **overrides):
    data = {
        "kind": "sosialisasi",
        "date": timezone.localdate().isoformat(),
        "kelurahan": f.kelurahan(f.BANSIR_LAUT).pk,
        "note": "Sosialisasi di posyandu RW 03.",
        "people_reached": "25",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_the_kader_logs_an_outreach_and_sees_it_in_their_list(client_for, charlie, charlie_cadre):
    client = client_for(charlie)
    response = post_outreach(client)
    assert response.status_code == 302
    assert response.url.startswith(URL)

    outreach = Outreach.objects.get()
    assert (outreach.cadre, outreach.created_by, outreach.people_reached) == (charlie_cadre, charlie, 25)
    activity = CadreActivity.objects.get(cadre=charlie_cadre)
    assert (activity.kind, activity.source_id) == ("outreach", str(outreach.pk))
    charlie_cadre.refresh_from_db()
    assert charlie_cadre.last_activity_at is not None

    page = client.get(URL)
    assert page.status_code == 200
    assert page.context["page"].object_list[0] == activity
    assert b'data-kind="outreach"' in page.content
    assert "Sosialisasi di posyandu RW 03." in page.content.decode()


def test_the_form_defaults_to_today_and_the_kaders_own_kelurahan(client_for, charlie, charlie_cadre):
    form = client_for(charlie).get(URL).context["form"]
    assert form["date"].value() == timezone.localdate()
    assert form["kelurahan"].value() == charlie_cadre.kelurahan_id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date",
            (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "The date cannot be in the future.",
        ),
        ("people_reached", "-3", "The number of people reached cannot be negative."),
        ("people_reached", "", "This field is required."),
        ("kind", "", "This field is required."),
    ],
)
def test_bad_input_is_shown_at_the_field_with_everything_kept(
    client_for, charlie, charlie_cadre, field, value, message
):
    response = post_outreach(english(client_for(charlie)), **{field: value}, note="Catatan yang diketik.")
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field] == [message]
    html = response.content.decode()
    assert "invalid-feedback" in html and message in html
    assert "Catatan yang diketik." in html
    assert not Outreach.objects.exists()


def test_a_kader_without_a_roster_entry_is_told_to_ask_the_dinas_and_cannot_log(client_for, charlie):
    client = english(client_for(charlie))
    page = client.get(URL)
    assert page.status_code == 200
    assert b'data-testid="no-roster-entry"' in page.content
    assert b"Ask the Dinas" in page.content
    assert b'data-testid="outreach-form"' not in page.content
    assert post_outreach(client).status_code == 403
    assert not Outreach.objects.exists()


def test_the_list_shows_only_the_kaders_own_activity_newest_first(client_for, charlie, carol, charlie_cadre):
    carol_cadre = make_cadre(user=carol, kelurahan_code=f.SIANTAN_HULU, name="Carol Kader")
    now = timezone.now()
    services.cadre_activity_record(
        cadre=carol_cadre, kind="training", at=now, source=("training.attendance", 1)
    )
    older = services.cadre_activity_record(
        cadre=charlie_cadre, kind="training", at=now - dt.timedelta(days=3), source=("training.attendance", 2)
    )
    newer = services.cadre_activity_record(
        cadre=charlie_cadre, kind="case_report", at=now - dt.timedelta(days=1), summary="Kasus SGP-1"
    )
    listed = list(client_for(charlie).get(URL).context["page"].object_list)
    assert listed == [newer, older]


def test_the_page_stays_light_with_many_activities(
    client_for, charlie, charlie_cadre, django_assert_max_num_queries
):
    for i in range(30):
        services.outreach_log(
            cadre=charlie_cadre,
            actor=charlie,
            kind=Outreach.Kind.PENJANGKAUAN,
            date=timezone.localdate() - dt.timedelta(days=i),
            kelurahan=charlie_cadre.kelurahan,
            people_reached=i,
        )
    client = client_for(charlie)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20


@pytest.mark.parametrize("who", ["bob", "bella", "dave", "alice"])
def test_other_roles_may_not_use_the_page(client_for, everyone, who):
    client = client_for(everyone[who])
    assert client.get(URL).status_code == 403
    assert post_outreach(client).status_code == 403
    assert not Outreach.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(client_for, charlie, charlie_cadre, method):
    assert getattr(client_for(charlie), method)(URL).status_code == 405
