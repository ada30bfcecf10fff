"""Every report arrives once: a reply lost on the way back, a second tap, Kirim pressed again
(accounts/idempotency.py and static/js/send-once.js)."""

import datetime as dt
import re
import time
import urllib.error
import urllib.request
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.models import IdempotencyKey
from cases.models import Case
from tests import factories as f
from tests.e2e.conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def field(page, name: str):
    return page.locator(f"[name='{name}']")


def fill_report(page, kelurahan_id: int) -> None:
    """The petugas' one-page form: the incident, one child, the story."""
    field(page, "incident_date").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    field(page, "place_type").select_option("rumah_tangga")
    field(page, "kelurahan").select_option(str(kelurahan_id))
    field(page, "address").fill("Gg. Sintetis No. 7")
    page.locator("input[name=violence_types][value=fisik]").check()
    field(page, "risk").select_option("sedang")
    field(page, "children-0-name").fill("Tari Sintetis")
    field(page, "children-0-sex").select_option("P")
    field(page, "children-0-estimated_age").fill("9")
    field(page, "narrative").fill("Anak terlihat memar (data sintetis).")
    field(page, "source").select_option("walk_in")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def deliver(request) -> int:
    """Send the browser's request to the server as it is, outside the browser, so that nothing
    of the answer (not even its cookies) reaches the page: a reply lost on the way back.
    (Playwright's route.fetch() would store the answer's cookies in the browser.)"""
    headers = {k: v for k, v in request.all_headers().items() if not k.startswith(":")}
    sent = urllib.request.Request(  # noqa: S310 - the live server's own http:// address
        request.url, data=request.post_data_buffer, headers=headers, method="POST"
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(sent, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:  # the 302 itself, with redirects not followed
        return answer.code


def test_a_report_whose_reply_was_lost_and_is_sent_again_makes_one_case(new_page):
    petugas = f.PetugasFactory(username="petugas_putus")
    kelurahan = f.kelurahan(f.BANSIR_LAUT)
    page = new_page(viewport=PHONE)
    login(page, petugas.username)
    page.goto("/kasus/lapor/")
    fill_report(page, kelurahan.pk)
    sent_keys = []

    def lose_the_first_reply(route):
        if route.request.method != "POST" or sent_keys:
            route.continue_()
            return
        sent_keys.append(route.request.post_data)
        deliver(route.request)  # the server receives the report and answers...
        route.abort("connectionreset")  # ...and the answer never reaches the phone

    page.route(re.compile(r".*/kasus/lapor/$"), lose_the_first_reply)
    page.get_by_test_id("send").click(no_wait_after=True)
    with pytest.raises(PlaywrightError, match="ERR_CONNECTION_RESET"):
        page.wait_for_url("chrome-error://chromewebdata/")
    for _ in range(50):  # then the browser's own "no connection" page shows
        if page.url.startswith("chrome-error://"):
            break
        page.wait_for_timeout(100)
    assert page.url.startswith("chrome-error://")
    assert Case.objects.count() == 1  # the first send did arrive

    # The petugas opens the form again and presses Kirim again: the draft brings the same
    # report (and its key) back, and the server answers with the first case.
    page.goto("/kasus/lapor/")
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    expect(field(page, "narrative")).to_have_value("Anak terlihat memar (data sintetis).")
    page.get_by_test_id("send").click()

    expect(page).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))
    case = Case.objects.get()
    assert page.url.endswith(f"/kasus/{case.number}/")
    expect(page.get_by_role("alert").first).to_contain_text("sudah terkirim sebelumnya")
    assert IdempotencyKey.objects.filter(user=petugas).count() == 1
    # The key the server kept is the one the first, lost, send carried.
    assert IdempotencyKey.objects.get().key in sent_keys[0]


def _slow(*args, **kwargs):
    time.sleep(1.0)  # the server takes its time, as over a weak link: the second tap comes first


def test_a_double_tap_on_send_sends_once(new_page):
    petugas = f.PetugasFactory(username="petugas_ganda")
    kelurahan = f.kelurahan(f.BANSIR_LAUT)
    page = new_page(viewport=PHONE)
    login(page, petugas.username)
    page.goto("/kasus/lapor/")
    fill_report(page, kelurahan.pk)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    with mock.patch("cases.services.count_cadre_activity", _slow):
        # Two taps 400 ms apart, and Enter in a field (both a new send for the browser).
        page.evaluate(
            """() => {
                const send = document.querySelector("[data-testid=send]");
                send.click();
                setTimeout(() => { send.click(); send.form.requestSubmit(); }, 400);
            }"""
        )
        expect(page).to_have_url(re.compile(r"/kasus/SGP-\d{4}-\d{5}/$"))

    assert Case.objects.count() == 1
    assert [u for u in posts if u.endswith("/kasus/lapor/")] == [posts[0]]


def test_a_form_whose_answer_is_a_file_gives_its_button_back_and_downloads_again(new_page):
    petugas = f.PetugasFactory(username="petugas_ekspor")
    f.make_case(actor=petugas)
    page = new_page()
    login(page, petugas.username)
    page.goto("/laporan/ekspor/")
    button = page.get_by_test_id("export-form").locator("button[type=submit]")

    for _ in range(2):
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename
        # The page stays (a file came): the button is given back as soon as the answer is in.
        expect(button).to_be_enabled(timeout=3000)
    assert not IdempotencyKey.objects.exists()  # a file is never replayed: each click exports
