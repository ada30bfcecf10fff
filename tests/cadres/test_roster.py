"""The roster pages: who may use them, the list's filters and search, create, edit and the login."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, Role, User
from cadres.models import Cadre, CadreActivity
from cadres.services import cadre_activity_record
from tests import factories as f
from tests.cadres.roster_helpers import make_cadre, nik

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


LIST = reverse("cadres:list")


def rows(response) -> list[str]:
    return [c.name for c in response.context["page"]]


# --- Access --------------------------------------------------------------------------------------


def test_it_shows_the_roster_to_a_petugas(client_for, bob):
    make_cadre(name="Ani Kader")
    response = client_for(bob).get(LIST)
    assert response.status_code == 200
    assert rows(response) == ["Ani Kader"]


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
def test_it_refuses_the_roster_to_other_roles(client_for, everyone, who):
    cadre = make_cadre()
    client = client_for(everyone[who])
    for url in (
        LIST,
        reverse("cadres:detail", args=[cadre.pk]),
        reverse("cadres:create"),
        reverse("cadres:edit", args=[cadre.pk]),
        reverse("cadres:create_login", args=[cadre.pk]),
        reverse("cadres:import"),
        reverse("cadres:import_template"),
        reverse("cadres:export"),
        reverse("cadres:overview"),
    ):
        assert client.get(url).status_code == 403, url


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_it_shows_bella_only_the_cadres_of_pontianak_utara(client_for, bella):
    make_cadre(f.SIANTAN_HULU, name="Utara Satu")
    other = make_cadre(f.BANSIR_LAUT, name="Tenggara Satu")
    client = client_for(bella)
    assert rows(client.get(LIST)) == ["Utara Satu"]
    assert client.get(reverse("cadres:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("cadres:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("cadres:create_login", args=[other.pk])).status_code == 404


def test_it_refuses_the_wrong_method(client_for, bob):
    cadre = make_cadre()
    client = client_for(bob)
    assert client.put(LIST).status_code == 405
    assert client.post(reverse("cadres:detail", args=[cadre.pk])).status_code == 405
    assert client.post(reverse("cadres:export")).status_code == 405
    assert client.post(reverse("cadres:overview")).status_code == 405
    assert client.get(reverse("cadres:import_commit")).status_code == 405
    assert client.delete(reverse("cadres:edit", args=[cadre.pk])).status_code == 405


# --- The list ------------------------------------------------------------------------------------


def test_it_filters_by_kecamatan_kelurahan_cohort_and_status(client_for, bob):
    make_cadre(f.BANSIR_LAUT, name="A 2017", cohort=2017)
    make_cadre(f.BANSIR_DARAT, name="B 2018", cohort=2018, status="tidak_aktif")
    make_cadre(f.SIANTAN_HULU, name="C 2019", cohort=2019, status="berhenti")
    make_cadre(f.SIANTAN_HULU, name="D flagged", cohort=2019, inactive_since=timezone.now())
    client = client_for(bob)
    tenggara = f.kecamatan(f.PONTIANAK_TENGGARA).pk
    assert rows(client.get(LIST, {"kecamatan": tenggara})) == ["A 2017", "B 2018"]
    assert rows(client.get(LIST, {"kelurahan": f.kelurahan(f.BANSIR_DARAT).pk})) == ["B 2018"]
    assert rows(client.get(LIST, {"cohort": 2019})) == ["C 2019", "D flagged"]
    assert rows(client.get(LIST, {"status": "tidak_aktif"})) == ["B 2018"]
    assert rows(client.get(LIST, {"status": "berhenti"})) == ["C 2019"]
    assert rows(client.get(LIST, {"status": "flagged"})) == ["D flagged"]


def search(client, **data):
    """POST the filter form as the page does, then follow the redirect to the result."""
    response = client.post(LIST, data)
    assert response.status_code == 302
    return client.get(response["Location"])


def test_it_searches_by_name_nik_and_phone(client_for, bob):
    make_cadre(name="Siti Aminah", nik=nik(1), phone="081234500001")
    make_cadre(name="Rudi Hartono", nik=nik(2), phone="085700000002")
    client = client_for(bob)
    assert rows(search(client, q="amin")) == ["Siti Aminah"]
    assert rows(search(client, q=nik(2))) == ["Rudi Hartono"]
    assert rows(search(client, q="0857")) == ["Rudi Hartono"]


def test_a_nik_search_never_appears_in_an_address(client_for, bob):
    make_cadre(name="Rudi Hartono", nik=nik(2))
    make_cadre(name="Siti Aminah", nik=nik(1))
    client = client_for(bob)
    tenggara = f.kecamatan(f.PONTIANAK_TENGGARA).pk
    response = client.post(LIST, {"q": nik(2), "kecamatan": tenggara})
    location = response["Location"]
    assert nik(2) not in location and "q=" not in location
    assert f"kecamatan={tenggara}" in location
    page = client.get(location)
    assert rows(page) == ["Rudi Hartono"]
    # The export and paging links carry the token, not the text.
    links = re.findall(r'(?:href|action)="([^"]*)"', page.content.decode())
    assert links and not [link for link in links if nik(2) in link]
    export = client.get(reverse("cadres:export") + "?" + location.split("?", 1)[1])
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="cadre.export").latest("at").details["searched"] is True


def test_a_search_in_the_address_is_ignored(client_for, bob):
    make_cadre(name="Siti Aminah", nik=nik(1))
    make_cadre(name="Rudi Hartono", nik=nik(2))
    assert rows(client_for(bob).get(LIST, {"q": nik(2)})) == ["Rudi Hartono", "Siti Aminah"]


def test_another_sessions_search_token_shows_the_whole_list_and_says_so(client_for, bob):
    make_cadre(name="Siti Aminah", nik=nik(1))
    response = client_for(bob).get(LIST, {"s": "not-mine"})
    assert rows(response) == ["Siti Aminah"]
    assert "That search has expired" in response.content.decode()


def test_an_invalid_filter_is_shown_at_its_field(client_for, bob):
    response = client_for(bob).post(LIST, {"cohort": "1899"})
    assert response.status_code == 200
    assert "cohort" in response.context["form"].errors


def test_it_shows_last_activity_in_pontianak_time_or_never(client_for, bob):
    cadre = make_cadre(name="Aktif")
    make_cadre(name="Diam")
    # 20:30 UTC on 1 March is 03:30 on 2 March in Pontianak (UTC+7).
    cadre_activity_record(
        cadre=cadre, kind=CadreActivity.Kind.OUTREACH, at=dt.datetime(2025, 3, 1, 20, 30, tzinfo=dt.UTC)
    )
    body = client_for(bob).get(LIST).content.decode()
    assert 'data-date="2025-03-02"' in body
    assert 'data-date=""' in body  # the silent one: "never"


def test_the_list_pages_in_a_fixed_number_of_queries(client_for, bob, django_assert_max_num_queries):
    for i in range(60):
        make_cadre(name=f"Kader {i:03d}", user=f.KaderFactory() if i % 10 == 0 else None)
    client = client_for(bob)
    with django_assert_max_num_queries(10):
        response = client.get(LIST, {"page": 2})
    assert response.status_code == 200
    assert len(rows(response)) == 10


# --- Create and edit ----------------------------------------------------------------------------


def cadre_data(**overrides):
    data = {
        "name": "Nur Aisyah",
        "nik": nik(7),
        "sex": "P",
        "birth_date": "1988-05-04",
        "phone": "081299990000",
        "address": "Jl. Merdeka 1",
        "kelurahan": f.kelurahan(f.BANSIR_LAUT).pk,
        "cohort": "2018",
        "status": "aktif",
    }
    data.update(overrides)
    return data


def test_a_petugas_adds_a_cadre_with_an_audit_row(client_for, bob):
    response = client_for(bob).post(reverse("cadres:create"), cadre_data())
    cadre = Cadre.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cadres:detail", args=[cadre.pk])
    assert (cadre.name, cadre.nik, cadre.cohort, cadre.kelurahan.code) == (
        "Nur Aisyah",
        nik(7),
        2018,
        f.BANSIR_LAUT,
    )
    event = AuditEvent.objects.get(action="cadre.create")
    assert event.actor == bob and event.target_id == str(cadre.pk)
    assert "Nur" not in str(event.details)


def test_bad_input_is_reported_at_the_fields_and_kept(client_for, bob):
    make_cadre(nik=nik(9))
    response = client_for(bob).post(
        reverse("cadres:create"),
        cadre_data(nik=nik(9), cohort="2016", birth_date="2999-01-01", name=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already on the roster" in str(form.errors["nik"])
    assert "cohort" in form.errors
    assert "future" in str(form.errors["birth_date"])
    assert "name" in form.errors
    assert 'value="081299990000"' in response.content.decode()
    assert Cadre.objects.count() == 1


def test_a_malformed_nik_is_refused(client_for, bob):
    response = client_for(bob).post(reverse("cadres:create"), cadre_data(nik="1234"))
    assert "16 digits" in str(response.context["form"].errors["nik"])


def test_bella_cannot_add_a_cadre_outside_her_kecamatan(client_for, bella):
    response = client_for(bella).post(reverse("cadres:create"), cadre_data())
    assert response.status_code == 200
    assert "kelurahan" in response.context["form"].errors
    assert not Cadre.objects.exists()


def test_a_petugas_edits_a_cadre_and_the_audit_names_the_fields(client_for, bob):
    cadre = make_cadre(name="Lama", nik=nik(3))
    response = client_for(bob).post(
        reverse("cadres:edit", args=[cadre.pk]),
        cadre_data(name="Baru", nik=nik(3), status="tidak_aktif", cohort="2019"),
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.name, cadre.status) == ("Baru", "tidak_aktif")
    event = AuditEvent.objects.get(action="cadre.update")
    assert {"name", "status"} <= set(event.details["fields"])
    assert "Baru" not in str(event.details)


def test_moving_a_cadre_moves_their_login(client_for, bob):
    user = f.KaderFactory(kelurahan=f.kelurahan(f.BANSIR_LAUT))
    cadre = make_cadre(user=user, cohort=2019)
    client_for(bob).post(
        reverse("cadres:edit", args=[cadre.pk]),
        cadre_data(kelurahan=f.kelurahan(f.SIANTAN_HULU).pk, cohort="2019", nik=""),
    )
    user.refresh_from_db()
    assert user.kelurahan.code == f.SIANTAN_HULU


def test_the_profile_shows_fields_timeline_newest_first_and_login(client_for, bob):
    user = f.KaderFactory(username="siti_kader")
    cadre = make_cadre(name="Siti", user=user, phone="0811")
    cadre_activity_record(
        cadre=cadre, kind="outreach", at=timezone.now() - dt.timedelta(days=5), summary="Lama"
    )
    cadre_activity_record(
        cadre=cadre, kind="training", at=timezone.now() - dt.timedelta(days=1), summary="Baru"
    )
    response = client_for(bob).get(reverse("cadres:detail", args=[cadre.pk]))
    assert response.status_code == 200
    assert [a.summary for a in response.context["activities"]] == ["Baru", "Lama"]
    body = response.content.decode()
    assert "siti_kader" in body
    assert 'href="tel:0811"' in body


# --- A login for a cadre --------------------------------------------------------------------------


def test_a_petugas_gives_a_cadre_a_login(client_for, bob):
    cadre = make_cadre(f.SIANTAN_HULU, name="Dewi Lestari", phone="0812")
    url = reverse("cadres:create_login", args=[cadre.pk])
    response = client_for(bob).post(url, {"username": "dewi.l", "password": "kuat-sekali-2026"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    user = User.objects.get(username="dewi.l")
    assert cadre.user == user
    assert user.role == Role.KADER
    assert user.kelurahan.code == f.SIANTAN_HULU
    assert user.check_password("kuat-sekali-2026")
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(action="cadre.create_login", target_id=str(cadre.pk)).exists()


def test_a_second_login_is_refused(client_for, bob):
    cadre = make_cadre()
    url = reverse("cadres:create_login", args=[cadre.pk])
    client = client_for(bob)
    client.post(url, {"username": "pertama", "password": "kuat-sekali-2026"})
    response = client.post(url, {"username": "kedua", "password": "kuat-sekali-2026"}, follow=True)
    assert "already has a login" in response.content.decode()
    assert not User.objects.filter(username="kedua").exists()
    cadre.refresh_from_db()
    assert cadre.user.username == "pertama"


def test_a_taken_username_or_weak_password_is_reported_at_the_field(client_for, bob):
    f.KaderFactory(username="ada")
    cadre = make_cadre()
    response = client_for(bob).post(
        reverse("cadres:create_login", args=[cadre.pk]), {"username": "ADA", "password": "123"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already taken" in str(form.errors["username"])
    assert "password" in form.errors
    cadre.refresh_from_db()
    assert cadre.user is None
