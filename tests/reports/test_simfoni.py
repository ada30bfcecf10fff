"""The SIMFONI-PPA bridge: the recap counted per victim against known numbers, the entry sheets
summing to the recap, the "not yet entered" list, the reconciliation, access and auditing."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AuditEvent
from cases import consent_services, services
from cases.models import Child
from cases.services import ChildData, PerpetratorData
from cases.simfoni import victim_records, with_coding
from cases.simfoni.crosswalk import crosswalk
from cases.simfoni.sheet import entry_sheet
from reports.periods import Period
from reports.recap import BANDS, build_recap
from reports.simfoni import reconciliation
from tests import factories as f

pytestmark = pytest.mark.django_db

BAND_KEYS = [b for b, _label in BANDS]
MARCH = {"period": "month", "month": "3", "year": "2025"}
GIRL = "Siti Nur Aisyah"


def col(sex: str, band: str) -> int:
    return (0 if sex == "L" else len(BANDS)) + BAND_KEYS.index(band)


def at(day: int):
    return dt.datetime(2025, 3, day, 10, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def march(bob):
    """X: two children with different violence per child, one perpetrator related differently
    to each; Y: one child, a parent. Both in Bansir Laut (Pontianak Tenggara), March 2025.

    X: a girl of 15 (seksual, eksploitasi, online prostitution), a boy of 8 (fisik); a man of 30,
       the girl's boyfriend and the boy's neighbour; a complaint service for both, a health
       service for the girl only.
    Y: a girl of 10 (psikis); her mother, 40.
    """
    x = f.make_case(
        actor=bob,
        now=at(10),
        incident_date=dt.date(2025, 3, 8),
        violence_types=("seksual", "fisik"),
        place_type="online",
        children=[
            ChildData(
                name=GIRL,
                sex="P",
                estimated_age=15,
                violence_types=["seksual", "eksploitasi"],
                online_prostitution=True,
            ),
            ChildData(
                name="Budi Santoso",
                sex="L",
                estimated_age=8,
                violence_types=["fisik"],
                relations={0: "tetangga"},
            ),
        ],
        perpetrators=[PerpetratorData(relation="pacar_teman", sex="L", age=30)],
    )
    girl, boy = x.children.order_by("id")
    services.case_add_service(
        actor=bob, case=x, service_type="pengaduan", provider="DP2KBP3A", date=dt.date(2025, 3, 11)
    )
    services.case_add_service(
        actor=bob,
        case=x,
        service_type="kesehatan",
        provider="RSUD",
        date=dt.date(2025, 3, 12),
        child_ids=[girl.pk],
    )
    y = f.make_case(
        actor=bob,
        now=at(20),
        incident_date=dt.date(2025, 3, 19),
        violence_types=("psikis",),
        place_type="rumah_tangga",
        children=[ChildData(name="Rina Wati", sex="P", estimated_age=10)],
        perpetrators=[PerpetratorData(relation="orang_tua", sex="P", age=40)],
    )
    return {"x": x, "y": y, "girl": girl, "boy": boy, "y_child": y.children.get()}


def rows(table):
    return {r.label: r for r in table.rows}


def test_two_children_with_different_violence_recap_as_simfoni_counts_them(bob, march):
    with translation.override("en"):
        recap = build_recap(user=bob, period=Period.month(2025, 3))
    violence = rows(recap.table("violence"))
    # Each child under their own types only: the boy is not a victim of sexual violence.
    assert violence["Seksual"].values[col("P", "13_17")] == 1
    assert violence["Seksual"].total == 1
    assert violence["Eksploitasi"].total == 1
    assert violence["Fisik"].values[col("L", "6_12")] == 1
    assert violence["Fisik"].total == 1
    assert violence["Psikis"].values[col("P", "6_12")] == 1
    assert recap.table("violence").totals.total == 3
    counts = rows(recap.table("counts"))
    assert [counts[k].values[0] for k in ("Cases", "Child victims", "Alleged perpetrators")] == [2, 3, 2]
    assert counts["Victim–perpetrator pairs"].values == [3]
    relation = rows(recap.table("relation"))  # per pair, by the perpetrator's sex (L, P)
    assert relation["Pacar/Teman"].values == [1, 0]
    assert relation["Tetangga"].values == [1, 0]
    assert relation["Orang Tua"].values == [0, 1]
    kdrt = recap.table("kdrt").rows
    assert kdrt[0].values == [0, 1]  # Y's girl: her mother
    assert kdrt[1].values == [1, 1]
    served = rows(recap.table("services"))  # services, victims served
    assert served["Pengaduan"].values == [1, 2]
    assert served["Kesehatan"].values == [1, 1]
    assert recap.table("services").totals.values == [2, 2]
    perpetrators = recap.table("perpetrators")
    assert [r.values[4] for r in perpetrators.rows[:2]] == [1, 1]  # 25–44: a man and a woman
    place = rows(recap.table("place"))
    assert place["Lainnya"].values == [1, 1]  # X online: SIMFONI's Lainnya
    assert place["Rumah Tangga"].values == [0, 1]


def test_the_entry_sheets_sum_to_the_recap(bob, march):
    """Both ways: what the sheets of the month's victims say, counted by hand, is the recap."""
    cw = crosswalk()
    children = Child.objects.filter(case__in=[march["x"], march["y"]])
    records = victim_records(with_coding(children))
    sheets = [entry_sheet(r, cw, with_identity=False, initials="X.") for r in records]
    recap = build_recap(user=bob, period=Period.month(2025, 3))

    def sheet_values(title):
        return [
            row.value for sheet in sheets for section in sheet for row in section.rows if row.field == title
        ]

    violence = rows(recap.table("violence"))
    from_sheets = sheet_values(cw.field_title("violence"))
    for label in cw.simfoni_list("violence"):
        assert from_sheets.count(label) == violence[label].total, label
    assert len(sheets) == recap.table("violence").totals.total
    relation = rows(recap.table("relation"))
    from_sheets = sheet_values(cw.field_title("relation"))
    for label in cw.simfoni_list("relation"):
        assert from_sheets.count(label) == relation[label].total, label
    served = rows(recap.table("services"))
    from_sheets = [v.split(" · ")[0] for v in sheet_values(cw.field_title("service"))]
    for label in cw.simfoni_list("service"):
        assert from_sheets.count(label) == served[label].values[1], label  # victims served
    place = rows(recap.table("place"))
    from_sheets = sheet_values(cw.field_title("place"))
    for label in cw.simfoni_list("place"):
        assert from_sheets.count(label) == place[label].total, label
    kdrt = sum(1 for r in records if r.kdrt)
    assert kdrt == recap.table("kdrt").rows[0].total


