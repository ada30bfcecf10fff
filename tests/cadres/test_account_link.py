"""A kader account made by the admin is a cadre on the roster: linked to the existing entry (by
NIK, else name and kelurahan, else phone) or put on the roster, so the cadre can vote and their
activity counts. The admin sees the link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEvent, Role, User
from accounts.policy import Cap, user_can
from cadres.models import Cadre, CadreActivity
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Sigap-Uji-2026!kuat"
NIK = "6171054507900001"


def roster_cadre(name="Nur Aini", *, code=f.BANSIR_LAUT, **fields) -> Cadre:
    values = {"name": name, "sex": "P", "cohort": 2019, "kelurahan": f.kelurahan(code)}
    return Cadre.objects.create(**{**values, **fields})


def create_kader(alice, *, first="Nur", last="Aini", phone="", code=f.BANSIR_LAUT, roster=None, **extra):
    return account_services.user_create(
        actor=alice,
        username=extra.pop("username", "kader_baru"),
        password=PASSWORD,
        role=Role.KADER,
        first_name=first,
        last_name=last,
        phone=phone,
        kelurahan=f.kelurahan(code),
        roster=roster,
    )


def link_of(user) -> tuple[str, str]:
    row = AuditEvent.objects.get(action="cadre.link_login", details__user=user.pk)
    return row.target_id, row.details["matched_by"]


def test_it_links_the_cadre_with_the_nik_given(alice):
    other_name = roster_cadre("Nurul Aini Hasanah", nik=NIK, code=f.SIANTAN_HULU)
    roster_cadre("Nur Aini")  # a namesake in the account's kelurahan: the NIK decides
    user = create_kader(alice, roster={"nik": NIK})
    other_name.refresh_from_db()
    assert other_name.user == user
    assert link_of(user) == (str(other_name.pk), "nik")


def test_it_links_by_name_in_the_kelurahan_without_a_nik(alice):
    cadre = roster_cadre("  nur   AINI ")
    roster_cadre("Nur Aini", code=f.SIANTAN_HULU)  # the same name elsewhere is someone else
    user = create_kader(alice)
    cadre.refresh_from_db()
    assert cadre.user == user and link_of(user)[1] == "name"


def test_it_links_by_phone_when_the_name_differs(alice):
    cadre = roster_cadre("Ibu Nur", phone="+62 812-3456-7890")
    user = create_kader(alice, phone="081234567890")
    cadre.refresh_from_db()
    assert cadre.user == user and link_of(user)[1] == "phone"
    assert Cadre.objects.count() == 1


def test_it_does_not_guess_between_namesakes_and_puts_the_cadre_on_the_roster(alice):
    a, b = roster_cadre("Nur Aini"), roster_cadre("Nur Aini")
    user = create_kader(alice, roster={"sex": "P", "cohort": 2022})
    a.refresh_from_db(), b.refresh_from_db()
    assert a.user is None and b.user is None
    new = Cadre.objects.get(user=user)
    assert (new.name, new.sex, new.cohort, new.kelurahan) == ("Nur Aini", "P", 2022, user.kelurahan)
    assert link_of(user) == (str(new.pk), "new")
    assert AuditEvent.objects.filter(action="cadre.create", target_id=str(new.pk)).exists()


def test_a_cadre_with_another_nik_is_another_person(alice):
    roster_cadre("Nur Aini", nik="6171054507900002")
    user = create_kader(alice, roster={"nik": NIK, "sex": "P"})
    new = Cadre.objects.get(user=user)
    assert new.nik == NIK and Cadre.objects.count() == 2


def test_a_new_entry_without_sex_or_cohort_is_this_years_and_blank(alice):
    user = create_kader(alice)
    cadre = Cadre.objects.get(user=user)
    assert (cadre.sex, cadre.cohort) == ("", timezone.localdate().year)


def test_an_account_made_a_kader_is_linked_and_a_linked_one_is_not_linked_twice(alice, bob):
    cadre = roster_cadre(bob.get_full_name())
    account_services.user_update(actor=alice, user=bob, role=Role.KADER, kelurahan=f.kelurahan(f.BANSIR_LAUT))
    cadre.refresh_from_db()
    assert cadre.user == bob
    account_services.user_update(actor=alice, user=bob, phone="0899")
    assert AuditEvent.objects.filter(action="cadre.link_login").count() == 1
    assert Cadre.objects.count() == 1


def test_a_petugas_account_is_not_put_on_the_roster(alice):
    account_services.user_create(actor=alice, username="p", password=PASSWORD, role=Role.PETUGAS)
    assert not Cadre.objects.exists()


def test_the_linked_kader_can_vote_and_their_report_counts_as_activity(alice):
    cadre = roster_cadre()
    user = create_kader(alice)
    assert user_can(user, Cap.VOTE)
    f.make_case(actor=user)
    assert CadreActivity.objects.filter(cadre=cadre, kind=CadreActivity.Kind.CASE_REPORT).count() == 1


def test_giving_a_login_from_the_roster_links_that_cadre(alice, bob):
    from cadres import services as cadre_services

    a, b = roster_cadre("Nur Aini"), roster_cadre("Nur Aini")
    user = cadre_services.cadre_create_login(actor=bob, cadre=b, username="nur", password=PASSWORD)
    a.refresh_from_db(), b.refresh_from_db()
    assert b.user == user and a.user is None
    assert link_of(user) == (str(b.pk), "roster")


# --- The admin's pages -------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "username": "kader_baru",
        "first_name": "Nur",
        "last_name": "Aini",
        "email": "",
        "phone": "",
        "role": "kader",
        "kelurahan": f.kelurahan(f.BANSIR_LAUT).pk,
        "kecamatan": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "cadre_nik": "",
        "cadre_sex": "",
        "cadre_cohort": "",
    }
    return {**data, **overrides}


def test_the_admin_creates_a_kader_with_the_cadres_nik_and_sees_the_link(client_for, alice):
    cadre = roster_cadre("Nurul", nik=NIK)
    client = client_for(alice)
    response = client.post(reverse("accounts:user_create"), form_data(cadre_nik=NIK))
    assert response.status_code == 302
    user = User.objects.get(username="kader_baru")
    cadre.refresh_from_db()
    assert cadre.user == user
    listing = client.get(reverse("accounts:user_list")).content.decode()
    assert "Nurul" in listing
    page = client.get(reverse("accounts:user_edit", args=[user.pk])).content.decode()
    assert 'data-testid="roster-link"' in page and "Nurul" in page
    assert 'name="cadre_nik"' not in page  # the roster says who the cadre is now


def test_a_bad_nik_or_cohort_is_refused_at_the_field_keeping_what_was_typed(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:user_create"), form_data(cadre_nik="12345", cadre_cohort="1999")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["cadre_nik"] == ["NIK terdiri dari tepat 16 angka."]
    assert "cadre_cohort" in errors
    assert 'value="12345"' in response.content.decode()
    assert not User.objects.filter(username="kader_baru").exists()


def test_the_cadre_fields_are_ignored_for_other_roles(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:user_create"), form_data(role="kpad", kelurahan="", cadre_sex="P")
    )
    assert response.status_code == 302
    assert not Cadre.objects.exists()
