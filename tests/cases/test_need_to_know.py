"""The case page by need to know: what each role sees of one escalated case, and what not.

KPAD sees what its review page shows (no incident address, no reporting user, no working
record, no internal notes); kaders do not see KPAD's requests, recommendations and the reasons
for an escalation; staff see everything; outside one's scope the page is a 404. The decisions
are in ``cases.selectors.case_permissions``; these tests read the page as each user gets it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import kpad_services, services
from cases.escalation import escalate_case
from cases.models import Escalation
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

ADDRESS = "Jl. Rumah Anak Gg. Rahasia No. 9"
NOTE = "Catatan internal petugas: ayah sering mabuk."
VISIT = "Kunjungan: ibu menangis, adik ketakutan."
REFERRAL_REASON = "Visum di RSUD atas permintaan ibu."
ESCALATION_REASON = "Alasan eskalasi manual dari petugas."
REQUEST = "Permintaan KPAD: mohon hasil asesmen psikolog."
RECOMMENDATION = "Rekomendasi KPAD: pendampingan hukum segera."
FILE_NAME = "Foto luka Siti.jpg"


@pytest.fixture
def case(bob, charlie, dave, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = f.make_case(actor=charlie, kelurahan=f.kelurahan(f.BANSIR_LAUT), address=ADDRESS)
    services.case_add_note(actor=bob, case=case, note=NOTE)
    services.case_add_visit(actor=charlie, case=case, visit_date=timezone.localdate(), note=VISIT)
    services.case_refer(
        actor=bob, case=case, institution="rsud", date=timezone.localdate(), reason=REFERRAL_REASON
    )
    services.case_add_attachment(
        actor=bob,
        case=case,
        upload=SimpleUploadedFile(FILE_NAME, images.JPEG),
        kind="dokumen",
        content_type="image/jpeg",
    )
    escalation, _created = escalate_case(case.pk, Escalation.Rule.MANUAL, ESCALATION_REASON, actor=bob)
    kpad_services.kpad_acknowledge(actor=dave, escalation=escalation)
    kpad_services.kpad_request_information(actor=dave, escalation=escalation, text=REQUEST)
    kpad_services.kpad_recommend(actor=dave, escalation=escalation, text=RECOMMENDATION)
    case.refresh_from_db()
    return case


def page(client_for, user, case):
    response = client_for(user).get(f"/kasus/{case.number}/")
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def timeline(html: str) -> str:
    return html[html.index('data-testid="timeline"') :]


def test_staff_see_the_whole_case(client_for, bob, case):
    status, html = page(client_for, bob, case)
    assert status == 200
    for fact in (
        ADDRESS,
        NOTE,
        VISIT,
        REFERRAL_REASON,
        ESCALATION_REASON,
        REQUEST,
        RECOMMENDATION,
        FILE_NAME,
    ):
        assert fact in html, fact
    assert str(case.reported_by) in html
    assert 'data-testid="perpetrators"' in html


def test_a_kecamatan_limited_petugas_sees_a_case_of_their_kecamatan_only(client_for, bella, bob, case):
    assert page(client_for, bella, case)[0] == 404
    own = f.make_case(actor=bob, kelurahan=f.kelurahan(f.SIANTAN_HULU), address=ADDRESS)
    services.case_add_note(actor=bob, case=own, note=NOTE)
    status, html = page(client_for, bella, own)
    assert status == 200
    assert ADDRESS in html and NOTE in html


def test_the_reporting_kader_sees_the_case_work_but_not_kpads_deliberations(client_for, charlie, case):
    status, html = page(client_for, charlie, case)
    assert status == 200
    for fact in (ADDRESS, NOTE, VISIT, REFERRAL_REASON):
        assert fact in html, fact
    for hidden in (ESCALATION_REASON, REQUEST, RECOMMENDATION, FILE_NAME):
        assert hidden not in html, hidden
    assert 'data-kind="kpad"' not in timeline(html) and 'data-kind="escalation"' not in timeline(html)
    # The attachment is there, under a neutral name.
    assert f"lampiran-{case.number}-1.jpg" in html


def test_a_kader_of_another_kelurahan_gets_a_404(client_for, carol, case):
    assert page(client_for, carol, case)[0] == 404


def test_kpad_sees_what_its_review_page_shows(client_for, dave, case):
    status, html = page(client_for, dave, case)
    assert status == 200
    for hidden in (ADDRESS, NOTE, VISIT, REFERRAL_REASON, FILE_NAME, str(case.reported_by)):
        assert hidden not in html, hidden
    # No working record: perpetrators, the cadres who accompany, attachments, consent.
    for section in ('data-testid="perpetrators"', 'data-testid="cadres"', 'data-testid="attachments"'):
        assert section not in html, section
    assert 'data-testid="family-informed"' not in html
    # KPAD's own business stays: the escalation, its request and its recommendation.
    assert REQUEST in html and RECOMMENDATION in html and ESCALATION_REASON in html
    kinds = set(timeline(html).split('data-kind="')[1:])
    assert {k.split('"')[0] for k in kinds} <= {"status", "escalation", "kpad"}
    # The child stays masked on the case page; the identity is revealed, audited, on the review page.
    assert 'data-testid="child-initials"' in html and 'data-testid="child-name"' not in html


def test_kpad_review_page_hides_the_same_facts(client_for, dave, case):
    escalation = case.escalations.get()
    html = client_for(dave).get(reverse("cases:kpad_review", kwargs={"pk": escalation.pk})).content.decode()
    assert REQUEST in html
    for hidden in (ADDRESS, NOTE, VISIT, str(case.reported_by)):
        assert hidden not in html, hidden


def test_the_admin_does_not_see_cases(client_for, alice, case):
    assert page(client_for, alice, case)[0] == 404
