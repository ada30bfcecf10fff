"""The SIMFONI-style recap: figures against a hand-built set whose answers are known, the XLSX
and PDF downloads, access, auditing and query counts."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AuditEvent
from cases import services
from cases.services import ChildData, PerpetratorData
from reports.periods import Period
from reports.recap import BANDS, build_recap, recap_pdf
from tests import factories as f

pytestmark = pytest.mark.django_db

# Column of a figure in the violence table: sexes (L, P) × bands (0–5, 6–12, 13–17, 18+, unknown).
BAND_KEYS = [b for b, _label in BANDS]


def col(sex: str, band: str) -> int:
    return (0 if sex == "L" else len(BANDS)) + BAND_KEYS.index(band)


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def dataset(bob):
    """Four cases; the answers for March 2025 and for 2025 are in the tests below.

    A: Bansir Laut (Pontianak Tenggara), reported 10 Mar 2025, fisik + psikis, household;
       a girl born 6 Mar 2019 (5 on the incident day, 5 Mar 2025: her birthday is the day after)
       and a boy of about 10; both parents as perpetrators; services: health (12 Mar),
       psychological (15 Mar).
    B: Siantan Hulu (Pontianak Utara), reported 20 Mar 2025, seksual, online; a girl born
       1 Jan 2010 (15) and a girl of unknown age; a boyfriend/friend as perpetrator; services:
       complaint (21 Mar), health (2 Apr: outside March).
    C: Bansir Laut, reported 5 Apr 2025, fisik, school; a boy born 1 Jun 2012 (12 on 1 Apr 2025);
       no perpetrator recorded.
    D: Bansir Laut, reported 31 Dec 2024, fisik: outside 2025.
    """
    tenggara = f.kelurahan(f.BANSIR_LAUT)
    utara = f.kelurahan(f.SIANTAN_HULU)
    a = f.make_case(
        actor=bob,
        now=at(2025, 3, 10),
        kelurahan=tenggara,
        incident_date=dt.date(2025, 3, 5),
        violence_types=("fisik", "psikis"),
        place_type="rumah_tangga",
        children=[
            ChildData(name="Siti Nur Aisyah", sex="P", birth_date=dt.date(2019, 3, 6)),
            ChildData(name="Budi Santoso", sex="L", estimated_age=10),
        ],
        perpetrators=[
            PerpetratorData(relation="orang_tua", sex="L"),
            PerpetratorData(relation="orang_tua", sex="P"),
        ],
    )
    services.case_add_service(
        actor=bob, case=a, service_type="kesehatan", provider="RSUD", date=dt.date(2025, 3, 12)
    )
    services.case_add_service(
        actor=bob, case=a, service_type="psikologis", provider="UPTD", date=dt.date(2025, 3, 15)
    )
    b = f.make_case(
        actor=bob,
        now=at(2025, 3, 20),
        kelurahan=utara,
        incident_date=dt.date(2025, 3, 18),
        violence_types=("seksual",),
        place_type="online",
        children=[
            ChildData(name="Dewi Lestari", sex="P", birth_date=dt.date(2010, 1, 1)),
            ChildData(name="Rina Wati", sex="P"),
        ],
        perpetrators=[PerpetratorData(relation="pacar_teman", sex="L")],
    )
    services.case_add_service(
        actor=bob, case=b, service_type="pengaduan", provider="DP2KBP3A", date=dt.date(2025, 3, 21)
    )
    services.case_add_service(
        actor=bob, case=b, service_type="kesehatan", provider="RSUD", date=dt.date(2025, 4, 2)
    )
    f.make_case(
        actor=bob,
        now=at(2025, 4, 5),
        kelurahan=tenggara,
        incident_date=dt.date(2025, 4, 1),
        violence_types=("fisik",),
        place_type="sekolah",
        children=[ChildData(name="Agus Salim", sex="L", birth_date=dt.date(2012, 6, 1))],
    )
    f.make_case(
        actor=bob,
        now=dt.datetime(2024, 12, 31, 23, 30, tzinfo=timezone.get_current_timezone()),  # local time
        kelurahan=tenggara,
        incident_date=dt.date(2024, 12, 30),
        children=[ChildData(name="Putri Ayu", sex="P", estimated_age=8)],
    )
    return {"a": a, "b": b}


def rows_by_label(table):
    return {r.label: r for r in table.rows}


# --- Figures --------------------------------------------------------------------------------------


def test_it_counts_march_victims_by_violence_sex_and_age_band(bob, dataset):
    with translation.override("en"):
        recap = build_recap(user=bob, period=Period.month(2025, 3))
        violence = recap.table("violence")
        rows = rows_by_label(violence)
        fisik = rows["Fisik"]
    assert fisik.values[col("P", "0_5")] == 1  # born 6 Mar 2019: still 5 on 5 Mar 2025
    assert fisik.values[col("L", "6_12")] == 1  # estimated age 10
    assert fisik.total == 2
    assert rows["Psikis"].total == 2
    seksual = rows["Seksual"]
    assert seksual.values[col("P", "13_17")] == 1
    assert seksual.values[col("P", "unknown")] == 1
    assert seksual.total == 2
    assert rows["Trafficking"].total == 0
    once = violence.totals
    assert once.total == 4  # four children, each once, although A has two types of violence
    assert once.values[col("P", "0_5")] == 1
    assert once.values[col("L", "6_12")] == 1
    assert once.values[col("P", "13_17")] == 1
    assert once.values[col("P", "unknown")] == 1


def test_it_counts_victims_by_place_relation_and_services_received(bob, dataset):
    with translation.override("en"):
        recap = build_recap(user=bob, period=Period.month(2025, 3))
        place = rows_by_label(recap.table("place"))
        relation = rows_by_label(recap.table("relation"))
        served = rows_by_label(recap.table("services"))
    # SIMFONI's places, in its words: it has no online place, so B's children are "Lainnya".
    assert place["Rumah Tangga"].values == [1, 1]  # L, P
    assert place["Lainnya"].values == [0, 2]
    assert place["Lembaga Pendidikan Kilat"].values == [0, 0]
    assert recap.table("place").totals.total == 4
    # Per victim–perpetrator pair, by the perpetrator's sex: two parents of two children are
    # four pairs (a father and a mother for each child); B's boyfriend/friend, two pairs.
    assert relation["Orang Tua"].values == [2, 2]
    assert relation["Pacar/Teman"].values == [2, 0]
    assert "Not recorded yet" not in relation
    # The services the March victims received, whatever their date (B's health service of
    # 2 April included), counted by victims served: each service was for both children.
    assert served["Kesehatan"].values == [2, 4]  # services, victims served
    assert served["Rehabilitasi Sosial"].values == [1, 2]  # SIGAP's psychological service
    assert served["Pengaduan"].values == [1, 2]
    # Four services for four victims: the total counts each victim once, and no row adds
    # services and victims together.
    assert recap.table("services").totals.values == [4, 4]
    assert not recap.table("services").row_totals


def test_it_counts_the_whole_year(bob, dataset):
    with translation.override("en"):
        recap = build_recap(user=bob, period=Period.year(2025))
        violence = rows_by_label(recap.table("violence"))
    assert recap.table("violence").totals.total == 5  # the case of 31 Dec 2024 is left out
    assert violence["Fisik"].values[col("L", "6_12")] == 2  # Agus: 12 on 1 Apr 2025
    assert recap.table("relation").totals.values == [4, 2]  # C has no perpetrator: no pair
    assert rows_by_label(recap.table("counts"))["Cases"].values == [3]
    assert rows_by_label(recap.table("counts"))["Child victims"].values == [5]
    assert recap.table("place").totals.total == 5
    assert recap.table("services").totals.values == [4, 4]


def test_it_limits_the_recap_to_a_kecamatan(bob, dataset):
    utara = f.kecamatan(f.PONTIANAK_UTARA)
    recap = build_recap(user=bob, period=Period.month(2025, 3), kecamatan=utara)
    assert recap.table("violence").totals.total == 2
    assert recap.table("services").totals.values == [2, 2]


def test_bellas_recap_counts_only_her_kecamatan(bella, dataset):
    recap = build_recap(user=bella, period=Period.month(2025, 3))
    assert recap.table("violence").totals.total == 2
    assert recap.table("place").totals.values == [0, 2]


# --- The page -------------------------------------------------------------------------------------

MARCH = {"period": "month", "month": "3", "year": "2025"}


def test_the_petugas_sees_the_recap_page_with_totals(client_for, bob, dataset):
    response = client_for(bob).get(reverse("reports:recap"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="recap-table-violence"' in html
    recap = response.context["recap"]
    assert recap.table("violence").totals.total == 4
    # Counts only: no child's name on the page.
    for name in ("Siti Nur Aisyah", "Budi", "Dewi", "Rina"):
        assert name not in html


def test_it_defaults_to_the_current_month(client_for, bob):
    response = client_for(bob).get(reverse("reports:recap"))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["recap"].period == Period.month(today.year, today.month)


def test_a_month_recap_needs_a_month(client_for, bob):
    response = client_for(bob).get(reverse("reports:recap"), {"period": "month", "year": "2025"})
    assert response.status_code == 400
    assert "month" in response.context["form"].errors


def test_bella_cannot_choose_another_kecamatan(client_for, bella):
    other = f.kecamatan(f.PONTIANAK_TENGGARA)
    response = client_for(bella).get(reverse("reports:recap"), {**MARCH, "kecamatan": other.pk})
    assert response.status_code == 400
    assert "kecamatan" in response.context["form"].errors


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
@pytest.mark.parametrize("name", ["reports:recap", "reports:recap_xlsx", "reports:recap_pdf"])
def test_other_roles_may_not_see_the_recap(client_for, everyone, who, name):
    assert client_for(everyone[who]).get(reverse(name), MARCH).status_code == 403


@pytest.mark.parametrize("name", ["reports:recap", "reports:recap_xlsx", "reports:recap_pdf"])
def test_the_recap_refuses_post(client_for, bob, name):
    assert client_for(bob).post(reverse(name), MARCH).status_code == 405


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("reports:recap"))
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_the_page_costs_the_same_queries_whatever_the_number_of_cases(client_for, bob, dataset):
    client = client_for(bob)
    client.get(reverse("reports:recap"), MARCH)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:recap"), MARCH).status_code == 200
    for i in range(5):
        f.make_case(
            actor=bob,
            now=at(2025, 3, 25),
            incident_date=dt.date(2025, 3, 24),
            violence_types=("fisik", "penelantaran"),
            children=[ChildData(name=f"Anak {i}", sex="L", estimated_age=i), ChildData(name="X Y", sex="P")],
            perpetrators=[PerpetratorData(relation="tetangga")],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reports:recap"), MARCH)
    assert response.context["recap"].table("violence").totals.total == 14
    assert len(many) == len(few)
    # Twelve tables in SIMFONI's shape: one aggregate each (two for the violence table, four
    # for the counts), besides the session and the filter form's own.
    assert len(many) <= 22


# --- Downloads ------------------------------------------------------------------------------------


def test_the_xlsx_holds_the_figures_cell_by_cell(client_for, bob, dataset):
    response = client_for(bob).get(reverse("reports:recap_xlsx"), MARCH)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rekap-2025-03-kota.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["counts", "violence", "place"]
    assert {"education", "kdrt", "perpetrators", "relation", "services"} <= set(workbook.sheetnames)
    sheet = workbook["violence"]
    assert "2025" in sheet["A2"].value  # the period line
    assert "Pontianak" in sheet["A3"].value  # the area line
    # Lines 1-4 heading, 5 the title, 6 the sex groups, 7 the columns, 8.. the violence types.
    assert sheet.cell(row=7, column=2).value == "0–5"
    fisik_row = 8
    assert sheet.cell(row=fisik_row, column=2 + col("P", "0_5")).value == 1
    assert sheet.cell(row=fisik_row, column=2 + col("L", "6_12")).value == 1
    assert sheet.cell(row=fisik_row, column=2 + 2 * len(BANDS)).value == 2  # the row's total
    once_row = fisik_row + 7  # after the seven types of violence
    assert sheet.cell(row=once_row, column=2 + 2 * len(BANDS)).value == 4
    services_sheet = workbook["services"]
    totals = [
        row for row in services_sheet.iter_rows(values_only=True) if row and row[0] and row[1:] == (4, 4)
    ]
    assert totals, "the services' total row: 4 services for 4 victims"
    event = AuditEvent.objects.get(action="report.recap_download")
    assert event.actor == bob
    assert event.details == {"format": "xlsx", "period": "2025-03", "kecamatan": None}


def test_the_pdf_is_a_pdf_with_the_figures(client_for, bob, dataset):
    response = client_for(bob).get(
        reverse("reports:recap_pdf"), {**MARCH, "kecamatan": f.kecamatan(f.PONTIANAK_UTARA).pk}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="report.recap_download")
    assert event.details == {"format": "pdf", "period": "2025-03", "kecamatan": f.PONTIANAK_UTARA}
    # Built without compression, the text can be read: the victims-once total of March is 4.
    with translation.override("en"):
        content = recap_pdf(
            build_recap(user=bob, period=Period.month(2025, 3), area_label="Kota"), compress=False
        )
    assert content.startswith(b"%PDF")
    assert b"(Child victims \\(each counted once\\)) Tj" in content
    assert b"(4) Tj" in content
    assert b"Siti" not in content
