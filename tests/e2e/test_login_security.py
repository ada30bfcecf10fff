"""In a real Chromium: a petugas sets up two-step verification from the QR page's key and logs in
with a code; a kader locked out after wrong passwords sees why on the phone, and the admin unlocks
the account from SIGAP's own pages."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, label, login
from tests.e2e.test_content_security_policy import PolicyWatch
from tests.otp_helpers import code_for, key_from_typed

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_petugas_sets_up_two_step_verification_and_logs_in_with_it(new_page, settings):
    settings.SIGAP_REQUIRE_2FA = True
    f.PetugasFactory(username="petugas_2fa")
    page = new_page(viewport=PHONE)
    watch = PolicyWatch(page)
    login(page, "petugas_2fa")
    # Straight from the password to the set-up: nothing else is reachable before it.
    expect(page).to_have_url(re.compile(r"/akun/keamanan/pasang/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pasang verifikasi dua langkah")
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    page.goto("/kasus/")
    expect(page).to_have_url(re.compile(r"/akun/keamanan/pasang/"))
    page.get_by_text("Tidak bisa memindai? Ketik kunci ini").click()
    key = key_from_typed(page.get_by_test_id("otp-key").inner_text())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "two-step-setup-phone.png"), full_page=True)
    page.get_by_label(label("Kode dari aplikasi autentikator")).fill(code_for(key))
    page.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="Kode sudah saya simpan: lanjutkan").click()
    expect(page).to_have_url(re.compile(r"/kasus/$"))

    page.wait_for_load_state("networkidle")  # Bootstrap's script runs the menus
    page.locator(".navbar-toggler").click()  # the phone's collapsed menu
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()
    login(page, "petugas_2fa")
    expect(page).to_have_url(re.compile(r"/akun/masuk/kode/"))
    page.get_by_label(label("Kode dari aplikasi autentikator")).fill("000000")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Kode itu salah")
    page.wait_for_timeout(1100)  # the wait after one wrong code
    page.get_by_label(label("Kode dari aplikasi autentikator")).fill(code_for(key, steps_ahead=1))
    page.get_by_role("button", name="Verifikasi").click()
    expect(page).to_have_url(re.compile(r"/beranda/petugas/$"))
    watch.assert_clean()


def test_a_locked_out_kader_is_told_why_and_the_admin_unlocks_the_account(new_page):
    f.KaderFactory(username="kader_kunci", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    f.AdminFactory(username="admin_kunci")
    phone = new_page(viewport=PHONE)
    for _ in range(4):
        login(phone, "kader_kunci", "salah-sekali-123")
        expect(phone.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()
    login(phone, "kader_kunci", "salah-sekali-123")  # the fifth locks
    expect(phone.get_by_role("heading", level=1)).to_have_text("Masuk dikunci sementara")
    login(phone, "kader_kunci")  # the right password, too late
    expect(phone.get_by_role("heading", level=1)).to_have_text("Masuk dikunci sementara")
    expect(phone.get_by_test_id("lockout-message")).to_contain_text("dikunci selama 15 menit")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "login-locked-phone.png"), full_page=True)

    desk = new_page(viewport=DESKTOP)
    login(desk, "admin_kunci")
    desk.get_by_test_id("failed-logins-link").click()
    row = desk.locator('[data-testid=failed-login-row][data-username="kader_kunci"]')
    expect(row).to_contain_text("Terkunci")
    row.get_by_role("button", name="Buka kunci").click()
    expect(desk.locator(".alert-success")).to_contain_text("kader_kunci dapat masuk lagi")

    login(phone, "kader_kunci")
    expect(phone).to_have_url(re.compile(r"/beranda/kader/$"))
