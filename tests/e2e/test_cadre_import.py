"""A petugas imports a roster with errors, fixes the file, uploads it again and commits it."""

import csv
import io

import pytest
from playwright.sync_api import expect

from cadres.models import Cadre
from tests import factories as f
from tests.e2e.conftest import DESKTOP, login

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [
    "nama",
    "nik",
    "jenis_kelamin",
    "tanggal_lahir",
    "telepon",
    "alamat",
    "kelurahan",
    "angkatan",
    "status",
]


def roster_csv(rows) -> dict:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return {"name": "kader.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode("utf-8")}


def rows(*, kelurahan_3: str, cohort_5: str) -> list[list]:
    return [
        [
            "Ayu Lestari",
            "6171065203900001",
            "P",
            "1990-03-12",
            "081200000001",
            "Jl. Uji 1",
            "Bansir Laut",
            "2017",
            "aktif",
        ],
        [
            "Budi Santoso",
            "6171061203900002",
            "L",
            "12/03/1990",
            "081200000002",
            "",
            kelurahan_3,
            "2018",
            "aktif",
        ],
        ["Citra Dewi", "6171065203900003", "P", "", "", "", "61.71.01.1004", "2019", "tidak aktif"],
        ["Dina Marlina", "6171065203900004", "P", "", "", "", "Parittokaya", cohort_5, "aktif"],
    ]


def test_a_petugas_imports_a_roster_with_errors_fixes_it_and_commits(new_page):
    f.PetugasFactory(username="petugas_impor")
    page = new_page(viewport=DESKTOP)
    login(page, "petugas_impor")
    page.goto("/kader/")
    page.get_by_test_id("import-link").click()

    # Two bad lines: an unknown kelurahan on line 3, a cohort before 2017 on line 5.
    page.locator("[name=file]").set_input_files(roster_csv(rows(kelurahan_3="Atlantis", cohort_5="2010")))
    page.get_by_test_id("upload").click()
    bad = page.get_by_test_id("bad-row")
    expect(bad).to_have_count(2)
    expect(page.locator('[data-testid=bad-row][data-line="3"] th')).to_have_text("3")
    expect(page.locator('[data-testid=bad-row][data-line="3"] [data-testid=reason]')).to_contain_text(
        "Atlantis"
    )
    expect(page.locator('[data-testid=bad-row][data-line="5"] th')).to_have_text("5")
    expect(page.locator('[data-testid=bad-row][data-line="5"] [data-testid=reason]')).to_contain_text("2010")
    expect(page.get_by_test_id("good-count")).to_have_attribute("data-count", "2")
    expect(page.get_by_test_id("commit")).to_have_count(0)
    assert not Cadre.objects.exists()

    # Fixed: the everyday spelling of a kelurahan, a real cohort.
    page.locator("[name=file]").set_input_files(roster_csv(rows(kelurahan_3="Parit Tokaya", cohort_5="2022")))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("bad-row")).to_have_count(0)
    expect(page.get_by_test_id("good-count")).to_have_attribute("data-count", "4")
    page.get_by_test_id("commit").click()

    expect(page).to_have_url(f"{page.url.split('/kader/')[0]}/kader/")
    table = page.get_by_test_id("cadre-table")
    for name in ("Ayu Lestari", "Budi Santoso", "Citra Dewi", "Dina Marlina"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    assert Cadre.objects.count() == 4
    assert Cadre.objects.get(name="Budi Santoso").kelurahan.code == "61.71.01.1004"

    # The same file again: every row is on the roster already; nothing to commit.
    page.goto("/kader/impor/")
    fixed = rows(kelurahan_3="Parit Tokaya", cohort_5="2022")
    page.locator("[name=file]").set_input_files(roster_csv(fixed))
    page.get_by_test_id("upload").click()
    actions = page.get_by_test_id("row-action")
    expect(actions).to_have_count(4)
    for i in range(4):
        expect(actions.nth(i)).to_have_text("tidak berubah")
    expect(page.get_by_test_id("nothing-to-import")).to_be_visible()
    expect(page.get_by_test_id("commit")).to_have_count(0)

    # A new phone number for one cadre and a new cadre: "diperbarui" and "baru".
    fixed[0][4] = "081299990000"
    fixed.append(["Eka Putri", "", "P", "", "", "", "Bansir Laut", "2022", ""])
    page.locator("[name=file]").set_input_files(roster_csv(fixed))
    page.get_by_test_id("upload").click()
    first = page.locator('[data-testid=good-row][data-line="2"]')
    expect(first.get_by_test_id("row-action")).to_have_text("diperbarui")
    expect(first.get_by_test_id("changed-fields")).to_have_text("telepon (WhatsApp)")
    expect(page.locator('[data-testid=good-row][data-line="6"]').get_by_test_id("row-action")).to_have_text(
        "baru"
    )
    page.get_by_test_id("commit").click()
    expect(page).to_have_url(f"{page.url.split('/kader/')[0]}/kader/")
    assert Cadre.objects.count() == 5
    assert Cadre.objects.get(name="Ayu Lestari").phone == "081299990000"
