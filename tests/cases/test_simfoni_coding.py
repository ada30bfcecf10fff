"""Each victim coded on their own, as SIMFONI-PPA codes them: the intake asks per child only
when a report has several children; services, relations and the escalation follow the child."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cases import escalation, services, simfoni_services
from cases.forms import ChildForm
from cases.models import (
    Case,
    CaseViolence,
    Child,
    ChildViolence,
    Escalation,
    Risk,
    VictimPerpetrator,
)
from cases.services import ChildData, PerpetratorData
from cases.simfoni import victim_records, with_coding
from tests import factories as f
from tests.cases.test_intake import REPORT, management, report_data

pytestmark = pytest.mark.django_db


def kinds_of(child: Child) -> list[str]:
    return sorted(child.violences.values_list("kind", flat=True))


# --- The intake -------------------------------------------------------------------------------


def test_with_one_child_the_report_asks_once_and_the_child_gets_the_reports_types(client_for, charlie):
    data = report_data(charlie.kelurahan_id, **management("children", 1))
    for key in [k for k in data if k.startswith("children-1-")]:
        del data[key]
    # A value sent for the per-child box of a lone child is not asked, so it is not taken.
    data["children-0-violence_types"] = ["seksual"]
    response = client_for(charlie).post(REPORT, data)
    assert response.status_code == 302
    child = Case.objects.get().children.get()
    assert kinds_of(child) == ["fisik", "psikis"]


def test_the_page_asks_each_childs_coding_only_with_a_second_child(client_for, charlie):
    client = client_for(charlie)
    one = client.get(REPORT).content.decode()
    assert "data-per-child" in one
    assert 'data-testid="per-child-coding"\n           hidden' in one
    data = report_data(charlie.kelurahan_id, add_children="1")
    two = client.post(REPORT, data).content.decode()
    assert 'data-testid="per-child-coding"\n           hidden' not in two
    # The perpetrator's row asks the relation to each child once there are several.
    assert 'name="perpetrators-0-relation_to_1"' in two


def test_with_two_children_each_gets_their_own_types_and_relation(client_for, charlie):
    data = report_data(
        charlie.kelurahan_id,
        violence_types=["fisik", "seksual"],
        **{
            "children-0-violence_types": ["seksual"],
            "children-0-online_prostitution": "1",
            "children-1-violence_types": ["fisik"],
            "perpetrators-0-relation": "orang_tua",
            "perpetrators-0-relation_to_1": "keluarga",
        },
    )
    response = client_for(charlie).post(REPORT, data)
    assert response.status_code == 302
    case = Case.objects.get()
    first, second = case.children.order_by("id")
    assert kinds_of(first) == ["seksual"]
    assert kinds_of(second) == ["fisik"]
    assert (first.online, first.online_prostitution) == (True, True)
    assert (second.online, second.online_prostitution) == (False, False)
    # The case's own list is the union of its children's, for the lists and the dashboard.
    assert sorted(case.violences.values_list("kind", flat=True)) == ["fisik", "seksual"]
    assert (case.online, case.online_prostitution) == (True, True)
    perpetrator = case.perpetrators.get()
    pairs = dict(
        VictimPerpetrator.objects.filter(perpetrator=perpetrator).values_list("child_id", "relation")
    )
    assert pairs == {first.pk: "orang_tua", second.pk: "keluarga"}


def test_a_child_left_without_own_types_takes_the_reports(client_for, charlie):
    data = report_data(charlie.kelurahan_id, **{"children-1-violence_types": ["psikis"]})
    client_for(charlie).post(REPORT, data)
    first, second = Case.objects.get().children.order_by("id")
    assert kinds_of(first) == ["fisik", "psikis"]
    assert kinds_of(second) == ["psikis"]


def test_editing_keeps_each_childs_coding_and_changes_what_was_changed(client_for, bob):
    case = f.make_case(
        actor=bob,
        violence_types=("fisik",),
        children=[
            ChildData(name="Anak Satu", sex="P", estimated_age=9, violence_types=["seksual"]),
            ChildData(
                name="Anak Dua", sex="L", estimated_age=7, violence_types=["fisik"], relations={0: "keluarga"}
            ),
        ],
        perpetrators=[PerpetratorData(relation="orang_tua", sex="L", age=40)],
    )
    client = client_for(bob)
    page = client.get(reverse("cases:edit", args=[case.number]))
    form = page.context["intake"]
    assert form.children.forms[0].initial["violence_types"] == ["seksual"]
    assert form.perpetrators.forms[0].initial["relation_to_1"] == "keluarga"
    first, second = case.children.order_by("id")
    services.case_update(
        actor=bob,
        case=case,
        violence_types=["fisik"],
        children=[
            ChildData(
                name="Anak Satu",
                sex="P",
                estimated_age=9,
                child_id=first.pk,
                violence_types=["seksual", "psikis"],
            ),
            ChildData(
                name="Anak Dua",
                sex="L",
                estimated_age=7,
                child_id=second.pk,
                violence_types=["fisik"],
                relations={0: "keluarga"},
            ),
        ],
        perpetrators=[
            PerpetratorData(relation="orang_tua", sex="L", age=40, perpetrator_id=case.perpetrators.get().pk)
        ],
    )
    assert kinds_of(first) == ["psikis", "seksual"]
    assert kinds_of(second) == ["fisik"]
    assert sorted(CaseViolence.objects.filter(case=case).values_list("kind", flat=True)) == [
        "fisik",
        "psikis",
        "seksual",
    ]
    relations = dict(VictimPerpetrator.objects.filter(child__case=case).values_list("child_id", "relation"))
    assert relations == {first.pk: "orang_tua", second.pk: "keluarga"}


def test_a_new_case_starts_as_not_yet_assessed(client_for, charlie):
    client = client_for(charlie)
    assert client.get(REPORT).context["form"]["risk"].value() == Risk.BELUM_DINILAI
    data = report_data(charlie.kelurahan_id, risk=Risk.BELUM_DINILAI)
    client.post(REPORT, data)
    assert Case.objects.get().risk == Risk.BELUM_DINILAI


def test_the_simfoni_facts_are_optional_at_intake_and_kept_when_given(client_for, bob):
    kelurahan = f.kelurahan(f.SIANTAN_HULU)
    data = report_data(
        f.kelurahan(f.BANSIR_LAUT).pk,
        **{
            "children-0-school_level": "tk",
            "children-0-occupation": "pelajar",
            "children-0-marital_status": "belum_kawin",
            "children-0-nationality": "wni",
            "children-0-disability_type": "rungu",
            "children-0-home_address": "Jl. Sintetis 3",
            "children-0-home_kelurahan_id": str(kelurahan.pk),
            "perpetrators-0-education": "sma_smk",
            "perpetrators-0-nationality": "wni",
        },
    )
    assert client_for(bob).post(REPORT, data).status_code == 302
    first = Case.objects.get().children.order_by("id").first()
    assert (first.school_level, first.occupation, first.nationality) == ("tk", "pelajar", "wni")
    # Naming a type of disability says the child has one.
    assert (first.has_disability, first.disability_type) == ("ya", "rungu")
    assert first.home_kelurahan == kelurahan
    assert Case.objects.get().perpetrators.get().education == "sma_smk"


def test_the_older_school_levels_are_offered_only_to_a_record_that_holds_one(bob):
    fresh = ChildForm()
    assert "paud_tk" not in dict(fresh.fields["school_level"].choices)
    old = ChildForm(initial={"school_level": "paud_tk"})
    assert "paud_tk" in dict(old.fields["school_level"].choices)
    assert "tidak_sekolah" not in dict(old.fields["school_level"].choices)


# --- Services per victim ----------------------------------------------------------------------


def two_children_case(actor, **fields):
    return f.make_case(
        actor=actor,
        children=[
            ChildData(name="Anak Satu", sex="P", estimated_age=9, violence_types=["seksual"]),
            ChildData(name="Anak Dua", sex="L", estimated_age=7, violence_types=["fisik"]),
        ],
        perpetrators=[PerpetratorData(relation="orang_tua", sex="L", age=40)],
        **fields,
    )


def test_a_service_goes_to_the_children_chosen(client_for, bob):
    case = two_children_case(bob)
    first, second = case.children.order_by("id")
    client = client_for(bob)
    page = client.get(reverse("cases:detail", args=[case.number]))
    assert "child_ids" in page.context["forms"]["service"].fields
    response = client.post(
        reverse("cases:service", args=[case.number]),
        {
            "service-service_type": "kesehatan",
            "service-provider": "RSUD",
            "service-date": timezone.localdate().isoformat(),
            "service-child_ids": [str(first.pk)],
        },
    )
    assert response.status_code == 302
    service = case.services.get()
    assert list(service.children.all()) == [first]


def test_a_service_of_a_case_with_one_child_is_that_childs(client_for, bob):
    case = f.make_case(actor=bob)
    page = client_for(bob).get(reverse("cases:detail", args=[case.number]))
    assert "child_ids" not in page.context["forms"]["service"].fields
    services.case_add_service(
        actor=bob, case=case, service_type="pengaduan", provider="Dinas", date=timezone.localdate()
    )
    assert list(case.services.get().children.all()) == [case.children.get()]


def test_a_service_for_another_cases_child_is_refused(bob):
    case = two_children_case(bob)
    other = f.make_case(actor=bob).children.get()
    with pytest.raises(ValidationError):
        services.case_add_service(
            actor=bob,
            case=case,
            service_type="kesehatan",
            provider="RSUD",
            date=timezone.localdate(),
            child_ids=[other.pk],
        )


# --- The escalation and KDRT read the victims ---------------------------------------------------


def test_the_immediate_rule_reads_each_childs_types(bob):
    case = two_children_case(bob, risk="rendah")
    assert case in escalation.rule_cases(Escalation.Rule.IMMEDIATE, now=case.reported_at)
    # The case's union is not what the rule reads: without it the child's type still escalates.
    CaseViolence.objects.filter(case=case).delete()
    assert case in escalation.rule_cases(Escalation.Rule.IMMEDIATE, now=case.reported_at)
    ChildViolence.objects.filter(child__case=case, kind="seksual").delete()
    assert case not in escalation.rule_cases(Escalation.Rule.IMMEDIATE, now=case.reported_at)


def test_kdrt_follows_the_relation_not_the_place(bob):
    case = f.make_case(
        actor=bob,
        place_type="sekolah",
        children=[
            ChildData(name="Anak Satu", sex="P", estimated_age=15, relations={0: "suami_istri"}),
            ChildData(name="Anak Dua", sex="L", estimated_age=7, relations={0: "tetangga"}),
        ],
        perpetrators=[PerpetratorData(relation="suami_istri", sex="L", age=30)],
    )
    first, second = victim_records(with_coding(case.children.order_by("id")))
    assert first.kdrt and not second.kdrt


# --- Ready and entered ----------------------------------------------------------------------------


def complete(child: Child) -> None:
    Child.objects.filter(pk=child.pk).update(
        school_level="sd",
        occupation="pelajar",
        marital_status="belum_kawin",
        nationality="wni",
        has_disability="tidak",
        home_address="Jl. Sintetis 1",
    )


def test_a_child_cannot_be_ready_while_simfoni_needs_a_field(bob):
    case = two_children_case(bob)
    child = case.children.order_by("id").first()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        simfoni_services.child_simfoni_mark_ready(actor=bob, child=child)
    assert "Occupation" in str(error.value) and "Home address" in str(error.value)
    child.refresh_from_db()
    assert child.simfoni_ready_at is None


def test_a_complete_child_is_ready_then_entered_with_its_number(bob):
    case = two_children_case(bob)
    child = case.children.order_by("id").first()
    complete(child)
    services.case_add_service(
        actor=bob,
        case=case,
        service_type="pengaduan",
        provider="Dinas",
        date=timezone.localdate(),
        child_ids=[child.pk],
    )
    with pytest.raises(ValidationError):
        simfoni_services.child_simfoni_record_entry(actor=bob, child=child, number="6171-2025-001")
    simfoni_services.child_simfoni_mark_ready(actor=bob, child=child)
    simfoni_services.child_simfoni_record_entry(actor=bob, child=child, number=" 6171-2025-001 ")
    child.refresh_from_db()
    assert child.simfoni_number == "6171-2025-001"
    assert child.simfoni_ready_by == bob and child.simfoni_entered_by == bob
    assert case.events.filter(kind="simfoni").count() == 2
    # The timeline names the child's record by its number, never by name.
    assert all("Anak Satu" not in e.text for e in case.events.filter(kind="simfoni"))


def test_an_older_school_level_must_be_made_precise(bob):
    case = f.make_case(actor=bob)
    child = case.children.get()
    complete(child)
    Child.objects.filter(pk=child.pk).update(school_level="paud_tk")
    services.case_add_service(
        actor=bob, case=case, service_type="pengaduan", provider="Dinas", date=timezone.localdate()
    )
    with translation.override("en"):
        (record,) = victim_records(with_coding(Child.objects.filter(pk=child.pk)))
    assert [m.label for m in record.missing] == [
        "Education (PAUD and TK apart; not yet in school or dropped out)"
    ]
