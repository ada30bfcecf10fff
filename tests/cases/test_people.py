"""One record per child: the child's page, family links, merging two records, and a report
that corrects a child in place.

The page is for staff (a kader gets a 403) and scoped like the cases: a record known only
through a case outside a petugas' kecamatan is a 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases import consent_services, person_services, services
from cases.models import CaseEvent, Child, ConsentGiver, ConsentPurpose, FamilyLink, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

NIK = "6171064203140001"


def child(name="Siti Uji", **kw):
    return services.ChildData(**{"name": name, "sex": "P", "birth_date": dt.date(2014, 3, 2), **kw})


def record_of(case) -> Person:
    return case.children.select_related("person").get().person


def page(person) -> str:
    return reverse("people:detail", args=[person.pk])


def merge_url(keep, other) -> str:
    return reverse("people:merge", args=[keep.pk, other.pk])


@pytest.fixture
def tenggara_case(charlie):
    """charlie's case in Bansir Laut (Pontianak Tenggara)."""
    return f.make_case(actor=charlie, children=[child(nik=NIK, guardian_name="Ibu Siti")])


# --- Who may open the child's page -----------------------------------------------------------------


def test_a_petugas_sees_the_childs_cases_and_family(client_for, bob, tenggara_case):
    person = record_of(tenggara_case)
    response = client_for(bob).get(page(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Siti Uji" in html and tenggara_case.number in html and "Ibu Siti" in html
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="person.view", target_id=str(person.pk), actor=bob).exists()


@pytest.mark.parametrize("who", ["charlie", "carol", "dave", "alice"])
def test_the_childs_page_is_for_staff_only(client_for, everyone, tenggara_case, who):
    assert client_for(everyone[who]).get(page(record_of(tenggara_case))).status_code == 403


def test_outside_the_petugas_area_the_childs_page_is_a_404(client_for, bella, tenggara_case):
    assert client_for(bella).get(page(record_of(tenggara_case))).status_code == 404
    assert client_for(bella).get(reverse("people:detail", args=[999999])).status_code == 404


def test_a_guardians_record_has_no_page(client_for, bob, tenggara_case):
    guardian = tenggara_case.children.get().guardian
    assert client_for(bob).get(page(guardian)).status_code == 404


def test_the_page_refuses_post_and_the_anonymous_go_to_log_in(client, client_for, bob, tenggara_case):
    person = record_of(tenggara_case)
    response = client.get(page(person))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert client_for(bob).post(page(person)).status_code == 405


def test_a_kecamatan_petugas_sees_only_their_cases_and_a_count_of_the_others(
    client_for, bob, bella, carol, charlie
):
    first = f.make_case(actor=carol, children=[child(nik=NIK)])  # Pontianak Utara
    person = record_of(first)
    other = f.make_case(actor=charlie, children=[child(person=person)])  # Pontianak Tenggara
    html = client_for(bella).get(page(person)).content.decode()
    assert first.number in html and other.number not in html
    assert 'data-testid="person-cases-elsewhere"' in html


# --- Family ----------------------------------------------------------------------------------------


def test_staff_add_a_sibling_by_record_number_and_a_new_parent(client_for, bob, charlie, tenggara_case):
    person = record_of(tenggara_case)
    sibling = record_of(f.make_case(actor=charlie, children=[child("Adik Uji")]))
    client = client_for(bob)
    url = reverse("people:family_add", args=[person.pk])

    assert client.post(url, {"family-relation": "saudara", "family-record": sibling.pk}).status_code == 302
    response = client.post(
        url, {"family-relation": "orang_tua", "family-name": "Bapak Uji", "family-contact": "0812"}
    )
    assert response.status_code == 302

    links = {(link.relative.name, link.relation) for link in person.family_links.select_related("relative")}
    assert ("Adik Uji", "saudara") in links and ("Bapak Uji", "orang_tua") in links
    html = client.get(page(sibling)).content.decode()
    assert "Siti Uji" in html  # the sibling's page shows the link from its side
    assert AuditEvent.objects.filter(action="person.family_link").count() == 2


def test_a_record_outside_the_petugas_area_cannot_be_tied(client_for, bella, carol, charlie):
    person = record_of(f.make_case(actor=carol))
    hidden = record_of(f.make_case(actor=charlie, children=[child("Anak Tenggara")]))
    response = client_for(bella).post(
        reverse("people:family_add", args=[person.pk]),
        {"family-relation": "saudara", "family-record": hidden.pk},
    )
    assert response.status_code == 400 and "record" in response.context["family_form"].errors
    assert not FamilyLink.objects.filter(relative=hidden).exists()


def test_removing_a_family_link_drops_a_relative_known_only_through_it(client_for, bob, tenggara_case):
    person = record_of(tenggara_case)
    link = person_services.family_link_add(actor=bob, person=person, relation="kerabat", name="Paman Uji")
    url = reverse("people:family_remove", args=[person.pk, link.pk])
    assert client_for(bob).get(url).status_code == 405
    assert client_for(bob).post(url).status_code == 302
    assert not Person.objects.filter(name="Paman Uji").exists()


def test_a_family_link_of_another_record_is_a_404(client_for, bob, charlie, tenggara_case):
    other = record_of(f.make_case(actor=charlie, children=[child("Lain")]))
    link = person_services.family_link_add(actor=bob, person=other, relation="kerabat", name="Paman Lain")
    url = reverse("people:family_remove", args=[record_of(tenggara_case).pk, link.pk])
    assert client_for(bob).post(url).status_code == 404


# --- Merge -----------------------------------------------------------------------------------------


@pytest.fixture
def twins_of_one_child(bob, charlie):
    """The same child reported twice as two records (the second reporter made a new one)."""
    first = f.make_case(actor=charlie, children=[child(nik=NIK, guardian_name="Ibu Siti")])
    second = f.make_case(actor=bob, children=[child("SITI UJI", birth_date=None, estimated_age=12)])
    consent_services.consent_record(
        actor=bob,
        case=second,
        children=[second.children.get()],
        given_by=ConsentGiver.CHILD,
        decided_on=timezone.localdate(),
        answers={(ConsentPurpose.FOLLOW_UP, ""): "diberikan"},
    )
    return first, second


def test_the_preview_shows_what_will_merge_and_changes_nothing(client_for, bob, twins_of_one_child):
    first, second = twins_of_one_child
    keep, other = record_of(first), record_of(second)
    response = client_for(bob).get(merge_url(keep, other))
    assert response.status_code == 200
    html = response.content.decode()
    assert second.number in html and 'data-testid="form-merge"' in html
    assert response.context["plan"].case_ids == [second.pk]
    assert record_of(second) == other


def test_a_petugas_merges_two_records_keeping_every_case_event_and_consent(
    client_for, bob, twins_of_one_child
):
    first, second = twins_of_one_child
    keep, other = record_of(first), record_of(second)
    events = CaseEvent.objects.count()
    response = client_for(bob).post(
        merge_url(keep, other), {"merge-reason": "NIK sama, dikonfirmasi keluarga"}
    )
    assert response.status_code == 302 and response.url == page(keep)

    assert record_of(second) == keep and keep.child_rows.count() == 2
    assert second.consents.get().child.person == keep
    other.refresh_from_db()
    assert other.merged_into == keep
    assert CaseEvent.objects.count() == events + 2  # one on each case, none lost
    note = second.events.filter(kind=CaseEvent.Kind.PERSON).get().text
    assert keep.reference in note and "Siti" not in note
    audit = AuditEvent.objects.get(action="person.merge")
    assert audit.details["merged"] == other.pk and audit.details["cases_moved"] == [second.pk]
    # The merged record's address leads to the one kept.
    assert client_for(bob).get(page(other)).url == page(keep)


def test_a_merge_needs_a_reason(client_for, bob, twins_of_one_child):
    first, second = twins_of_one_child
    response = client_for(bob).post(merge_url(record_of(first), record_of(second)), {"merge-reason": " "})
    assert response.status_code == 400
    assert record_of(second) != record_of(first)


def test_two_children_of_one_case_are_never_merged(bob, charlie):
    case = f.make_case(actor=charlie, children=[child("Kembar Satu"), child("Kembar Dua")])
    a, b = (c.person for c in case.children.select_related("person"))
    with pytest.raises(person_services.PersonError):
        person_services.person_merge(actor=bob, keep=a, other=b, reason="salah")
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_a_kecamatan_petugas_may_not_merge_records_with_cases_outside_it(client_for, bella, carol, charlie):
    mine = record_of(f.make_case(actor=carol, children=[child(nik=NIK)]))
    shared = record_of(f.make_case(actor=carol, children=[child("Siti Dua")]))
    f.make_case(actor=charlie, children=[child(person=shared)])  # the same record in Tenggara too
    client = client_for(bella)
    response = client.get(merge_url(mine, shared))
    assert response.status_code == 200 and 'data-testid="merge-not-allowed"' in response.content.decode()
    assert client.post(merge_url(mine, shared), {"merge-reason": "sama"}).status_code == 403
    assert shared.child_rows.count() == 2 and not Person.objects.filter(merged_into=mine).exists()


def test_merging_is_for_staff_and_within_the_scope(client_for, everyone, twins_of_one_child):
    first, second = twins_of_one_child
    url = merge_url(record_of(first), record_of(second))
    for who in ("charlie", "dave", "alice"):
        assert client_for(everyone[who]).post(url, {"merge-reason": "x"}).status_code == 403
    assert client_for(everyone["bella"]).post(url, {"merge-reason": "x"}).status_code == 404
    assert client_for(everyone["bob"]).put(url).status_code == 405


def test_the_childs_page_offers_the_possible_other_record(client_for, bob, twins_of_one_child):
    first, _second = twins_of_one_child
    later = f.make_case(actor=bob, children=[child(nik=NIK, name="Siti U.")])
    html = client_for(bob).get(page(record_of(first))).content.decode()
    assert merge_url(record_of(first), record_of(later)) in html


# --- Editing a report keeps the records -------------------------------------------------------------


def test_editing_a_report_corrects_the_child_in_place(bob, charlie, tenggara_case):
    row = tenggara_case.children.select_related("person", "guardian").get()
    services.case_update(
        actor=bob,
        case=tenggara_case,
        children=[
            services.ChildData(
                name="Siti Uji Benar",
                sex="P",
                birth_date=dt.date(2014, 3, 2),
                nik=NIK,
                guardian_name="Ibu Siti",
                guardian_contact="0899",
                school_level="sd",
                child_id=row.pk,
            )
        ],
    )
    again = Child.objects.select_related("person", "guardian").get(pk=row.pk)
    assert again.person_id == row.person_id and again.person.name == "Siti Uji Benar"
    assert again.guardian_id == row.guardian_id and again.guardian.contact == "0899"
    assert again.school_level == "sd"


def test_a_child_taken_out_of_a_report_leaves_no_record_behind(bob, charlie):
    case = f.make_case(
        actor=charlie, children=[child("Tetap"), child("Salah Tulis", guardian_name="Wali Salah")]
    )
    keep = case.children.get(person__name="Tetap")
    services.case_update(
        actor=bob,
        case=case,
        children=[
            services.ChildData(name="Tetap", sex="P", birth_date=dt.date(2014, 3, 2), child_id=keep.pk)
        ],
    )
    assert case.children.count() == 1
    assert not Person.objects.filter(name__in=["Salah Tulis", "Wali Salah"]).exists()


def test_a_child_taken_out_of_one_report_stays_for_their_other_case(bob, charlie, tenggara_case):
    person = record_of(tenggara_case)
    later = f.make_case(actor=charlie, children=[child("Lain"), child(person=person)])
    lain = later.children.get(person__name="Lain")
    services.case_update(
        actor=bob,
        case=later,
        children=[services.ChildData(name="Lain", sex="P", estimated_age=9, child_id=lain.pk)],
    )
    assert Person.objects.filter(pk=person.pk).exists() and person.child_rows.count() == 1


def test_a_row_of_another_case_cannot_be_edited_through_this_one(bob, charlie, tenggara_case):
    other = f.make_case(actor=charlie)
    foreign = other.children.get()
    with pytest.raises(services.ValidationError):
        services.case_update(actor=bob, case=tenggara_case, children=[child(child_id=foreign.pk)])
    assert foreign.person.name == record_of(other).name
