"""A roster import finds the cadres already on the roster (by NIK, else by name, date of birth
and kelurahan) and updates them instead of adding them twice; the preview says per row what
importing it does. Importing the same file twice changes nothing."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from cadres import importer, services
from cadres.models import Cadre
from tests import factories as f
from tests.cadres.roster_helpers import HEADER, csv_file, good_row, make_cadre, nik, xlsx_file

pytestmark = pytest.mark.django_db

IMPORT = reverse("cadres:import")
COMMIT = reverse("cadres:import_commit")


@pytest.fixture(autouse=True)
def in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def upload(client, file):
    response = client.post(IMPORT, {"file": file})
    assert response.status_code == 200
    return response


def actions(response) -> dict[int, str]:
    return {row["line"]: row["action"] for row in response.context["good_rows"]}


def bad_lines(response) -> dict[int, str]:
    return {b.line: " | ".join(b.reasons) for b in response.context["bad"]}


def commit(client, response):
    return client.post(COMMIT, {"token": response.context["token"]}, follow=True)


def without_nik(serial: int, **kw) -> list:
    row = good_row(serial, **kw)
    row[1] = ""
    return row


def snapshot() -> list[dict]:
    return list(Cadre.objects.order_by("pk").values())


# --- The same file twice ----------------------------------------------------------------------


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_importing_the_same_file_twice_changes_nothing(client_for, bob, make_file):
    client = client_for(bob)
    rows = [good_row(1), without_nik(2), without_nik(3)]
    rows[2][3] = ""  # neither NIK nor date of birth: name and kelurahan only
    first = upload(client, make_file(rows))
    assert actions(first) == {2: "new", 3: "new", 4: "new"}
    commit(client, first)
    assert Cadre.objects.count() == 3
    roster, audits = snapshot(), AuditEvent.objects.count()

    again = upload(client, make_file(rows))
    assert actions(again) == {2: "unchanged", 3: "unchanged", 4: "unchanged"}
    assert again.context["unchanged_count"] == 3
    assert "token" not in again.context  # nothing to commit
    html = again.content.decode()
    assert 'data-testid="nothing-to-import"' in html
    assert 'data-testid="commit"' not in html
    assert snapshot() == roster
    assert AuditEvent.objects.count() == audits


def test_two_previews_of_the_same_file_committed_one_after_the_other_add_each_cadre_once(client_for, bob):
    """Two tabs, or a second upload before the first commit: the second commit finds the
    cadres the first one added and refuses, naming the lines."""
    client = client_for(bob)
    rows = [good_row(1), without_nik(2)]
    first, second = upload(client, csv_file(rows)), upload(client, csv_file(rows))
    commit(client, first)
    refused = commit(client, second)
    assert "Nothing was imported" in refused.content.decode()
    assert "2, 3" in refused.content.decode()
    assert Cadre.objects.count() == 2


def test_a_double_tap_on_the_button_saves_once(client_for, bob):
    client = client_for(bob)
    response = upload(client, csv_file([without_nik(1)]))
    commit(client, response)
    followed = commit(client, response)
    assert "no longer available" in followed.content.decode()
    assert Cadre.objects.count() == 1


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections and advisory locks need PostgreSQL"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_rows_committed_at_the_same_moment_add_each_cadre_once():
    f.ensure_regions()  # a transactional test starts without the migration's regions
    bob = f.PetugasFactory(username="bob_serentak")
    table = importer.read_table(csv_file([without_nik(n) for n in range(1, 6)]))
    rows = importer.check_table(table, user=bob).rows
    start = threading.Barrier(2)
    outcomes = []

    def commit_rows():
        try:
            start.wait()
            services.cadre_import(actor=bob, rows=[dict(r) for r in rows])
            outcomes.append("saved")
        except services.ImportConflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit_rows) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert Cadre.objects.count() == 5


# --- Matching -----------------------------------------------------------------------------------


def test_a_row_with_the_nik_of_a_cadre_updates_that_cadre_and_says_which_fields(client_for, bob):
    cadre = make_cadre(
        name="Kader Impor 1", nik=nik(1), birth_date=dt.date(1990, 3, 12), phone="0811", cohort=2019
    )
    row = good_row(1)
    row[4], row[5] = "081299998888", "Jl. Tanjung Raya II No. 4"
    response = upload(client_for(bob), csv_file([row, good_row(2)]))
    assert actions(response) == {2: "updated", 3: "new"}
    preview = response.context["good_rows"][0]
    assert preview["changed_labels"] == ["phone (WhatsApp)", "address"]
    html = response.content.decode()
    assert "phone (WhatsApp), address" in html
    assert (response.context["new_count"], response.context["updated_count"]) == (1, 1)

    commit(client_for(bob), response)
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.address) == ("081299998888", "Jl. Tanjung Raya II No. 4")
    assert Cadre.objects.count() == 2
    update = AuditEvent.objects.get(action="cadre.update", target_id=str(cadre.pk))
    assert update.details == {"fields": ["address", "phone"], "source": "import"}
    assert update.actor == bob
    summary = AuditEvent.objects.get(action="cadre.import")
    assert (summary.details["created"], summary.details["updated"], summary.details["unchanged"]) == (1, 1, 0)


def test_a_row_without_nik_is_the_cadre_of_the_same_name_birth_date_and_kelurahan(client_for, bob):
    same = make_cadre(name="Siti Aminah", birth_date=dt.date(1990, 3, 12), cohort=2019, address="Jl. Uji")
    row = without_nik(1, name="  siti   AMINAH ")
    other_day = without_nik(2, name="Siti Aminah")
    other_day[3] = "1991-03-12"
    elsewhere = without_nik(3, name="Siti Aminah", kelurahan="Siantan Hulu")
    response = upload(client_for(bob), csv_file([row, other_day, elsewhere]))
    assert actions(response) == {2: "updated", 3: "new", 4: "new"}
    assert response.context["good_rows"][0]["changes"] == ["name", "phone"]
    commit(client_for(bob), response)
    same.refresh_from_db()
    assert same.name == "siti AMINAH"  # the file's spelling, spaces tidied
    assert Cadre.objects.filter(name__iexact="siti aminah").count() == 3


def test_a_row_with_a_nik_fills_in_the_nik_of_the_same_person_without_one(client_for, bob):
    cadre = make_cadre(
        name="Kader Impor 1", birth_date=dt.date(1990, 3, 12), address="Jl. Uji", phone="081200000000"
    )
    response = upload(client_for(bob), csv_file([good_row(1)]))
    assert actions(response) == {2: "updated"}
    assert response.context["good_rows"][0]["changes"] == ["nik"]
    commit(client_for(bob), response)
    cadre.refresh_from_db()
    assert cadre.nik == nik(1)
    assert Cadre.objects.count() == 1


def test_a_person_with_another_nik_is_another_cadre(client_for, bob):
    make_cadre(name="Kader Impor 1", nik=nik(9), birth_date=dt.date(1990, 3, 12))
    response = upload(client_for(bob), csv_file([good_row(1)]))
    assert actions(response) == {2: "new"}


def test_a_blank_cell_keeps_what_the_roster_has(client_for, bob):
    cadre = make_cadre(
        name="Kader Impor 1",
        nik=nik(1),
        birth_date=dt.date(1990, 3, 12),
        phone="0811",
        address="Jl. Gajah Mada",
        status="tidak_aktif",
        cohort=2019,
    )
    row = ["Kader Impor 1", nik(1), "P", "", "", "", "Bansir Laut", "2019", ""]
    response = upload(client_for(bob), csv_file([row]))
    assert actions(response) == {2: "unchanged"}
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.address, cadre.status, cadre.birth_date) == (
        "0811",
        "Jl. Gajah Mada",
        "tidak_aktif",
        dt.date(1990, 3, 12),
    )


def test_a_new_cadre_with_a_blank_status_is_active(client_for, bob):
    row = good_row(1)
    row[8] = ""
    commit(client_for(bob), upload(client_for(bob), csv_file([row])))
    assert Cadre.objects.get().status == "aktif"


def test_several_cadres_of_the_same_name_birth_date_and_kelurahan_need_the_nik(client_for, bob):
    for _ in range(2):
        make_cadre(name="Kader Impor 1", birth_date=dt.date(1990, 3, 12))
    response = upload(client_for(bob), csv_file([without_nik(1)]))
    assert "add the NIK or the date of birth to say which one" in bad_lines(response)[2]
    assert "token" not in response.context


def test_a_blank_date_of_birth_finds_the_only_namesake_and_no_more(client_for, bob):
    cadre = make_cadre(name="Kader Impor 1", birth_date=dt.date(1990, 3, 12), cohort=2019)
    row = without_nik(1)
    row[3] = ""
    response = upload(client_for(bob), csv_file([row]))
    assert actions(response) == {2: "updated"}
    assert response.context["good_rows"][0]["cadre_id"] == cadre.pk
    make_cadre(name="Kader Impor 1", birth_date=dt.date(1985, 1, 1))
    response = upload(client_for(bob), csv_file([row]))
    assert "say which one" in bad_lines(response)[2]
    # With the date of birth the row is one of them again.
    response = upload(client_for(bob), csv_file([without_nik(1)]))
    assert response.context["good_rows"][0]["cadre_id"] == cadre.pk


def test_a_date_of_birth_fills_in_a_namesake_without_one(client_for, bob):
    cadre = make_cadre(name="Kader Impor 1", cohort=2019, address="Jl. Uji", phone="081200000000")
    response = upload(client_for(bob), csv_file([without_nik(1)]))
    assert actions(response) == {2: "updated"}
    assert response.context["good_rows"][0]["changes"] == ["birth_date"]
    commit(client_for(bob), response)
    cadre.refresh_from_db()
    assert cadre.birth_date == dt.date(1990, 3, 12)


def test_the_same_cadre_twice_in_a_file_is_reported_on_the_second_line(client_for, bob):
    response = upload(client_for(bob), csv_file([without_nik(1), without_nik(2, name="KADER impor 1")]))
    assert bad_lines(response) == {
        3: "The same cadre (name, date of birth and kelurahan) is already on line 2 of this file."
    }
    # Two namesakes told apart by their dates of birth, or by their NIKs, are two cadres.
    born_later = without_nik(2, name="Kader Impor 1")
    born_later[3] = "1995-01-01"
    namesake = good_row(3, name="Kader Impor 1")
    response = upload(client_for(bob), csv_file([good_row(1), born_later, namesake]))
    assert bad_lines(response) == {}
    assert actions(response) == {2: "new", 3: "new", 4: "new"}
    # A cadre on the roster named by two rows: the second is refused.
    make_cadre(name="Kader Impor 5", nik=nik(5))
    twice = without_nik(6, name="Kader Impor 5")
    twice[3] = ""
    response = upload(client_for(bob), csv_file([good_row(5), twice]))
    assert bad_lines(response) == {3: "This row is the same cadre as line 2 of this file."}


def test_a_cadre_outside_bellas_kecamatan_is_not_hers_to_update(client_for, bella):
    make_cadre(f.BANSIR_LAUT, name="Kader Tenggara", nik=nik(1))
    row = good_row(1, kelurahan="Siantan Hulu")
    response = upload(client_for(bella), csv_file([row]))
    assert bad_lines(response) == {
        2: "A cadre with this NIK is on the roster of a kelurahan outside your area."
    }


def test_an_import_moves_a_cadre_and_their_login_to_another_kelurahan(client_for, bob):
    login = f.KaderFactory(username="kader_pindah", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    cadre = make_cadre(name="Kader Impor 1", nik=nik(1), user=login)
    response = upload(client_for(bob), csv_file([good_row(1, kelurahan="Siantan Hulu")]))
    assert "kelurahan" in response.context["good_rows"][0]["changed_labels"]
    commit(client_for(bob), response)
    cadre.refresh_from_db()
    login.refresh_from_db()
    assert cadre.kelurahan.code == f.SIANTAN_HULU
    assert login.kelurahan.code == f.SIANTAN_HULU


def test_the_exported_roster_reads_back_unchanged(client_for, bob):
    make_cadre(
        name="Kader Ekspor", nik=nik(1), birth_date=dt.date(1990, 3, 12), phone="0811", address="Jl. Uji"
    )
    make_cadre(name="Tanpa NIK", status="berhenti", cohort=2017)
    client = client_for(bob)
    exported = client.get(reverse("cadres:export"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(client, SimpleUploadedFile("kader.xlsx", exported.content))
    assert set(actions(response).values()) == {"unchanged"}


def test_the_preview_says_new_updated_unchanged_in_indonesian(client, bob, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.force_login(bob)
    make_cadre(
        name="Kader Impor 1",
        nik=nik(1),
        birth_date=dt.date(1990, 3, 12),
        address="Jl. Uji",
        phone="081200000000",
        cohort=2019,
    )
    make_cadre(name="Kader Impor 2", nik=nik(2), cohort=2017)
    with translation.override("id"):
        response = upload(client, csv_file([good_row(1), good_row(2), good_row(3)]))
        labels = {row["line"]: str(row["action_label"]) for row in response.context["good_rows"]}
    assert labels == {2: "tidak berubah", 3: "diperbarui", 4: "baru"}
    html = response.content.decode()
    for word in ("tidak berubah", "diperbarui", "baru"):
        assert f">{word}</span>" in html


def test_the_check_costs_the_same_few_queries_for_many_rows(client_for, bob, django_assert_max_num_queries):
    for n in range(1, 40):
        make_cadre(name=f"Kader Impor {n}", nik=nik(n))
    table = importer.read_table(csv_file([good_row(n) for n in range(1, 200)]))
    with django_assert_max_num_queries(3):
        result = importer.check_table(table, user=bob)
    assert result.count("updated") == 39 and result.count("new") == 160


def test_the_header_helper_matches_the_importer():
    assert HEADER == list(importer.HEADERS)