# --- The pages, per role ---------------------------------------------------------------------------

INDEX = "reports:simfoni"
RECONCILIATION = "reports:simfoni_reconciliation"


@pytest.mark.parametrize("name", [INDEX, RECONCILIATION])
def test_the_petugas_sees_the_simfoni_pages(client_for, bob, march, name):
    response = client_for(bob).get(reverse(name), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert march["x"].number in html
    assert GIRL not in html  # the lists show initials and age only
    event = AuditEvent.objects.filter(actor=bob, action__startswith="report.simfoni").latest("id")
    assert event.details == {"period": "2025-03", "kecamatan": None}


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
@pytest.mark.parametrize("name", [INDEX, RECONCILIATION])
def test_other_roles_may_not_see_the_simfoni_pages(client_for, everyone, who, name):
    assert client_for(everyone[who]).get(reverse(name), MARCH).status_code == 403


@pytest.mark.parametrize("name", [INDEX, RECONCILIATION])
def test_the_simfoni_pages_refuse_post_and_send_visitors_to_log_in(client, client_for, bob, name):
    assert client.get(reverse(name)).status_code == 302
    assert client_for(bob).post(reverse(name)).status_code == 405


def test_bellas_list_holds_only_her_kecamatan(client_for, bella, march):
    response = client_for(bella).get(reverse(INDEX), MARCH)
    assert response.status_code == 200
    assert response.context["victims"] == []


def sheet_url(case, child, name="reports:simfoni_sheet"):
    return reverse(name, args=[case.number, child.pk])


def test_the_sheet_shows_simfonis_words_and_what_is_missing(client_for, bob, march):
    with translation.override("id"):
        response = client_for(bob).get(sheet_url(march["x"], march["boy"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fisik" in html and "Tetangga" in html
    assert 'data-testid="simfoni-missing"' in html
    assert 'data-testid="simfoni-mark-ready"' not in html  # refused until complete
    event = AuditEvent.objects.get(action="case.simfoni_sheet")
    assert event.details["child"] == march["boy"].pk and event.details["format"] == "page"


def test_another_areas_sheet_is_not_found(client_for, bella, march):
    assert client_for(bella).get(sheet_url(march["x"], march["boy"])).status_code == 404


def test_a_child_of_another_case_is_not_found(client_for, bob, march):
    assert client_for(bob).get(sheet_url(march["y"], march["boy"])).status_code == 404


@pytest.mark.parametrize("who", ["charlie", "dave", "alice"])
def test_other_roles_may_not_open_a_sheet(client_for, everyone, march, who):
    assert client_for(everyone[who]).get(sheet_url(march["x"], march["boy"])).status_code == 403


def test_ready_and_number_refuse_get(client_for, bob, march):
    client = client_for(bob)
    assert client.get(sheet_url(march["x"], march["boy"], "reports:simfoni_ready")).status_code == 405
    assert client.get(sheet_url(march["x"], march["boy"], "reports:simfoni_number")).status_code == 405


def complete(child):
    Child.objects.filter(pk=child.pk).update(
        school_level="smp",
        occupation="pelajar",
        marital_status="belum_kawin",
        nationality="wni",
        has_disability="tidak",
        home_address="Jl. Sintetis 1",
    )


def test_the_petugas_marks_ready_and_records_the_number_then_the_reconciliation_balances(
    client_for, bob, march
):
    client = client_for(bob)
    girl = march["girl"]
    refused = client.post(sheet_url(march["x"], girl, "reports:simfoni_ready"))
    assert refused.status_code == 302
    girl.refresh_from_db()
    assert girl.simfoni_ready_at is None
    complete(girl)
    Child.objects.filter(pk=girl.pk).update(tppo_recruitment="online", tppo_destination="dalam_kota")
    client.post(sheet_url(march["x"], girl, "reports:simfoni_ready"))
    empty = client.post(sheet_url(march["x"], girl, "reports:simfoni_number"), {"number": "  "})
    assert empty.status_code == 400
    assert 'class="form-control is-invalid"' in empty.content.decode()
    client.post(sheet_url(march["x"], girl, "reports:simfoni_number"), {"number": "SIMF-61-0001"})
    girl.refresh_from_db()
    assert girl.simfoni_number == "SIMF-61-0001"

    result = reconciliation(user=bob, period=Period.month(2025, 3))
    assert (result.victims, result.entered) == (3, 1)
    with translation.override("id"):
        result = reconciliation(user=bob, period=Period.month(2025, 3))
    violence = {r.label: r for r in result.table("violence").rows}
    assert (violence["Seksual"].sigap, violence["Seksual"].entered, violence["Seksual"].difference) == (
        1,
        1,
        0,
    )
    assert (violence["Fisik"].sigap, violence["Fisik"].entered, violence["Fisik"].difference) == (1, 0, 1)
    # Case by case: X has one victim of two entered, Y none of one.
    assert [(c.case.number, c.victims, c.entered, len(c.waiting)) for c in result.cases] == [
        (march["x"].number, 2, 1, 1),
        (march["y"].number, 1, 0, 1),
    ]
    listed = client.get(reverse(INDEX), MARCH).context["victims"]
    assert [v.child.pk for v in listed] == [march["boy"].pk, march["y_child"].pk]


def test_the_xlsx_sheet_goes_through_the_export_writer_and_is_audited(client_for, bob, march):
    response = client_for(bob).get(sheet_url(march["x"], march["girl"], "reports:simfoni_sheet_xlsx"))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="simfoni-{march["x"].number}-anak-{march["girl"].pk}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content))["SIMFONI"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(row[2] == "Seksual" for row in values)
    assert any(row[2] == GIRL for row in values)  # a petugas may see it and consent does not withhold it
    assert AuditEvent.objects.get(action="case.simfoni_sheet").details["format"] == "xlsx"


def test_the_printable_sheet_is_audited_as_a_print(client_for, bob, march):
    response = client_for(bob).get(sheet_url(march["x"], march["girl"], "reports:simfoni_sheet_print"))
    assert response.status_code == 200
    assert 'data-testid="simfoni-print-missing"' in response.content.decode()
    assert AuditEvent.objects.get(action="case.simfoni_sheet").details["format"] == "print"


def test_the_sheet_names_the_child_only_when_consent_allows(client_for, bob, march):
    consent_services.consent_record(
        actor=bob,
        case=march["x"],
        children=[march["girl"]],
        given_by="anak",
        decided_on=dt.date(2025, 3, 12),
        answers={("tindak_lanjut", ""): "ditolak"},
    )
    html = client_for(bob).get(sheet_url(march["x"], march["girl"])).content.decode()
    assert GIRL not in html
    assert AuditEvent.objects.get(action="case.simfoni_sheet").details["identity"] is False
