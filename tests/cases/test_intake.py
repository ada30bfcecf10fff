"""Reporting a case: the form for kader and petugas, drafts, duplicates, editing."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseCadre, CaseEvent, IntakeDraft, Status
from cases.views.intake import SENT_COOKIE
from tests import factories as f

pytestmark = pytest.mark.django_db

REPORT = "/kasus/lapor/"
DRAFT = "/kasus/lapor/draf/"
DISCARD = "/kasus/lapor/draf/buang/"
DUPLICATES = "/kasus/lapor/cek-duplikat/"
GIRL_NIK = "6171064203140001"  # born 2 March 2014, female


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def report_data(kelurahan_pk: int, **overrides) -> dict:
    """A complete report: two children and one alleged perpetrator."""
    data = {
        "incident_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "incident_time": "19:30",
        "place_type": "rumah_tangga",
        "address": "Jl. Tanjung Raya 2, Gg. Sintetis",
        "kelurahan": str(kelurahan_pk),
        "violence_types": ["fisik", "psikis"],
        "protection_category": "",
        "risk": "tinggi",
        "narrative": "Tetangga mendengar anak-anak menangis setiap malam (data sintetis).",
        "source": "kader",
        "reporter_name": "Pelapor Sintetis",
        "reporter_contact": "081200000000",
        **management("children", 2),
        "children-0-name": "Siti Uji Coba",
        "children-0-sex": "P",
        "children-0-birth_date": "2014-03-02",
        "children-0-nik": GIRL_NIK,
        "children-0-school_level": "smp",
        "children-0-guardian_name": "Ibu Sintetis",
        "children-0-guardian_contact": "081200000001",
        "children-1-name": "Budi Uji Coba",
        "children-1-sex": "L",
        "children-1-estimated_age": "7",
        "children-1-school_level": "sd",
        **management("perpetrators", 1),
        "perpetrators-0-relation": "orang_tua",
        "perpetrators-0-sex": "L",
        "perpetrators-0-age": "41",
    }
    data.update(overrides)
    return data


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_it_shows_the_form_to_kader_and_petugas(client_for, everyone, who):
    response = client_for(everyone[who]).get(REPORT)
    assert response.status_code == 200
    assert b'name="children-TOTAL_FORMS"' in response.content
    assert b'name="perpetrators-TOTAL_FORMS"' in response.content


def test_the_kader_gets_the_stepped_form_and_the_petugas_the_single_page(client_for, charlie, bob):
    assert b'data-stepped="1"' in client_for(charlie).get(REPORT).content
    assert b'data-stepped="0"' in client_for(bob).get(REPORT).content


def test_the_kaders_kelurahan_and_source_are_preselected(client_for, charlie):
    form = client_for(charlie).get(REPORT).context["form"]
    assert form["kelurahan"].value() == charlie.kelurahan_id
    assert form["source"].value() == "kader"


@pytest.mark.parametrize("who", ["alice", "dave"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", REPORT),
        ("post", REPORT),
        ("get", DRAFT),
        ("post", DRAFT),
        ("post", DISCARD),
        ("post", DUPLICATES),
    ],
)
def test_it_forbids_admin_and_kpad(client_for, everyone, who, method, url):
    client = client_for(everyone[who])
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("url", [REPORT, DRAFT, DISCARD, DUPLICATES])
def test_it_sends_anonymous_users_to_the_login_page(client, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response.url.startswith("/akun/masuk/")


@pytest.mark.parametrize(
    ("method", "url"), [("put", REPORT), ("delete", DRAFT), ("get", DISCARD), ("get", DUPLICATES)]
)
def test_it_refuses_the_wrong_method(client_for, charlie, method, url):
    assert getattr(client_for(charlie), method)(url).status_code == 405


# --- Reporting ----------------------------------------------------------------------------------


def test_a_kader_reports_a_case_with_two_children_and_a_perpetrator(client_for, charlie):
    client = client_for(charlie)
    services.intake_draft_save(user=charlie, data={"values": {"address": "setengah"}})
    response = client.post(REPORT, report_data(charlie.kelurahan_id))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == f"/kasus/{case.number}/"
    assert response.cookies[SENT_COOKIE].value == "1"
    assert case.reported_by == charlie and case.status == Status.DILAPORKAN
    assert case.kelurahan_id == charlie.kelurahan_id and case.source == "kader"
    assert not case.family_informed and not case.consents.exists()  # nobody's consent was asked
    assert sorted(case.violences.values_list("kind", flat=True)) == ["fisik", "psikis"]
    children = list(case.children.select_related("person", "guardian").order_by("id"))
    assert [(c.person.name, c.person.sex, c.person.nik) for c in children] == [
        ("Siti Uji Coba", "P", GIRL_NIK),
        ("Budi Uji Coba", "L", ""),
    ]
    assert (
        children[0].person.birth_date == dt.date(2014, 3, 2) and children[1].age_on(case.incident_date) == 7
    )
    assert children[1].person.birth_year == case.incident_date.year - 7
    assert (children[0].school_level, children[0].guardian.name, children[0].guardian.contact) == (
        "smp",
        "Ibu Sintetis",
        "081200000001",
    )
    assert children[0].person.family_links.get().relative == children[0].guardian
    assert list(case.perpetrators.values_list("relation", "sex", "age", "is_child")) == [
        ("orang_tua", "L", 41, False)
    ]
    assert CaseCadre.objects.filter(case=case, user=charlie).exists()
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED, actor=charlie).exists()
    audit = AuditEvent.objects.get(action="case.create", target_id=str(case.pk))
    assert audit.actor == charlie and "Siti" not in json.dumps(audit.details)
    assert not IntakeDraft.objects.filter(user=charlie).exists()
    with translation.override("en"):
        page = client.get(response.url, follow=True)
    assert case.number in page.content.decode()


def test_a_petugas_reports_a_case_with_a_source_of_their_choice(client_for, bob):
    data = report_data(f.kelurahan(f.SIANTAN_HULU).pk, source="hotline")
    response = client_for(bob).post(REPORT, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == "hotline" and case.kelurahan.code == f.SIANTAN_HULU
    assert not case.cadre_links.exists()


PONTIANAK_UTARA_KELURAHAN = ["61.71.04.1001", "61.71.04.1002", "61.71.04.1003", "61.71.04.1004"]


def test_a_petugas_limited_to_a_kecamatan_is_offered_only_its_kelurahan(client_for, bella, bob):
    offered = client_for(bella).get(REPORT).context["form"].fields["kelurahan"].queryset
    assert sorted(k.code for k in offered) == PONTIANAK_UTARA_KELURAHAN
    assert client_for(bob).get(REPORT).context["form"].fields["kelurahan"].queryset.count() == 29


def test_a_limited_petugas_reporting_in_their_kecamatan_lands_on_the_case(client_for, bella):
    client = client_for(bella)
    response = client.post(REPORT, report_data(f.kelurahan(f.SIANTAN_HULU).pk, source="hotline"))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/kasus/{case.number}/"
    assert client.get(response.url).status_code == 200  # their own case, not a 404


def test_a_limited_petugas_cannot_report_outside_their_kecamatan(client_for, bella):
    data = report_data(f.kelurahan(f.BANSIR_LAUT).pk, source="hotline")
    with translation.override("id"):
        response = client_for(bella).post(REPORT, data)
    assert response.status_code == 200
    assert response.context["form"].errors["kelurahan"]
    assert not Case.objects.exists()
    assert response.context["form"]["narrative"].value() == data["narrative"]  # nothing typed is lost


def test_the_intake_service_refuses_a_kelurahan_outside_the_reporters_area(bella):
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            actor=bella,
            violence_types=["fisik"],
            children=[services.ChildData(name="Anak Uji", sex="L", estimated_age=9)],
            incident_date=dt.date(2026, 11, 1),
            place_type="rumah_tangga",
            kelurahan=f.kelurahan(f.BANSIR_LAUT),
            narrative="Uji.",
            source="hotline",
            family_informed=True,
        )
    assert "kelurahan" in refused.value.message_dict
    assert not Case.objects.exists()


def test_a_limited_petugas_cannot_move_a_case_out_of_their_kecamatan(bella):
    case = f.make_case(actor=bella, kelurahan=f.kelurahan(f.SIANTAN_HULU))
    with pytest.raises(ValidationError):
        services.case_update(actor=bella, case=case, kelurahan=f.kelurahan(f.BANSIR_LAUT))
    case.refresh_from_db()
    assert case.kelurahan.code == f.SIANTAN_HULU


def test_a_kader_may_report_a_case_outside_their_own_kelurahan(client_for, charlie):
    client = client_for(charlie)
    assert client.get(REPORT).context["form"].fields["kelurahan"].queryset.count() == 29
    response = client.post(REPORT, report_data(f.kelurahan(f.SIANTAN_HULU).pk))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_a_failed_report_keeps_every_field_and_every_row(client_for, charlie):
    data = report_data(charlie.kelurahan_id, family_informed_on="2000-01-01")
    data.update(management("children", 3))
    data.update({"children-2-name": "Anak Ketiga", "children-2-sex": "L", "children-2-nik": "123"})
    data.update(management("perpetrators", 2))
    data.update({"perpetrators-1-relation": "tetangga", "perpetrators-1-age": "16"})
    with translation.override("en"):
        response = client_for(charlie).post(REPORT, data)

    assert response.status_code == 200
    assert not Case.objects.exists()
    html = response.content.decode()
    for value in [
        "Jl. Tanjung Raya 2, Gg. Sintetis",
        "Tetangga mendengar anak-anak menangis setiap malam (data sintetis).",
        "Pelapor Sintetis",
        "Siti Uji Coba",
        GIRL_NIK,
        "Budi Uji Coba",
        "Anak Ketiga",
        'value="2014-03-02"',
        'value="19:30"',
    ]:
        assert value in html, value
    assert 'name="children-TOTAL_FORMS" value="3"' in html
    assert 'name="perpetrators-TOTAL_FORMS" value="2"' in html
    intake = response.context["intake"]
    assert intake.case_form["violence_types"].value() == ["fisik", "psikis"]
    assert intake.perpetrators.forms[1]["relation"].value() == "tetangga"
    assert "family_informed_on" in intake.case_form.errors  # told before the incident
    assert "NIK terdiri dari tepat 16 angka." in intake.children.forms[2].errors["nik"]
    assert 'data-bound="1"' in html


def test_it_shows_the_checks_across_fields_at_the_childs_fields(client_for, charlie):
    data = report_data(
        charlie.kelurahan_id,
        **{"children-0-sex": "L", "children-1-estimated_age": "", "children-1-birth_date": ""},
    )
    with translation.override("en"):
        response = client_for(charlie).post(REPORT, data)
    children = response.context["intake"].children.forms
    assert "tetapi jenis kelamin yang diisi laki-laki" in str(children[0].errors["nik"])
    assert "perkiraan usia" in str(children[1].errors["birth_date"])
    assert not Case.objects.exists()


def test_it_refuses_a_future_incident_and_an_adult(client_for, charlie):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = report_data(charlie.kelurahan_id, incident_date=tomorrow, **{"children-1-estimated_age": "19"})
    response = client_for(charlie).post(REPORT, data)
    intake = response.context["intake"]
    assert "incident_date" in intake.case_form.errors
    assert "estimated_age" in intake.children.forms[1].errors
    assert not Case.objects.exists()


def test_it_needs_a_child_and_a_type_of_violence(client_for, charlie):
    data = report_data(charlie.kelurahan_id, violence_types=[])
    data.update({"children-0-DELETE": "on", "children-1-DELETE": "on"})
    response = client_for(charlie).post(REPORT, data)
    intake = response.context["intake"]
    assert "violence_types" in intake.case_form.errors
    assert intake.children.non_form_errors()
    assert not Case.objects.exists()


def test_online_prostitution_marks_the_case_online_and_exploitation(client_for, charlie):
    data = report_data(charlie.kelurahan_id, online_prostitution="on", violence_types=["psikis"])
    client_for(charlie).post(REPORT, data)
    case = Case.objects.get()
    assert case.online and case.online_prostitution
    assert sorted(case.violences.values_list("kind", flat=True)) == ["eksploitasi", "psikis"]


def test_a_perpetrator_under_18_is_marked_a_child(client_for, charlie):
    client_for(charlie).post(REPORT, report_data(charlie.kelurahan_id, **{"perpetrators-0-age": "15"}))
    assert Case.objects.get().perpetrators.get().is_child


def test_empty_added_rows_are_ignored(client_for, charlie):
    data = report_data(charlie.kelurahan_id)
    data.update(management("children", 3))
    data.update(management("perpetrators", 2))
    client_for(charlie).post(REPORT, data)
    case = Case.objects.get()
    assert case.children.count() == 2 and case.perpetrators.count() == 1


def test_without_javascript_add_another_child_shows_one_more_row_and_keeps_the_values(client_for, charlie):
    data = report_data(charlie.kelurahan_id, add_children="1")
    response = client_for(charlie).post(REPORT, data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    html = response.content.decode()
    assert 'name="children-TOTAL_FORMS" value="3"' in html
    assert "Siti Uji Coba" in html and "Budi Uji Coba" in html
    assert 'name="children-2-name"' in html
    assert "invalid-feedback" not in html  # nothing was judged yet
    # Sent as it is, the empty third row is ignored.
    data.pop("add_children")
    data.update(management("children", 3))
    client_for(charlie).post(REPORT, data)
    assert Case.objects.get().children.count() == 2


def test_the_report_page_is_light_on_queries(client_for, charlie, django_assert_max_num_queries):
    client = client_for(charlie)
    with django_assert_max_num_queries(8):
        client.get(REPORT)


# --- Duplicates ---------------------------------------------------------------------------------


def existing_case(actor, **child):
    child = {"name": "Siti Uji Coba", "sex": "P", "birth_date": dt.date(2014, 3, 2), "nik": GIRL_NIK, **child}
    return f.make_case(actor=actor, children=[services.ChildData(**child)])


def ask(client, body):
    return client.post(DUPLICATES, data=json.dumps(body), content_type="application/json")


def offers(html: str, prefix: str, person) -> bool:
    """The row offers this record as its child (a radio button of the row's ``person``)."""
    return re.search(rf'name="{prefix}-person"\s+value="{person.pk}"', html) is not None


def record_of(case):
    return case.children.select_related("person").get().person


def test_duplicates_offer_the_record_the_user_may_see_with_its_case(client_for, charlie):
    case = existing_case(charlie)
    person = record_of(case)
    response = ask(client_for(charlie), {"nik": GIRL_NIK, "prefix": "children-0"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert case.number in body["html"] and f"/kasus/{case.number}/" in body["html"]
    assert offers(body["html"], "children-0", person)
    assert 'data-testid="duplicate-new"' in body["html"]  # or a new record
    assert AuditEvent.objects.filter(
        action="person.duplicate_match", target_type="cases.person", target_id=str(person.pk), actor=charlie
    ).exists()


def test_without_a_row_prefix_the_records_are_only_listed(client_for, charlie):
    existing_case(charlie)
    body = ask(client_for(charlie), {"nik": GIRL_NIK, "prefix": 'x" onclick="alert(1)'}).json()
    assert body["count"] == 1 and 'type="radio"' not in body["html"] and "onclick" not in body["html"]


def test_duplicates_by_name_and_birth_date(client_for, bob, charlie):
    case = existing_case(charlie, nik="")
    body = ask(client_for(bob), {"name": " siti uji coba ", "birth_date": "2014-03-02"}).json()
    assert case.number in body["html"]


def test_duplicates_hide_the_number_of_a_case_outside_the_users_scope(client_for, carol):
    case = existing_case(carol)  # Siantan Hulu, Pontianak Utara
    tenggara = f.PetugasFactory(username="tenggara", kecamatan=f.kecamatan(f.PONTIANAK_TENGGARA))
    body = ask(client_for(tenggara), {"nik": GIRL_NIK}).json()
    assert body["count"] == 1
    assert case.number not in body["html"] and "/kasus/" not in body["html"]
    assert 'data-testid="duplicate-elsewhere"' in body["html"] and "Siti" not in body["html"]
    assert not AuditEvent.objects.filter(action="person.duplicate_match").exists()


def test_a_kader_is_not_told_of_a_case_they_cannot_see(client_for, charlie, carol):
    case = existing_case(carol)
    body = ask(client_for(charlie), {"nik": GIRL_NIK}).json()
    assert body["count"] == 0
    assert case.number not in body["html"] and "duplicate-elsewhere" not in body["html"]


def test_a_closed_case_still_names_the_child_and_bad_input_matches_nothing(client_for, bob, charlie):
    case = existing_case(charlie)
    services.case_change_status(actor=bob, case=case, to=Status.DITUTUP, closure_reason="tidak_terbukti")
    assert ask(client_for(bob), {"nik": GIRL_NIK}).json()["count"] == 1  # the same child, seen again
    assert ask(client_for(bob), {"nik": "61"}).json()["count"] == 0
    assert client_for(bob).post(DUPLICATES, data="[1", content_type="application/json").status_code == 400


def test_sending_a_possible_duplicate_asks_for_a_confirmation_first(client_for, charlie, carol):
    existing_case(carol)
    tenggara = f.PetugasFactory(username="tenggara", kecamatan=f.kecamatan(f.PONTIANAK_TENGGARA))
    client = client_for(tenggara)
    response = client.post(REPORT, report_data(charlie.kelurahan_id))
    assert response.status_code == 200
    assert Case.objects.count() == 1
    html = response.content.decode()
    assert 'data-testid="duplicate-elsewhere"' in html and 'name="confirm_new"' in html
    assert "Siti Uji Coba" in html  # nothing typed is lost

    response = client.post(REPORT, report_data(charlie.kelurahan_id, confirm_new="on"))
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_the_reporter_links_the_report_to_the_record_they_may_see(client_for, charlie):
    first = existing_case(charlie)
    person = record_of(first)
    client = client_for(charlie)

    response = client.post(REPORT, report_data(charlie.kelurahan_id))
    assert response.status_code == 200 and Case.objects.count() == 1
    html = response.content.decode()
    assert offers(html, "children-0", person) and first.number in html

    response = client.post(REPORT, report_data(charlie.kelurahan_id, **{"children-0-person": str(person.pk)}))
    assert response.status_code == 302
    later = Case.objects.exclude(pk=first.pk).get()
    assert record_of(first) in [c.person for c in later.children.all()]
    assert person.child_rows.count() == 2


def test_a_new_record_is_made_once_the_reporter_says_so(client_for, charlie):
    first = existing_case(charlie)
    client_for(charlie).post(REPORT, report_data(charlie.kelurahan_id, confirm_new="on"))
    later = Case.objects.exclude(pk=first.pk).get()
    assert record_of(first).child_rows.count() == 1
    assert later.children.get(person__nik=GIRL_NIK).person != record_of(first)


def test_a_record_outside_the_reporters_scope_cannot_be_chosen(client_for, charlie, carol):
    hidden = record_of(existing_case(carol))
    response = client_for(charlie).post(
        REPORT, report_data(charlie.kelurahan_id, **{"children-0-person": str(hidden.pk)})
    )
    assert response.status_code == 200 and Case.objects.count() == 1
    assert "person" in response.context["intake"].children.forms[0].errors
    assert hidden.child_rows.count() == 1


def test_linking_keeps_the_records_identity_and_fills_what_it_lacks(client_for, charlie):
    first = existing_case(charlie, nik="")
    person = record_of(first)
    client_for(charlie).post(
        REPORT,
        report_data(
            charlie.kelurahan_id,
            **{"children-0-person": str(person.pk), "children-0-name": "Siti Salah Ketik"},
        ),
    )
    person.refresh_from_db()
    assert person.name == "Siti Uji Coba" and person.nik == GIRL_NIK


# --- Drafts -------------------------------------------------------------------------------------


def test_a_draft_is_saved_read_and_discarded(client_for, charlie):
    client = client_for(charlie)
    assert client.get(DRAFT).json() == {"data": None, "updated_at": None}
    state = {"values": {"address": "Gg. Sintetis", "children-0-name": "Siti"}, "rows": {"children": 1}}
    response = client.post(DRAFT, data=json.dumps({"data": state}), content_type="application/json")
    assert response.status_code == 200 and response.json()["saved"]
    response = client.get(DRAFT)
    assert response.json()["data"] == state
    assert "no-store" in response["Cache-Control"]  # a child's data is never cached
    response = client.post(DISCARD, HTTP_ACCEPT="application/json")
    assert response.json() == {"discarded": True}
    assert client.get(DRAFT).json()["data"] is None


def test_drafts_are_kept_apart_per_user(client, charlie, carol):
    services.intake_draft_save(user=carol, data={"values": {"address": "rahasia carol"}})
    client.force_login(charlie)
    assert client.get(DRAFT).json()["data"] is None
    client.post(
        DRAFT,
        data=json.dumps({"data": {"values": {"address": "punya charlie"}}}),
        content_type="application/json",
    )
    client.post(DISCARD)
    assert IntakeDraft.objects.get(user=carol).data == {"values": {"address": "rahasia carol"}}
    assert not IntakeDraft.objects.filter(user=charlie).exists()


def test_a_draft_must_be_a_json_object(client_for, charlie):
    client = client_for(charlie)
    assert client.post(DRAFT, data="not json", content_type="application/json").status_code == 400
    assert client.post(DRAFT, data="[]", content_type="application/json").status_code == 400
    big = json.dumps({"data": {"values": {"narrative": "x" * 300_000}}})
    assert client.post(DRAFT, data=big, content_type="application/json").status_code == 400
    assert not IntakeDraft.objects.exists()


def test_discarding_without_javascript_goes_back_to_the_form(client_for, charlie):
    response = client_for(charlie).post(DISCARD)
    assert response.status_code == 302 and response.url == REPORT


# --- Editing ------------------------------------------------------------------------------------


def edit_url(case) -> str:
    return f"/kasus/{case.number}/ubah/"


def test_a_kader_may_edit_their_own_report_while_it_is_reported(client_for, charlie):
    case = existing_case(charlie)
    client = client_for(charlie)
    response = client.get(edit_url(case))
    assert response.status_code == 200
    intake = response.context["intake"]
    assert intake.children.forms[0]["name"].value() == "Siti Uji Coba"
    assert intake.case_form["violence_types"].value() == ["fisik"]
    assert AuditEvent.objects.filter(action="case.view", target_id=str(case.pk), actor=charlie).exists()

    data = report_data(charlie.kelurahan_id)
    response = client.post(edit_url(case), data)
    assert response.status_code == 302 and response.url == f"/kasus/{case.number}/"
    case.refresh_from_db()
    assert case.children.count() == 2 and case.perpetrators.count() == 1
    assert case.address == "Jl. Tanjung Raya 2, Gg. Sintetis"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EDIT, actor=charlie).exists()
    assert AuditEvent.objects.filter(action="case.update", target_id=str(case.pk)).exists()


def test_editing_without_changes_keeps_the_children(client_for, bob, charlie):
    case = existing_case(charlie)
    client = client_for(bob)
    intake = client.get(edit_url(case)).context["intake"]
    data = {}
    for form in (intake.case_form, *intake.children.forms, *intake.perpetrators.forms):
        for bf in form:
            value = bf.value()
            if value in (None, False):
                continue
            if isinstance(value, list):
                data[bf.html_name] = value
            else:
                data[bf.html_name] = "on" if value is True else str(value)
    for formset in (intake.children, intake.perpetrators):
        for bf in formset.management_form:
            data[bf.html_name] = str(bf.value())
    response = client.post(edit_url(case), data)
    assert response.status_code == 302, response.context["intake"].children.errors
    assert list(case.children.values_list("person__name", "person__nik")) == [("Siti Uji Coba", GIRL_NIK)]
    assert case.children.get().person == record_of(case)


def test_a_kader_may_not_edit_after_verification_and_is_told_why_with_their_text_kept(
    client_for, bob, charlie
):
    case = existing_case(charlie)
    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI)
    client = client_for(charlie)
    opened = client.get(edit_url(case), follow=True)
    assert opened.redirect_chain == [(f"/kasus/{case.number}/", 302)]
    assert "sudah memverifikasi kasus ini" in opened.content.decode()

    sent = client.post(edit_url(case), report_data(charlie.kelurahan_id, narrative="Koreksi dari kader."))

    assert sent.status_code == 409
    page = sent.content.decode()
    assert "sudah memverifikasi kasus ini" in page and "Tidak ada yang disimpan" in page
    assert "Koreksi dari kader." in page  # what they typed, to copy into a note
    case.refresh_from_db()
    assert case.narrative != "Koreksi dari kader."


def test_another_kader_gets_a_bare_403_on_a_case_they_only_accompany(client_for, bob, charlie, carol):
    case = existing_case(charlie)
    services.case_assign_cadre(
        actor=bob, case=case, cadre=f.KaderFactory(username="kader_pendamping", kelurahan=charlie.kelurahan)
    )
    other = client_for(case.cadre_links.exclude(user=charlie).get().user)
    assert other.get(edit_url(case)).status_code == 403


def test_a_petugas_may_edit_after_verification(client_for, bob, charlie):
    case = existing_case(charlie)
    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI)
    assert client_for(bob).get(edit_url(case)).status_code == 200


def test_another_kaders_case_is_not_found(client_for, charlie, carol):
    case = existing_case(carol)
    assert client_for(charlie).get(edit_url(case)).status_code == 404
    assert client_for(charlie).post(edit_url(case), report_data(charlie.kelurahan_id)).status_code == 404


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_admin_and_kpad_do_not_find_a_case_they_cannot_see(client_for, everyone, who):
    case = existing_case(everyone["charlie"])
    assert client_for(everyone[who]).get(edit_url(case)).status_code == 404


def test_kpad_may_not_edit_an_escalated_case(client_for, charlie, dave):
    case = existing_case(charlie)
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    assert client_for(dave).get(edit_url(case)).status_code == 403


def test_edit_refuses_the_wrong_method(client_for, charlie):
    case = existing_case(charlie)
    assert client_for(charlie).delete(edit_url(case)).status_code == 405


def test_the_duplicate_check_while_editing_leaves_out_the_case_itself(client_for, charlie):
    case = existing_case(charlie)
    body = ask(client_for(charlie), {"nik": GIRL_NIK, "case": case.number}).json()
    assert body["count"] == 0
