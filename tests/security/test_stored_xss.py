"""Stored XSS: markup typed into every free-text field, then the pages that show those fields
opened in a real Chromium, watching for anything that runs or any element that got in.

The content-security policy would block an inline script even if a template failed to escape,
so "no alert" alone proves little: each page is also searched for the payload's elements
(``[data-xss]``), which exist in the DOM if markup got through whether or not it could run;
dialogs, console messages and CSP violations are counted too. The payload must also be on the
page as text, so a field that is not shown does not pass for one that is escaped.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from cadres.selectors import cadre_of_login
from cadres.services import cadre_create, outreach_log
from cases import kpad_services, services
from cases.escalation import escalate_case, kpad_request_answer
from cases.models import Escalation
from tests import factories as f
from tests import images
from tests.e2e.conftest import DESKTOP, login
from training import services as training_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Short enough for a name field; three ways out of a text node or an attribute.
PAYLOAD = "\"'><img data-xss src=x onerror=alert(1)><svg data-xss onload=alert(2)>"
MARK = "data-xss"

# Pages that show nothing anyone typed (lists with initials, counts, the audit's actions).
QUIET = {
    "/kasus/",
    "/beranda/petugas/",
    "/akun/notifikasi/",
    "/kasus/kpad/",
    "/beranda/kpad/",
    "/akun/audit/",
}

WATCH = """
window.__xss = {dialogs: 0, csp: []};
document.addEventListener('securitypolicyviolation', e => window.__xss.csp.push(e.violatedDirective));
"""


def plant(users: dict) -> dict:
    """Every free-text field a user can type, holding the payload; returns the records."""
    bob, charlie, dave = users["bob"], users["charlie"], users["dave"]
    t = f.kelurahan(f.BANSIR_LAUT)
    fields = {}
    case = f.make_case(
        actor=charlie,
        kelurahan=t,
        address=PAYLOAD,
        narrative=PAYLOAD,
        reporter_name=PAYLOAD,
        children=[services.ChildData(name=PAYLOAD, sex="P", estimated_age=9, guardian_name=PAYLOAD)],
        perpetrators=[services.PerpetratorData(relation="orang_tua", sex="L", age=40)],
        do_not_tell=PAYLOAD,
        violence_types=("seksual",),
    )
    fields.update(address=1, narrative=1, reporter_name=1, child_name=1, guardian_name=1, do_not_tell=1)
    services.case_add_note(actor=bob, case=case, note=PAYLOAD)
    services.case_add_visit(actor=charlie, case=case, visit_date=timezone.localdate(), note=PAYLOAD)
    services.case_add_service(
        actor=bob,
        case=case,
        service_type="kesehatan",
        provider=PAYLOAD,
        date=timezone.localdate(),
        outcome=PAYLOAD,
    )
    services.case_refer(
        actor=bob,
        case=case,
        institution="rsud",
        date=timezone.localdate(),
        reason=PAYLOAD,
        institution_detail=PAYLOAD,
    )
    services.case_add_attachment(
        actor=charlie,
        case=case,
        upload=SimpleUploadedFile(PAYLOAD[:60] + ".png", images.PNG),
        kind="dokumen",
        content_type="image/png",
        description=PAYLOAD,
    )
    fields.update(
        note=1, visit=1, service_provider=1, service_outcome=1, referral_reason=1, referral_detail=1
    )
    fields.update(attachment_name=1, attachment_description=1)
    escalation = Escalation.objects.filter(case=case).first()
    if escalation is None:
        escalation, _created = escalate_case(case.pk, Escalation.Rule.MANUAL, PAYLOAD, actor=bob)
    request = kpad_services.kpad_request_information(actor=dave, escalation=escalation, text=PAYLOAD)
    kpad_request_answer(actor=bob, message=request, answer=PAYLOAD)
    kpad_services.kpad_recommend(actor=dave, escalation=escalation, text=PAYLOAD)
    fields.update(escalation_reason=1, kpad_request=1, kpad_answer=1, kpad_recommendation=1)

    cadre_create(actor=bob, name=PAYLOAD, sex="P", kelurahan=t, cohort=2022, address=PAYLOAD)
    own = cadre_of_login(charlie)
    if own is None:
        own = cadre_create(actor=bob, name="Kader Charlie", sex="L", kelurahan=t, cohort=2022)
        type(own).objects.filter(pk=own.pk).update(user=charlie)
    outreach_log(
        cadre=own,
        actor=charlie,
        kind="sosialisasi",
        date=timezone.localdate(),
        kelurahan=t,
        people_reached=3,
        note=PAYLOAD,
    )
    training = training_services.training_create(
        actor=bob, title=PAYLOAD, organiser=PAYLOAD, venue=PAYLOAD, dates=[dt.date(2022, 11, 23)]
    )
    training_services.participant_add_guest(actor=bob, training=training, name=PAYLOAD, institution=PAYLOAD)
    training_services.agenda_item_add(
        actor=bob, day=training.days.get(), start_time=dt.time(9), topic=PAYLOAD, resource_person=PAYLOAD
    )
    fields.update(cadre_name=1, cadre_address=1, outreach_note=1, training_title=1, training_organiser=1)
    fields.update(training_venue=1, guest_name=1, guest_institution=1, agenda_topic=1, agenda_person=1)
    # A person's own name shows wherever they acted (timelines, lists, the audit log).
    User.objects.filter(pk=charlie.pk).update(first_name=PAYLOAD[:150])
    fields.update(user_name=1)
    return {"case": case, "escalation": escalation, "training": training, "fields": len(fields)}


def test_no_stored_payload_runs_or_gets_into_any_page(new_page, tally):
    users = {
        "bob": f.PetugasFactory(username="bob_xss"),
        "charlie": f.KaderFactory(username="charlie_xss", kelurahan=f.kelurahan(f.BANSIR_LAUT)),
        "dave": f.KpadFactory(username="dave_xss"),
        "alice": f.AdminFactory(username="alice_xss"),
    }
    world = plant(users)
    case, escalation, training = world["case"], world["escalation"], world["training"]
    child = case.children.get().person
    pages = {
        "bob_xss": [
            f"/kasus/{case.number}/",
            "/kasus/",
            f"/anak/{child.pk}/",
            f"/kasus/{case.number}/cetak/?identitas=1",
            "/kader/",
            f"/kader/{cadre_pk(PAYLOAD)}/",
            "/pelatihan/",
            f"/pelatihan/{training.pk}/",
            f"/pelatihan/{training.pk}/peserta/",
            f"/pelatihan/{training.pk}/agenda/",
            "/beranda/petugas/",
            "/akun/notifikasi/",
        ],
        "charlie_xss": [f"/kasus/{case.number}/", "/kasus/saya/", "/kader/kegiatan/", "/beranda/kader/"],
        "dave_xss": [
            "/kasus/kpad/",
            f"/kasus/kpad/{escalation.pk}/",
            f"/kasus/{case.number}/",
            "/beranda/kpad/",
        ],
        "alice_xss": ["/akun/pengguna/", "/akun/audit/"],
    }
    problems, shown, views, unshown = [], 0, 0, []
    for username, urls in pages.items():
        page = new_page(viewport=DESKTOP)
        page.add_init_script(WATCH)
        dialogs, console = [], []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m, console=console: console.append(m.text))
        login(page, username)
        for url in urls:
            response = page.goto(url)
            views += 1
            if response is None or response.status != 200:
                problems.append((username, url, "status", response and response.status))
                continue
            page.wait_for_load_state("load")
            found = page.evaluate(f"document.querySelectorAll('[{MARK}]').length")
            csp = page.evaluate("window.__xss.csp")
            if found or csp:
                problems.append((username, url, "injected", found, csp))
            if MARK in page.inner_text("body"):
                shown += 1
            else:
                unshown.append(url)
        if dialogs or any("xss" in c.lower() for c in console):
            problems.append((username, "dialogs/console", dialogs, console))
    tally.add("requests", views)
    tally.add("xss: page views in Chromium", views)
    tally.add("xss: fields holding a payload", world["fields"])
    assert problems == []
    # The payload is there to see, as text, on every page that shows what people typed.
    assert set(unshown) <= QUIET, set(unshown) - QUIET
    assert shown >= sum(len(u) for u in pages.values()) - len(QUIET)


def cadre_pk(name: str) -> int:
    from cadres.models import Cadre

    return Cadre.objects.get(name=name).pk
