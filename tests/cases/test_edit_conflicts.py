"""Two people editing one case: a save from a form opened before someone else's save is
refused with what they changed, the typing kept; a stale status change says who moved it."""

import pytest

from cases import services
from cases.models import Case, CaseEvent, Status
from tests import factories as f
from tests.cases.test_intake import GIRL_NIK, edit_url, existing_case

pytestmark = pytest.mark.django_db


def form_data(intake) -> dict:
    """What the browser sends back from an edit form as it was shown."""
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
    return data


@pytest.fixture
def bea(db):
    return f.PetugasFactory(username="bea", first_name="Bea", last_name="Petugas")


def open_edit(client, case) -> dict:
    response = client.get(edit_url(case))
    assert response.status_code == 200
    return form_data(response.context["intake"])


def test_a_save_over_someone_elses_is_refused_with_their_changes_and_the_typing_kept(
    client, bob, bea, charlie
):
    case = existing_case(charlie)
    child = case.children.get()
    client.force_login(bob)
    b_form = open_edit(client, case)  # B opens the form first
    client.force_login(bea)
    a_form = open_edit(client, case)

    # A saves a new address and a corrected child's name.
    a_form.update({"address": "Jl. Baru A No. 1", "children-0-name": "Siti Koreksi"})
    assert client.post(edit_url(case), a_form).status_code == 302

    # B, whose form is older, saves a narrative change.
    client.force_login(bob)
    b_form["narrative"] = "Narasi yang diketik B (data sintetis)."
    refused = client.post(edit_url(case), b_form)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Bea Petugas menyimpan laporan ini" in page
    changes = [(c.what, c.before, c.after) for c in refused.context["conflict"]["changes"]]
    assert ("Alamat", "Jl. Tanjung Raya 2, Gg. Sintetis", "Jl. Baru A No. 1") in changes or any(
        what.lower().startswith("alamat") and after == "Jl. Baru A No. 1" for what, _before, after in changes
    )
    assert any(after == "Siti Koreksi" and before == "Siti Uji Coba" for _what, before, after in changes)
    again = refused.context["intake"]
    assert again.case_form["narrative"].value() == "Narasi yang diketik B (data sintetis)."  # B's typing
    assert again.case_form["address"].value() == "Jl. Baru A No. 1"  # A's change, untouched by B
    assert again.children.forms[0]["name"].value() == "Siti Koreksi"
    case.refresh_from_db()
    assert case.address == "Jl. Baru A No. 1"  # A's change stays
    assert case.narrative != b_form["narrative"]

    # B checks and saves again: both changes are in, nothing of A's undone.
    saved = client.post(edit_url(case), form_data(again))
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.address == "Jl. Baru A No. 1"
    assert case.narrative == "Narasi yang diketik B (data sintetis)."
    kept = case.children.select_related("person").get()
    assert (kept.pk, kept.person_id, kept.person.name, kept.person.nik) == (
        child.pk,
        child.person_id,
        "Siti Koreksi",
        GIRL_NIK,
    )


def test_a_child_added_by_the_other_editor_is_not_removed_by_the_stale_save(client, bob, bea, charlie):
    case = existing_case(charlie)
    client.force_login(bob)
    b_form = open_edit(client, case)
    client.force_login(bea)
    a_form = open_edit(client, case)
    a_form.update(
        {
            "children-TOTAL_FORMS": "2",
            "children-1-name": "Adik Baru",
            "children-1-sex": "L",
            "children-1-estimated_age": "6",
            "confirm_new": "on",
        }
    )
    assert client.post(edit_url(case), a_form).status_code == 302
    assert case.children.count() == 2

    client.force_login(bob)
    b_form["risk"] = "kritis"
    refused = client.post(edit_url(case), b_form)
    assert refused.status_code == 409
    assert any(c.after == "ditambahkan" for c in refused.context["conflict"]["changes"])
    saved = client.post(edit_url(case), form_data(refused.context["intake"]))

    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.risk == "kritis"
    assert sorted(case.children.values_list("person__name", flat=True)) == ["Adik Baru", "Siti Uji Coba"]


def test_perpetrators_are_edited_in_place_and_keep_their_ids(client, bob, charlie):
    case = f.make_case(
        actor=charlie, perpetrators=[services.PerpetratorData(relation="tetangga", sex="L", age=40)]
    )
    row = case.perpetrators.get()
    client.force_login(bob)
    data = open_edit(client, case)
    data["perpetrators-0-age"] = "41"
    assert client.post(edit_url(case), data).status_code == 302
    assert list(case.perpetrators.values_list("pk", "age")) == [(row.pk, 41)]


def test_the_service_refuses_a_stale_version_under_the_row_lock(bob, charlie):
    case = existing_case(charlie)
    assert case.version == 1
    services.case_update(actor=bob, case=case, expected_version=1, address="Jl. Satu")
    assert Case.objects.get(pk=case.pk).version == 2
    with pytest.raises(services.EditConflict):
        services.case_update(actor=bob, case=case, expected_version=1, address="Jl. Dua")
    assert Case.objects.get(pk=case.pk).address == "Jl. Satu"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EDIT).count() == 1


def test_a_stale_status_change_says_who_moved_the_case_and_to_what(client, bob, bea, charlie):
    case = existing_case(charlie)
    client.force_login(bob)
    page = client.get(f"/kasus/{case.number}/")
    assert page.context["forms"]["status"]["from_status"].value() == Status.DILAPORKAN
    services.case_change_status(actor=bea, case=case, to=Status.DIVERIFIKASI, case_worker=bea)

    sent = client.post(
        f"/kasus/{case.number}/status/",
        {
            "status-from_status": Status.DILAPORKAN,
            "status-to": Status.DITUTUP,
            "status-closure_reason": "duplikat",
        },
    )

    assert sent.status_code == 400  # the case page again, the form with its message
    text = sent.content.decode()
    assert "Status sudah diubah oleh Bea Petugas menjadi" in text
    assert "Pilih pilihan yang valid" not in text and "Masukkan pilihan yang valid" not in text
    case.refresh_from_db()
    assert case.status == Status.DIVERIFIKASI
    # The form shown again offers the next steps from the status as it is now.
    form = sent.context["forms"]["status"]
    assert form["from_status"].value() == Status.DIVERIFIKASI
    assert Status.ASESMEN in dict(form.fields["to"].choices)
