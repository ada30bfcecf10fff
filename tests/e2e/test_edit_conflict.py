"""Two petugas edit the same case in two browsers: the later save from the older form is
refused with the other's change shown, the typing kept, and nothing of the first save lost."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from tests import factories as f
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def test_the_second_of_two_editors_sees_the_first_ones_change_and_keeps_their_text(new_page):
    reporter = f.KaderFactory(username="kader_asal", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    case = f.make_case(
        actor=reporter,
        address="Jl. Lama No. 1",
        children=[services.ChildData(name="Rani Sintetis", sex="P", estimated_age=9)],
    )
    f.PetugasFactory(username="petugas_a", first_name="Ayu", last_name="Petugas")
    f.PetugasFactory(username="petugas_b", first_name="Bima", last_name="Petugas")
    a, b = new_page(viewport=DESKTOP), new_page(viewport=DESKTOP)
    login(a, "petugas_a")
    login(b, "petugas_b")
    b.goto(f"/kasus/{case.number}/ubah/")  # B opens the form first, and takes a while
    a.goto(f"/kasus/{case.number}/ubah/")

    field(a, "address").fill("Jl. Baru No. 9")
    field(a, "children-0-name").fill("Rani Koreksi")
    a.get_by_test_id("send").click()
    expect(a).to_have_url(re.compile(rf"/kasus/{case.number}/$"))

    field(b, "narrative").fill("Narasi baru dari B (data sintetis).")
    b.get_by_test_id("send").click()

    conflict = b.get_by_test_id("edit-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Ayu Petugas menyimpan laporan ini")
    expect(conflict).to_contain_text("Jl. Lama No. 1 → Jl. Baru No. 9")
    expect(conflict).to_contain_text("Rani Sintetis → Rani Koreksi")
    expect(field(b, "narrative")).to_have_value("Narasi baru dari B (data sintetis).")
    expect(field(b, "address")).to_have_value("Jl. Baru No. 9")
    case.refresh_from_db()
    assert case.address == "Jl. Baru No. 9"
    assert case.narrative != "Narasi baru dari B (data sintetis)."

    # B checks and saves again: both changes are kept.
    b.get_by_test_id("send").click()
    expect(b).to_have_url(re.compile(rf"/kasus/{case.number}/$"))
    case = Case.objects.get(pk=case.pk)
    assert (case.address, case.narrative) == ("Jl. Baru No. 9", "Narasi baru dari B (data sintetis).")
    assert case.children.get().person.name == "Rani Koreksi"


def test_logged_out_the_report_form_does_not_say_the_draft_is_on_the_server(new_page):
    kader = f.KaderFactory(username="kader_keluar", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    page.goto("/kasus/lapor/")
    status = page.locator("[data-draft-status]")
    field(page, "address").fill("Jl. Draf 1")
    expect(status).to_have_attribute("data-saved", "server", timeout=10_000)

    page.context.clear_cookies()  # the session is gone (expired, or logged out elsewhere)
    field(page, "address").fill("Jl. Draf 2")

    expect(status).to_have_attribute("data-saved", "local", timeout=10_000)
    page.wait_for_timeout(4000)  # the server save was tried (3 s after the input) and refused
    expect(status).to_have_attribute("data-saved", "local")
    expect(status).to_contain_text("belum di server")
