"""Exports: contents read back (CSV and XLSX), anonymisation, the identity export's reason and
audit, access by role and area, and the background path for large exports."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from accounts.policy import Cap, user_can
from cases.services import ChildData
from reports.models import ExportJob
from reports.selectors import export_kinds_for
from reports.tasks import build_export_task
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/laporan/ekspor/"
NAMES = ("Siti Nur Aisyah", "Budi Santoso", "Dewi Lestari")
NIKS = ("6171014107100001", "6171010101120002")


@pytest.fixture
def cases(bob):
    """Two cases in Pontianak Tenggara, one in Pontianak Utara; synthetic children."""
    tenggara = f.kelurahan(f.BANSIR_LAUT)
    utara = f.kelurahan(f.SIANTAN_HULU)
    return [
        f.make_case(
            actor=bob,
            kelurahan=tenggara,
            address="Jl. Rahasia No. 7",
            narrative="Cerita yang tidak boleh keluar.",
            children=[
                ChildData(name=NAMES[0], sex="P", birth_date=dt.date(2014, 3, 2), nik=NIKS[0]),
                ChildData(name=NAMES[1], sex="L", estimated_age=9, nik=NIKS[1]),
            ],
        ),
        f.make_case(actor=bob, kelurahan=tenggara, violence_types=("psikis",)),
        f.make_case(
            actor=bob,
            kelurahan=utara,
            violence_types=("seksual",),
            children=[ChildData(name=NAMES[2], sex="P", estimated_age=15)],
        ),
    ]


def read_csv(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def post(client, **data):
    return client.post(URL, {"format": "csv", **data})


# --- The anonymised case list ---------------------------------------------------------------------


def test_the_anonymised_case_list_has_no_identities(client_for, bob, cases):
    response = post(client_for(bob), kind="cases")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="kasus-anonim-')
    rows = read_csv(response)
    assert [r["nomor"] for r in rows] == [c.number for c in cases]
    on = cases[0].incident_date
    age = on.year - 2014 - ((on.month, on.day) < (3, 2))
    assert rows[0]["anak"] == f"S.N.A. ({age}, P); B.S. (9, L)"
    assert rows[0]["kecamatan"] == "Pontianak Tenggara"
    assert "nama_anak" not in rows[0]
    text = response.content.decode("utf-8-sig")
    for secret in (*NAMES, *NIKS, "Jl. Rahasia", "Cerita yang tidak"):
        assert secret not in text
    event = AuditEvent.objects.get(action="report.export")
    assert event.actor == bob
    assert event.details["kind"] == "cases"
    assert event.details["format"] == "csv"
    assert event.details["rows"] == 3
    assert event.details["identities"] is False
    assert event.details["async"] is False


def test_the_case_list_as_xlsx_reads_back(client_for, bob, cases):
    response = post(client_for(bob), kind="cases", format="xlsx", status="dilaporkan")
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert len(rows) == 3
    assert rows[2]["anak"] == "D.L. (15, P)"
    assert rows[2]["kelurahan"] == "Siantan Hulu"
    assert all(name not in str(row.values()) for row in rows for name in NAMES)


def test_the_case_list_filters_by_kecamatan_status_and_period(client_for, bob, cases):
    client = client_for(bob)
    rows = read_csv(post(client, kind="cases", kecamatan=f.kecamatan(f.PONTIANAK_UTARA).pk))
    assert [r["nomor"] for r in rows] == [cases[2].number]
    assert read_csv(post(client, kind="cases", status="selesai")) == []
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert read_csv(post(client, kind="cases", date_from=tomorrow)) == []
    today = timezone.localdate().isoformat()
    assert len(read_csv(post(client, kind="cases", date_from=today, date_to=today))) == 3


def test_bellas_export_holds_only_her_kecamatan(client_for, bella, cases):
    rows = read_csv(post(client_for(bella), kind="cases"))
    assert [r["nomor"] for r in rows] == [cases[2].number]
    other = f.kecamatan(f.PONTIANAK_TENGGARA)
    assert post(client_for(bella), kind="cases", kecamatan=other.pk).status_code == 400


# --- The case list with identities ----------------------------------------------------------------


def test_the_identity_export_requires_a_reason(client_for, bob, cases):
    response = post(client_for(bob), kind="cases_identified", reason="  ")
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_the_identity_export_is_audited_with_its_reason(client_for, bob, cases):
    reason = "Permintaan Unit PPA Polresta untuk berkas perkara"
    response = post(client_for(bob), kind="cases_identified", format="xlsx", reason=reason)
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert rows[0]["nama_anak"] == f"{NAMES[0]}; {NAMES[1]}"
    assert rows[0]["nik_anak"] == f"{NIKS[0]}; {NIKS[1]}"
    assert rows[0]["alamat_kejadian"] == "Jl. Rahasia No. 7"
    event = AuditEvent.objects.get(action="report.export")
    assert event.details["identities"] is True
    assert event.details["reason"] == reason
    assert event.details["kind"] == "cases_identified"
    assert event.details["rows"] == 3
    assert all(name not in str(event.details) for name in NAMES)


def test_the_identity_export_withholds_a_child_whose_follow_up_was_refused(client_for, bob, cases):
    from cases.consent_services import consent_record

    siti = cases[0].children.get(person__name=NAMES[0])  # 12: old enough to decide herself
    consent_record(
        actor=bob,
        case=cases[0],
        children=[siti],
        given_by="anak",
        decided_on=timezone.localdate(),
        answers={("tindak_lanjut", ""): "ditolak"},
    )
    response = post(client_for(bob), kind="cases_identified", format="xlsx", reason="Kunjungan rumah")
    rows = read_xlsx(response.content)
    assert rows[0]["nama_anak"] == f"(ditahan: persetujuan); {NAMES[1]}"
    assert rows[0]["nik_anak"] == f"(ditahan: persetujuan); {NIKS[1]}"
    assert rows[0]["alamat_kejadian"] == "(ditahan: persetujuan)"  # the address would lead to her
    assert rows[0]["anak"].startswith("S.N.A. (")  # still counted, masked
    assert rows[1]["nama_anak"] != "(ditahan: persetujuan)"


def test_the_identity_export_is_not_offered_to_those_who_may_not(client_for, bob):
    assert user_can(bob, Cap.EXPORT_IDENTITIES)
    form = client_for(bob).get(URL).context["form"]
    assert "cases_identified" in dict(form.fields["kind"].choices)
    alice = f.AdminFactory(username="alice")
    assert not user_can(alice, Cap.EXPORT_IDENTITIES)
    assert export_kinds_for(alice) == []


# --- Cadres and training --------------------------------------------------------------------------


def test_the_cadre_roster_exports_as_csv_and_xlsx(client_for, bob):
    from cadres.services import cadre_create

    cadre_create(actor=bob, name="Kader Contoh", sex="P", kelurahan=f.kelurahan(f.BANSIR_LAUT), cohort=2022)
    client = client_for(bob)
    rows = read_csv(post(client, kind="cadres"))
    assert rows[0]["nama"] == "Kader Contoh"
    assert rows[0]["angkatan"] == "2022"
    assert rows[0]["kecamatan"] == "Pontianak Tenggara"
    rows = read_xlsx(post(client, kind="cadres", format="xlsx").content)
    assert rows[0]["nama"] == "Kader Contoh"
    assert AuditEvent.objects.filter(action="report.export", details__kind="cadres").count() == 2


def test_training_attendance_counts_days_present(client_for, bob):
    from cadres.services import cadre_create
    from training import services as training_services

    training = training_services.training_create(
        actor=bob,
        title="Pelatihan Kader 2022",
        organiser="DP2KBP3A",
        venue="BAPPEDA",
        dates=[dt.date(2022, 11, 23), dt.date(2022, 11, 24)],
    )
    cadre = cadre_create(
        actor=bob, name="Kader Hadir", sex="L", kelurahan=f.kelurahan(f.BANSIR_LAUT), cohort=2022
    )
    training_services.participants_add_cadres(actor=bob, training=training, cadres=[cadre])
    guest = training_services.participant_add_guest(
        actor=bob, training=training, name="Tamu Undangan", institution="LBH"
    )
    cadre_participant = training.participants.get(cadre=cadre)
    days = list(training.days.order_by("date"))
    for day in days:
        training_services.attendance_mark(participant=cadre_participant, day=day, actor=bob)
    training_services.attendance_mark(participant=guest, day=days[0], actor=bob)
    training_services.attendance_mark(participant=guest, day=days[1], actor=bob, present=False)

    rows = read_csv(post(client_for(bob), kind="attendance", training=training.pk))
    by_name = {r["peserta"]: r for r in rows}
    assert by_name["Kader Hadir"]["hari_hadir"] == "2"
    assert by_name["Kader Hadir"]["jumlah_hari"] == "2"
    assert by_name["Tamu Undangan"]["hari_hadir"] == "1"
    assert by_name["Tamu Undangan"]["hari_pertama"] == "2022-11-23"


# --- Access and methods ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "charlie", "dave"])
def test_other_roles_may_not_export(client_for, everyone, who):
    client = client_for(everyone[who])
    assert client.get(URL).status_code == 403
    assert post(client, kind="cases").status_code == 403
    assert post(client, kind="cases_identified", reason="ingin tahu").status_code == 403
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_the_export_page_refuses_other_methods(client_for, bob):
    assert client_for(bob).put(URL).status_code == 405


def test_an_unknown_kind_is_a_form_error(client_for, bob):
    assert post(client_for(bob), kind="everything").status_code == 400


# --- Large exports: the background job ------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


@pytest.fixture
def async_exports(settings, media_root):
    settings.SIGAP_EXPORT_SYNC_MAX_ROWS = 1


def start_job(client, django_capture_on_commit_callbacks, **data) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, **data)
    assert response.status_code == 302
    assert response["Location"] == URL
    return ExportJob.objects.get()


def test_a_large_export_becomes_a_job_the_owner_downloads(
    client_for, bob, cases, async_exports, media_root, django_capture_on_commit_callbacks
):
    client = client_for(bob)
    job = start_job(client, django_capture_on_commit_callbacks, kind="cases", format="xlsx")
    assert job.state == ExportJob.State.DONE
    assert job.row_count == 3
    assert job.requested_by == bob
    assert job.params == {}
    assert job.file_path.startswith("exports/") and "kasus" not in job.file_path
    assert (media_root / job.file_path).is_file()  # private storage, outside any public path
    assert job.expires_at - job.created_at == dt.timedelta(days=7)
    page = client.get(URL)
    assert f'href="/laporan/ekspor/{job.pk}/unduh/"' in page.content.decode()
    response = client.get(reverse("reports:export_download", args=[job.pk]))
    assert response.status_code == 200
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [r["nomor"] for r in rows] == [c.number for c in cases]
    assert all(name not in str(r.values()) for r in rows for name in NAMES)
    started = AuditEvent.objects.get(action="report.export")
    assert started.details["async"] is True
    assert started.details["rows"] == 3
    assert started.target_id == str(job.pk)
    assert AuditEvent.objects.filter(action="report.export_download", target_id=str(job.pk)).count() == 1


def test_the_job_keeps_filters_only(
    client_for, bob, cases, async_exports, django_capture_on_commit_callbacks
):
    reason = "Diminta pengadilan"
    job = start_job(
        client_for(bob),
        django_capture_on_commit_callbacks,
        kind="cases_identified",
        status="dilaporkan",
        reason=reason,
    )
    assert job.params == {"status": "dilaporkan"}  # no reason, no child data
    assert AuditEvent.objects.get(action="report.export").details["reason"] == reason


def test_another_petugas_cannot_download_someone_elses_job(
    client_for, bob, cases, async_exports, django_capture_on_commit_callbacks
):
    job = start_job(client_for(bob), django_capture_on_commit_callbacks, kind="cases")
    other = f.PetugasFactory(username="budi")
    response = client_for(other).get(reverse("reports:export_download", args=[job.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="report.export_download").exists()


def test_an_expired_job_is_refused(client_for, bob, cases, async_exports, django_capture_on_commit_callbacks):
    client = client_for(bob)
    job = start_job(client, django_capture_on_commit_callbacks, kind="cases")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 410
    assert 'data-testid="export-job-download"' not in client.get(URL).content.decode()


def test_a_job_not_ready_is_not_served(client_for, bob):
    job = ExportJob.objects.create(
        requested_by=bob, kind="cases", format="csv", expires_at=timezone.now() + dt.timedelta(days=7)
    )
    assert client_for(bob).get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_the_download_refuses_post(client_for, bob):
    assert client_for(bob).post(reverse("reports:export_download", args=[1])).status_code == 405


def test_the_task_builds_a_job_once(bob, cases, media_root):
    job = ExportJob.objects.create(
        requested_by=bob, kind="cases", format="csv", expires_at=timezone.now() + dt.timedelta(days=7)
    )
    assert build_export_task.delay(job.pk).get() == 3
    assert build_export_task.delay(job.pk).get() is None  # already built: left alone
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert build_export_task.acks_late is True
    assert build_export_task.soft_time_limit < build_export_task.time_limit
