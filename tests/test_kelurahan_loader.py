"""kelurahan.loader and `manage.py load_wilayah`: Pontianak's official regions, another city's list,
and all-or-nothing checking of bad rows."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kelurahan import loader
from kelurahan.models import Kecamatan, Kelurahan

HEADER = "kecamatan_code,kecamatan_name,kelurahan_code,kelurahan_name,postal_code,latitude,longitude"
CROSSWALK_HEADER = "level,kemendagri_code,bps_code,bps_name,latitude,longitude"

# A synthetic city (code 61.72): two kecamatan, three kelurahan.
OTHER_CITY = [
    "61.72.01,Contoh Barat,61.72.01.1001,Sukamaju,79111,0.905000,108.985000",
    "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,79112,0.910000,108.990000",
    "61.72.02,Contoh Timur,61.72.02.1001,Kampungbaru,,0.920000,109.000000",
]
OTHER_CROSSWALK = [
    "kecamatan,61.72.01,6172010,CONTOH BARAT,0.907000,108.987000",
    "kelurahan,61.72.01.1002,6172010002,TANJUNG SARI,,",
]


@pytest.fixture(autouse=True)
def in_english():
    """Assert on the English msgids, whatever the state of the Indonesian catalogue."""
    with translation.override("en"):
        yield


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot():
    """Everything the loader could change, to compare before and after."""
    return (
        list(Kecamatan.objects.order_by("code").values()),
        list(Kelurahan.objects.order_by("code").values()),
    )


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("load_wilayah", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- Pontianak after migrate --------------------------------------------------------------------


def test_it_holds_the_6_kecamatan_and_29_kelurahan_of_pontianak_after_migrate(db):
    assert Kecamatan.objects.count() == 6
    assert Kelurahan.objects.count() == 29
    assert list(Kecamatan.objects.order_by("code").values_list("code", "name")) == [
        ("61.71.01", "Pontianak Selatan"),
        ("61.71.02", "Pontianak Timur"),
        ("61.71.03", "Pontianak Barat"),
        ("61.71.04", "Pontianak Utara"),
        ("61.71.05", "Pontianak Kota"),
        ("61.71.06", "Pontianak Tenggara"),
    ]
    per_kecamatan = {k.code: k.kelurahan_set.count() for k in Kecamatan.objects.all()}
    assert per_kecamatan == {
        "61.71.01": 5,
        "61.71.02": 7,
        "61.71.03": 4,
        "61.71.04": 4,
        "61.71.05": 5,
        "61.71.06": 4,
    }


def test_it_carries_the_kemendagri_code_of_bansir_laut_in_pontianak_tenggara(db):
    bansir_laut = Kelurahan.objects.select_related("kecamatan").get(code="61.71.06.1001")
    assert bansir_laut.name == "Bansir Laut"
    assert bansir_laut.common_name == "Bansir Laut"
    assert bansir_laut.kecamatan.code == "61.71.06"
    assert bansir_laut.kecamatan.name == "Pontianak Tenggara"
    assert bansir_laut.postal_code == "78124"
    assert bansir_laut.bps_code == "6171011003"
    assert bansir_laut.latitude == Decimal("-0.055325")
    assert bansir_laut.longitude == Decimal("109.348657")
    assert not bansir_laut.has_other_official_name


def test_it_keeps_the_official_and_the_everyday_spelling(db):
    parit_tokaya = Kelurahan.objects.get(code="61.71.01.1004")
    assert parit_tokaya.name == "Parittokaya"
    assert parit_tokaya.common_name == "Parit Tokaya"
    assert parit_tokaya.has_other_official_name
    assert str(parit_tokaya) == "Parit Tokaya"
    assert parit_tokaya.kecamatan.code == "61.71.01"
    assert parit_tokaya.kecamatan.common_name == "Pontianak Selatan"


def test_it_gives_every_kecamatan_its_bps_code_and_centroid(db):
    selatan = Kecamatan.objects.get(code="61.71.01")
    assert selatan.bps_code == "6171010"
    assert selatan.latitude == Decimal("-0.055736")
    assert not Kecamatan.objects.filter(bps_code="").exists()
    assert not Kelurahan.objects.filter(bps_code="").exists()
    assert not Kelurahan.objects.filter(latitude__isnull=True).exists()


def test_it_puts_every_kelurahan_code_under_its_kecamatan_code(db):
    for kel in Kelurahan.objects.select_related("kecamatan"):
        assert kel.code.startswith(kel.kecamatan.code + ".")


# --- Loading again, refreshing ------------------------------------------------------------------


def test_it_changes_nothing_when_the_shipped_files_are_loaded_again(db):
    before = snapshot()
    result = loader.apply(
        loader.parse_files(loader.PONTIANAK_WILAYAH, loader.PONTIANAK_CROSSWALK),
        kecamatan_model=Kecamatan,
        kelurahan_model=Kelurahan,
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 35)
    assert snapshot() == before


def test_it_reports_0_created_0_updated_through_the_command(db):
    before = snapshot()
    out, err = run(loader.PONTIANAK_WILAYAH, "--crosswalk", loader.PONTIANAK_CROSSWALK)
    assert "6 kecamatan and 29 kelurahan loaded: 0 created, 0 updated, 35 unchanged." in out
    assert err == ""
    assert snapshot() == before


def test_it_restores_a_changed_row_from_the_file(db):
    Kelurahan.objects.filter(code="61.71.01.1004").update(common_name="Salah Eja", postal_code="")
    out, _err = run(loader.PONTIANAK_WILAYAH, "--crosswalk", loader.PONTIANAK_CROSSWALK)
    assert "0 created, 1 updated, 34 unchanged" in out
    kel = Kelurahan.objects.get(code="61.71.01.1004")
    assert (kel.common_name, kel.postal_code) == ("Parit Tokaya", "78121")


# --- Another city -------------------------------------------------------------------------------


def test_it_loads_another_citys_list_beside_pontianak(tmp_path, db):
    path = write(tmp_path, "kota_contoh.csv", csv_text(*OTHER_CITY))
    out, _err = run(path)
    assert "2 kecamatan and 3 kelurahan loaded: 5 created, 0 updated, 0 unchanged." in out
    assert Kecamatan.objects.count() == 8
    assert Kelurahan.objects.count() == 32
    kel = Kelurahan.objects.select_related("kecamatan").get(code="61.72.01.1002")
    assert (kel.name, kel.common_name, kel.kecamatan.code, kel.postal_code) == (
        "Tanjungsari",
        "Tanjungsari",
        "61.72.01",
        "79112",
    )
    assert kel.latitude == Decimal("0.910000")
    assert Kelurahan.objects.get(code="61.72.02.1001").postal_code == ""
    assert Kelurahan.objects.filter(code__startswith="61.71.").count() == 29


def test_it_takes_bps_codes_and_everyday_names_from_another_citys_crosswalk(tmp_path, db):
    wilayah = write(tmp_path, "kota_contoh.csv", csv_text(*OTHER_CITY))
    crosswalk = write(
        tmp_path, "kota_contoh_crosswalk.csv", csv_text(*OTHER_CROSSWALK, header=CROSSWALK_HEADER)
    )
    run(wilayah, "--crosswalk", crosswalk)
    kel = Kelurahan.objects.get(code="61.72.01.1002")
    assert (kel.name, kel.common_name, kel.bps_code) == ("Tanjungsari", "Tanjung Sari", "6172010002")
    kec = Kecamatan.objects.get(code="61.72.01")
    assert (kec.common_name, kec.bps_code, kec.latitude) == ("Contoh Barat", "6172010", Decimal("0.907000"))
    # Loading again is idempotent for this city too.
    out, _err = run(wilayah, "--crosswalk", crosswalk)
    assert "0 created, 0 updated, 5 unchanged" in out


def test_it_reads_a_file_with_a_byte_order_mark_and_spaces_in_the_header(tmp_path, db):
    text = "\ufeff" + csv_text(*OTHER_CITY, header=HEADER.replace(",", ", "))
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    run(path)
    assert Kelurahan.objects.filter(code__startswith="61.72.").count() == 3


def test_it_checks_and_changes_nothing_on_a_dry_run(tmp_path, db):
    path = write(tmp_path, "kota_contoh.csv", csv_text(*OTHER_CITY))
    before = snapshot()
    out, _err = run(path, "--dry-run")
    assert "2 kecamatan, 3 kelurahan" in out
    assert "Nothing was changed" in out
    assert snapshot() == before


def test_it_still_reports_bad_rows_on_a_dry_run(tmp_path, db):
    path = write(
        tmp_path, "buruk.csv", csv_text(OTHER_CITY[0], "61.72.01,Contoh Barat,61.72.01.10X,Buruk,,,")
    )
    with pytest.raises(CommandError, match="1 bad row"):
        run(path, "--dry-run")


# --- Bad rows: each reported with its line, nothing changed -------------------------------------

GOOD = OTHER_CITY[0]  # line 2 of every file below

BAD_ROWS = {
    "malformed kelurahan code": (
        "61.72.01,Contoh Barat,61.72.01.001,Tanjungsari,79112,0.91,108.99",
        "kelurahan code '61.72.01.001' is not of the form",
    ),
    "malformed kecamatan code": (
        "61.7201,Contoh Barat,61.72.01.1002,Tanjungsari,79112,0.91,108.99",
        "kecamatan code '61.7201' is not of the form",
    ),
    "kelurahan not under its kecamatan": (
        "61.72.01,Contoh Barat,61.72.02.1002,Tanjungsari,79112,0.91,108.99",
        "kelurahan code 61.72.02.1002 does not belong to kecamatan 61.72.01",
    ),
    "duplicate code": (
        "61.72.01,Contoh Barat,61.72.01.1001,Sukamaju Lagi,79112,0.91,108.99",
        "kelurahan code 61.72.01.1001 appears twice",
    ),
    "postal code of four digits": (
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,7911,0.91,108.99",
        "postal code '7911' is not five digits",
    ),
    "postal code with a letter": (
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,7911a,0.91,108.99",
        "postal code '7911a' is not five digits",
    ),
    "latitude that is not a number": (
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,79112,nol koma sembilan,108.99",
        "coordinate 'nol koma sembilan' is not a valid latitude/longitude",
    ),
    "latitude out of range": (
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,79112,-91,108.99",
        "coordinate '-91' is not a valid latitude/longitude",
    ),
    "longitude out of range": (
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,79112,0.91,180.5",
        "coordinate '180.5' is not a valid latitude/longitude",
    ),
    "mixed city prefix": (
        "61.73.01,Contoh Lain,61.73.01.1001,Tanjungsari,79112,0.91,108.99",
        "code 61.73.01 is of another city than 61.72",
    ),
    "empty kelurahan name": (
        "61.72.01,Contoh Barat,61.72.01.1002,,79112,0.91,108.99",
        "kelurahan name is empty",
    ),
    "kecamatan renamed within the file": (
        "61.72.01,Contoh Barat Daya,61.72.01.1002,Tanjungsari,79112,0.91,108.99",
        "kecamatan 61.72.01 is named 'Contoh Barat Daya' here but 'Contoh Barat' above",
    ),
    "kecamatan name too long for the database": (
        "61.72.01," + "Contoh Barat" * 9 + ",61.72.01.1002,Tanjungsari,79112,0.91,108.99",
        "kecamatan name is longer than 100 characters",
    ),
    "kelurahan name too long for the database": (
        "61.72.01,Contoh Barat,61.72.01.1002," + "Tanjungsari" * 10 + ",79112,0.91,108.99",
        "kelurahan name is longer than 100 characters",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_it_reports_a_bad_row_with_its_line_and_changes_nothing(tmp_path, db, case):
    bad, message = BAD_ROWS[case]
    path = write(tmp_path, "kota_contoh.csv", csv_text(GOOD, bad))
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 bad row\(s\); nothing was changed"):
        call_command("load_wilayah", str(path), stdout=StringIO(), stderr=err)
    assert f"kota_contoh.csv line 3: {message}" in err.getvalue()
    assert snapshot() == before
    assert not Kecamatan.objects.filter(code__startswith="61.72.").exists()


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_it_raises_one_error_per_bad_row_from_parse(case):
    bad, message = BAD_ROWS[case]
    with pytest.raises(loader.WilayahError) as excinfo:
        loader.parse(csv_text(GOOD, bad), wilayah_name="kota.csv")
    assert [(e.file, e.line) for e in excinfo.value.errors] == [("kota.csv", 3)]
    assert message in excinfo.value.errors[0].message


def test_it_changes_nothing_when_good_rows_precede_and_follow_the_bad_one(tmp_path, db):
    rows = [*OTHER_CITY[:2], "61.72.02,Contoh Timur,61.72.02.1002,Kampunglama,999,,", *OTHER_CITY[2:]]
    path = write(tmp_path, "kota_contoh.csv", csv_text(*rows))
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_wilayah", str(path), stdout=StringIO(), stderr=err)
    assert "kota_contoh.csv line 4: postal code '999' is not five digits" in err.getvalue()
    assert snapshot() == before


def test_it_reports_every_bad_row_at_once_in_line_order(tmp_path, db):
    rows = [
        GOOD,
        "61.72.01,Contoh Barat,61.72.01.1002,Tanjungsari,1,0.91,108.99",
        "61.72.01,Contoh Barat,61.72.01.1003,Sukadamai,79113,0.91,108.99",
        "61.72.01,Contoh Barat,61.72.01.1004,Sukarame,79114,x,108.99",
    ]
    path = write(tmp_path, "kota_contoh.csv", csv_text(*rows))
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 bad row\(s\)"):
        call_command("load_wilayah", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["kota_contoh.csv line 3", "kota_contoh.csv line 5"]


def test_it_reports_a_missing_column_on_line_1(tmp_path, db):
    header = HEADER.replace(",postal_code", "")
    rows = [r.replace(",79111", "").replace(",79112", "").replace(",,", ",") for r in OTHER_CITY]
    path = write(tmp_path, "kota_contoh.csv", csv_text(*rows, header=header))
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_wilayah", str(path), stdout=StringIO(), stderr=err)
    assert "kota_contoh.csv line 1: missing column(s): postal_code" in err.getvalue()
    assert snapshot() == before


def test_it_reports_a_file_without_rows(tmp_path, db):
    path = write(tmp_path, "kosong.csv", csv_text())
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_wilayah", str(path), stdout=StringIO(), stderr=err)
    assert "kosong.csv line 1: the file has no rows" in err.getvalue()


def test_it_reports_a_crosswalk_code_that_is_not_in_the_list(tmp_path, db):
    wilayah = write(tmp_path, "kota_contoh.csv", csv_text(*OTHER_CITY))
    crosswalk = write(
        tmp_path,
        "silang.csv",
        csv_text(
            OTHER_CROSSWALK[0], "kelurahan,61.72.01.1009,6172010009,ENTAH DI MANA,,", header=CROSSWALK_HEADER
        ),
    )
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 bad row"):
        call_command(
            "load_wilayah", str(wilayah), "--crosswalk", str(crosswalk), stdout=StringIO(), stderr=err
        )
    assert "silang.csv line 3: code 61.72.01.1009 is not in the region list" in err.getvalue()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("kelurahan,61.72.01.1001,61720,SUKAMAJU,,", "BPS code '61720' is not 10 digits"),
        ("kecamatan,61.72.01,61720100,CONTOH BARAT,,", "BPS code '61720100' is not 7 digits"),
        ("desa,61.72.01.1001,6172010001,SUKAMAJU,,", "level 'desa' is neither kecamatan nor kelurahan"),
        (
            "kecamatan,61.72.01,6172010,CONTOH BARAT,91,108",
            "coordinate '91' is not a valid latitude/longitude",
        ),
    ],
)
def test_it_reports_other_bad_crosswalk_rows(tmp_path, db, row, message):
    wilayah = write(tmp_path, "kota_contoh.csv", csv_text(*OTHER_CITY))
    crosswalk = write(tmp_path, "silang.csv", csv_text(row, header=CROSSWALK_HEADER))
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "load_wilayah", str(wilayah), "--crosswalk", str(crosswalk), stdout=StringIO(), stderr=err
        )
    assert f"silang.csv line 2: {message}" in err.getvalue()
    assert snapshot() == before


def test_it_refuses_a_file_that_does_not_exist(tmp_path, db):
    with pytest.raises(CommandError, match="File not found"):
        run(tmp_path / "tidak_ada.csv")


def test_it_refuses_a_file_that_is_not_utf8(tmp_path, db):
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text("61.72.01,Contoh Barat,61.72.01.1001,Suka\xe9maju,79111,,").encode("latin-1"))
    before = snapshot()
    with pytest.raises(CommandError, match=r"latin1\.csv is not UTF-8 text"):
        run(path)
    assert snapshot() == before


def test_it_rolls_back_every_row_when_the_database_refuses_one(db, monkeypatch):
    wilayah = loader.parse(csv_text(*OTHER_CITY))
    real_create = Kelurahan.objects.create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(Kelurahan.objects, "create", create_then_fail)
    before = snapshot()
    with pytest.raises(RuntimeError):
        loader.apply(wilayah, kecamatan_model=Kecamatan, kelurahan_model=Kelurahan)
    assert snapshot() == before
