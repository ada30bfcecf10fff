"""The kader's phone offline: pages open from the device, what is sent waits in the outbox and
arrives exactly once when the connection returns; nothing stays after logout."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, CaseEvent
from tests import factories as f
from tests.e2e.conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def wait_for_worker(page) -> None:
    """The service worker is installed and controls the page."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000
    )


def outbox_size(page, user_pk: int) -> int:
    return page.evaluate(
        """uid => new Promise(resolve => {
            const req = indexedDB.open('sigap-outbox-' + uid, 1);
            req.onupgradeneeded = () => req.result.createObjectStore('items', {keyPath: 'id'});
            req.onsuccess = () => {
                const t = req.result.transaction('items', 'readonly').objectStore('items').count();
                t.onsuccess = () => { resolve(t.result); req.result.close(); };
            };
        })""",
        user_pk,
    )


def notes(case) -> list[str]:
    return list(case.events.filter(kind=CaseEvent.Kind.NOTE).values_list("note", flat=True))


def fill_report(page) -> None:
    field(page, "incident_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    field(page, "place_type").select_option("rumah_tangga")
    field(page, "address").fill("Gg. Luring No. 1")
    page.locator("input[name=violence_types][value=fisik]").check()
    field(page, "risk").select_option("sedang")
    page.get_by_test_id("step-next").click()
    field(page, "children-0-name").fill("Anak Luring")
    field(page, "children-0-sex").select_option("P")
    field(page, "children-0-estimated_age").fill("9")
    page.get_by_test_id("step-next").click()
    page.get_by_test_id("step-next").click()
    field(page, "narrative").fill("Dilaporkan tanpa sinyal (data sintetis).")
    page.get_by_test_id("send").click()


def test_a_report_and_a_note_sent_offline_arrive_exactly_once(new_page):
    kader = f.KaderFactory(username="kader_luring")
    case = f.make_case(actor=kader)
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    wait_for_worker(page)
    # Online once: the pages are kept on the phone as they are opened.
    page.goto("/kasus/lapor/")
    page.goto(f"/kasus/{case.number}/")
    expect(page.get_by_test_id("form-note")).to_be_attached()

    page.context.set_offline(True)
    page.goto("/kasus/lapor/")
    expect(page.get_by_test_id("offline-note")).to_be_visible()
    expect(page.get_by_test_id("offline-note")).to_contain_text("terakhir diperbarui")
    fill_report(page)
    expect(page.get_by_test_id("outbox-flash")).to_be_visible()
    expect(page.get_by_test_id("outbox-count")).to_contain_text("1")

    page.goto(f"/kasus/{case.number}/")
    expect(page.get_by_test_id("offline-note")).to_be_visible()
    page.get_by_text("Tambah catatan").click()
    field(page, "note-note").fill("Kunjungan tertunda, tidak ada sinyal.")
    page.get_by_test_id("form-note").locator("button[type=submit]").click()
    expect(page.get_by_test_id("outbox-count")).to_contain_text("2")

    page.reload()  # still offline: the page comes from the phone, the outbox is still there
    expect(page.get_by_test_id("offline-note")).to_be_visible()
    expect(page.get_by_test_id("outbox-count")).to_contain_text("2")
    assert Case.objects.count() == 1 and notes(case) == []

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("outbox")).to_be_hidden(timeout=20_000)
    assert outbox_size(page, kader.pk) == 0
    assert Case.objects.count() == 2
    new_case = Case.objects.exclude(pk=case.pk).get()
    assert list(new_case.children.values_list("person__name", flat=True)) == ["Anak Luring"]
    assert notes(case) == ["Kunjungan tertunda, tidak ada sinyal."]

    # A reload online sends nothing again.
    page.goto("/beranda/kader/")
    page.wait_for_timeout(1500)
    assert Case.objects.count() == 2 and len(notes(case)) == 1

    # Logout leaves no draft, no outbox and no kept page on the phone.
    page.goto("/kasus/lapor/")
    field(page, "address").fill("Draf yang harus hilang")
    page.wait_for_function(f"() => localStorage.getItem('sigap-intake-draft-{kader.pk}') !== null")
    page.get_by_role("button", name="Tampilkan menu").click()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/akun/masuk/"))
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('sigap-pages-')).length)") == 0
    assert (
        page.evaluate(
            "indexedDB.databases().then(d => d.filter(x => x.name.startsWith('sigap-outbox-')).length)"
        )
        == 0
    )


def test_a_note_refused_because_the_case_closed_comes_back_with_the_reason_and_the_text(new_page):
    kader = f.KaderFactory(username="kader_tolak")
    petugas = f.PetugasFactory(username="petugas_tutup")
    case = f.make_case(actor=kader)
    page = new_page(viewport=PHONE)
    login(page, kader.username)
    wait_for_worker(page)
    page.goto(f"/kasus/{case.number}/")
    page.context.set_offline(True)
    page.reload()
    page.get_by_text("Tambah catatan").click()
    field(page, "note-note").fill("Catatan yang terlambat.")
    page.get_by_test_id("form-note").locator("button[type=submit]").click()
    expect(page.get_by_test_id("outbox-count")).to_contain_text("1")

    services.case_change_status(
        actor=petugas, case=case, to="ditutup", note="Duplikat.", closure_reason="duplikat"
    )

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.get_by_test_id("outbox-refused")
    expect(refused).to_be_visible(timeout=20_000)
    expect(refused).to_contain_text("Catatan yang terlambat.")
    assert notes(case) == []
    # The text goes back into the form, as typed.
    refused.get_by_test_id("outbox-fix").click()
    expect(field(page, "note-note")).to_have_value("Catatan yang terlambat.")


def test_a_staff_page_is_never_kept_on_the_device(new_page):
    petugas = f.PetugasFactory(username="petugas_luring")
    page = new_page()
    login(page, petugas.username)
    page.goto("/kasus/")
    page.wait_for_timeout(800)
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('sigap-pages-')).length)") == 0
