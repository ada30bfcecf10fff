"""Each role logs in and lands on its own start page; the admin manages users; staff see the map."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import AuditEvent, Role, User
from cadres.models import Cadre
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, label, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("factory", "extra", "viewport", "path", "heading"),
    [
        (f.AdminFactory, {}, DESKTOP, "/akun/pengguna/", "Pengguna"),
        (f.PetugasFactory, {}, DESKTOP, "/beranda/petugas/", "Selamat datang"),
        (f.KaderFactory, {}, PHONE, "/beranda/kader/", "Halo"),
        (f.KpadFactory, {}, DESKTOP, "/beranda/kpad/", "Selamat datang"),
    ],
    ids=["admin", "petugas", "kader-phone", "kpad"],
)
def test_each_role_lands_on_its_start_page(new_page, factory, extra, viewport, path, heading):
    user = factory(username="pengguna_uji", **extra)
    page = new_page(viewport=viewport)
    login(page, user.username)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    if viewport is PHONE:
        # Nothing wider than the phone: no sideways scrolling on a small screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.get_by_test_id("area")).to_contain_text("Bansir Laut")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "kader-start-phone.png"), full_page=True)


def test_a_wrong_password_is_refused_in_indonesian(new_page):
    f.PetugasFactory(username="petugas_uji")
    page = new_page()
    login(page, "petugas_uji", "salah-sekali")
    expect(page.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_contain_text("benar")
    expect(page.get_by_label(label("Nama pengguna"))).to_have_value("petugas_uji")


def test_the_kader_cannot_open_the_user_pages(new_page):
    f.KaderFactory(username="kader_uji")
    page = new_page(viewport=PHONE)
    login(page, "kader_uji")
    response = page.goto("/akun/pengguna/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("403")
    # The menu offers only what the kader may use.
    page.goto("/")
    page.get_by_role("button", name="Tampilkan menu").click()
    expect(page.get_by_role("link", name="Pengguna")).to_have_count(0)


def test_the_admin_creates_a_kader_account_and_fixes_a_missing_kelurahan(new_page):
    admin = f.AdminFactory(username="admin_uji")
    # The cadre is on the roster already (an older import); the account is linked to that entry.
    on_roster = Cadre.objects.create(
        name="Nur Aini", sex="P", cohort=2019, kelurahan=f.kelurahan(f.BANSIR_LAUT), nik="6171054507900001"
    )
    page = new_page()
    login(page, admin.username)
    page.get_by_role("link", name="Pengguna baru").click()
    page.get_by_label(label("Nama pengguna")).fill("kader_baru")
    page.get_by_label(label("Nama depan")).fill("Nur")
    page.get_by_label(label("Nama belakang")).fill("Aini")
    page.get_by_label(label("Peran")).select_option("kader")
    page.get_by_label(label("Kata sandi")).fill("Pontianak-aman-77")
    page.get_by_label(label("Kata sandi sekali lagi")).fill("Pontianak-aman-77")
    page.get_by_role("button", name="Simpan").click()

    # Without a kelurahan the form comes back with the message at the field and the typed values kept.
    expect(page.locator("#div_id_kelurahan .invalid-feedback")).to_contain_text("kelurahan")
    expect(page.get_by_label(label("Nama depan"))).to_have_value("Nur")
    assert not User.objects.filter(username="kader_baru").exists()

    page.get_by_label(label("Kelurahan")).select_option(label="Bansir Laut — Pontianak Tenggara")
    page.get_by_label(label("NIK kader")).fill("6171054507900001")
    page.get_by_label(label("Kata sandi")).fill("Pontianak-aman-77")
    page.get_by_label(label("Kata sandi sekali lagi")).fill("Pontianak-aman-77")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_contain_text("kader_baru")

    kader = User.objects.get(username="kader_baru")
    assert kader.role == Role.KADER and kader.kelurahan.code == f.BANSIR_LAUT
    assert AuditEvent.objects.filter(action="user.create", target_id=str(kader.pk), actor=admin).exists()
    on_roster.refresh_from_db()
    assert on_roster.user == kader
    row = page.locator("tr", has_text="kader_baru")
    expect(row.get_by_test_id("roster-entry")).to_have_text("Nur Aini")

    # The audit log reads as labels, filtered by choosing an action.
    page.goto("/akun/audit/")
    page.get_by_label(label("Tindakan")).select_option(label="Akun kader dihubungkan dengan daftar kader")
    page.get_by_role("button", name="Saring").click()
    expect(page.get_by_test_id("audit-action")).to_have_text(["Akun kader dihubungkan dengan daftar kader"])
    expect(page.get_by_test_id("audit-details")).to_contain_text("Dicocokkan lewat: NIK")

    # The new kader can log in on a phone and lands on the kader start page.
    phone = new_page(viewport=PHONE)
    login(phone, "kader_baru", "Pontianak-aman-77")
    expect(phone).to_have_url(re.compile(r"/beranda/kader/$"))


def test_staff_see_the_29_kelurahan_on_the_map(new_page):
    f.PetugasFactory(username="petugas_peta")
    page = new_page()
    login(page, "petugas_peta")
    page.get_by_role("link", name="Wilayah", exact=True).click()
    expect(page.locator("#kelurahan-map")).to_have_attribute("data-loaded", "29")
    expect(page.locator("tr[data-code]")).to_have_count(29)
    expect(page.locator("path.leaflet-interactive")).to_have_count(29)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "regions-map.png"), full_page=True)


def test_the_language_can_be_switched_to_english(new_page):
    f.KpadFactory(username="kpad_uji")
    page = new_page()
    login(page, "kpad_uji")
    page.get_by_label(label("Bahasa")).select_option("en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("html")).to_have_attribute("lang", "en")
