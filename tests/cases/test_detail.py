"""The case page: who may open it (and every other URL of a case), what it shows to whom,
the audit of each view, and its cost in queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, Status
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

CHILD_NAME = "Siti Nur Aisyah"
CHILD_NIK = "6171064403140001"
GUARDIAN = "Rahmawati Binti Usman"
PNG = images.PNG


def make_full_case(actor, petugas, *, children=None, **fields) -> Case:
    """A case with a referral, an attachment and a second cadre, made through the services."""
    children = children or [
        services.ChildData(
            name=CHILD_NAME,
            sex="P",
            birth_date=dt.date(2014, 3, 4),
            nik=CHILD_NIK,
            guardian_name=GUARDIAN,
            guardian_contact="081234567890",
        )
    ]
    case = f.make_case(actor=actor, children=children, **fields)
    services.case_refer(actor=petugas, case=case, institution="unit_ppa", date=timezone.localdate())
    services.case_add_attachment(
        actor=petugas,
        case=case,
        upload=SimpleUploadedFile("foto.png", PNG, content_type="image/png"),
        kind="foto",
        content_type="image/png",
    )
    return case


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(media, charlie, bob):
    """charlie's case in Bansir Laut (Pontianak Tenggara)."""
    return make_full_case(charlie, bob)


def case_urls(case: Case) -> dict[str, tuple[str, str]]:
    """Every URL of one case, with the method it answers to."""
    referral = case.referrals.get()
    attachment = case.attachments.get()
    cadre_id = case.cadre_links.first().user_id
    n = case.number
    urls = {
        "detail": ("get", reverse("cases:detail", args=[n])),
        "print": ("get", reverse("cases:print", args=[n])),
        "attachment_download": ("get", reverse("cases:attachment_download", args=[n, attachment.pk])),
        "status": ("post", reverse("cases:status", args=[n])),
        "note": ("post", reverse("cases:note", args=[n])),
        "visit": ("post", reverse("cases:visit", args=[n])),
        "service": ("post", reverse("cases:service", args=[n])),
        "refer": ("post", reverse("cases:refer", args=[n])),
        "referral_status": ("post", reverse("cases:referral_status", args=[n, referral.pk])),
        "assign_worker": ("post", reverse("cases:assign_worker", args=[n])),
        "cadre_add": ("post", reverse("cases:cadre_add", args=[n])),
        "cadre_remove": ("post", reverse("cases:cadre_remove", args=[n, cadre_id])),
        "attachment_upload": ("post", reverse("cases:attachment_upload", args=[n])),
    }
    try:
        urls["edit"] = ("get", reverse("cases:edit", args=[n]))
    except NoReverseMatch:  # the edit form is built elsewhere; walk it when it exists
        pass
    return urls


def fetch(client, method: str, url: str):
    return client.get(url) if method == "get" else client.post(url, {})


def assert_hidden(client, case: Case, name: str, method: str, url: str) -> None:
    """A 404, so the case's existence does not leak: the same as for a number that does not exist."""
    assert fetch(client, method, url).status_code == 404, name
    unknown = fetch(client, method, url.replace(case.number, "SGP-1999-99999"))
    assert unknown.status_code == 404, name


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["carol", "alice", "bella"])
def test_it_is_a_404_on_every_url_for_those_outside_the_scope(client_for, case, everyone, who):
    client = client_for(everyone[who])
    for name, (method, url) in case_urls(case).items():
        assert_hidden(client, case, name, method, url)
    assert case.events.count() == 3  # created, referral, attachment: nothing was added


def test_it_is_a_404_on_every_url_for_kpad_while_the_case_is_not_escalated(client_for, case, dave):
    client = client_for(dave)
    for name, (method, url) in case_urls(case).items():
        assert_hidden(client, case, name, method, url)


def test_kpad_reads_an_escalated_case_but_may_do_nothing_with_it(client_for, case, dave):
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    client = client_for(dave)

    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 200
    for name, (method, url) in case_urls(case).items():
        if name == "detail":
            continue
        assert fetch(client, method, url).status_code == 403, name
    assert case.events.count() == 3


def test_kpad_sees_the_children_masked(client_for, case, dave):
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())

    html = client_for(dave).get(reverse("cases:detail", args=[case.number])).content.decode()

    assert "S.N.A." in html
    assert "Siti" not in html and "Aisyah" not in html
    assert CHILD_NIK not in html and GUARDIAN not in html and "081234567890" not in html
    assert "foto.png" not in html  # a file's name may carry a child's name
    assert 'data-testid="form-' not in html  # no action panel at all


def test_a_petugas_sees_the_full_identity(client_for, case, bob):
    html = client_for(bob).get(reverse("cases:detail", args=[case.number])).content.decode()

    assert CHILD_NAME in html and CHILD_NIK in html and GUARDIAN in html
    assert 'data-testid="attachment-link"' in html


def test_the_reporting_kader_sees_their_case_with_only_their_panels(client_for, case, charlie):
    response = client_for(charlie).get(reverse("cases:detail", args=[case.number]))

    assert response.status_code == 200
    html = response.content.decode()
    assert CHILD_NAME in html
    for allowed in ("form-note", "form-visit", "form-upload"):
        assert f'data-testid="{allowed}"' in html
    for refused in ("form-status", "form-service", "form-refer", "form-worker", "form-cadre", "case-print"):
        assert f'data-testid="{refused}"' not in html


def test_an_accompanying_kader_may_open_the_case(client_for, case, bob, carol):
    services.case_assign_cadre(actor=bob, case=case, cadre=carol)

    assert client_for(carol).get(reverse("cases:detail", args=[case.number])).status_code == 200


def test_a_petugas_of_the_kecamatan_may_open_it(client_for, media, bella, bob):
    kader = f.KaderFactory(username="kader_siantan", kelurahan=f.kelurahan(f.SIANTAN_HULU))
    case = make_full_case(kader, bob)

    assert client_for(bella).get(reverse("cases:detail", args=[case.number])).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, case):
    response = client.get(reverse("cases:detail", args=[case.number]))

    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


@pytest.mark.parametrize("name", ["detail", "print", "attachment_download"])
def test_a_get_only_url_refuses_post(client_for, case, bob, name):
    method, url = case_urls(case)[name]

    assert client_for(bob).post(url).status_code == 405


def test_every_action_url_refuses_get(client_for, case, bob):
    client = client_for(bob)
    for name, (method, url) in case_urls(case).items():
        if method == "post":
            assert client.get(url).status_code == 405, name


def test_an_unknown_case_number_is_a_404(client_for, bob):
    assert client_for(bob).get(reverse("cases:detail", args=["SGP-1999-00001"])).status_code == 404


# --- What the page shows ---------------------------------------------------------------------------


def test_viewing_the_case_is_audited_with_the_client_address(client, case, bob):
    client.force_login(bob)

    client.get(reverse("cases:detail", args=[case.number]), REMOTE_ADDR="203.0.113.5")

    audit = AuditEvent.objects.get(action="case.view")
    assert (audit.actor, audit.ip_address) == (bob, "203.0.113.5")
    assert (audit.target_type, audit.target_id) == ("cases.case", str(case.pk))
    assert CHILD_NAME not in str(audit.details) and CHILD_NIK not in str(audit.details)


def test_a_refused_view_is_not_audited_as_a_view(client_for, case, carol):
    client_for(carol).get(reverse("cases:detail", args=[case.number]))

    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_the_page_shows_the_case_in_pontianak_time_and_indonesian_dates(client_for, case, bob):
    # 23.30 UTC is 06.30 the next morning in Pontianak.
    at = dt.datetime(2025, 8, 17, 23, 30, tzinfo=dt.UTC)
    CaseEvent.objects.create(case=case, actor=bob, kind=CaseEvent.Kind.NOTE, at=at, note="Catatan malam")
    Case.objects.filter(pk=case.pk).update(incident_date=dt.date(2025, 8, 10))

    with translation.override("id"):
        html = client_for(bob).get(reverse("cases:detail", args=[case.number]), HTTP_ACCEPT_LANGUAGE="id")
    html = html.content.decode()

    assert "18 Agu 2025, 6.30" in html
    assert "10 Agu 2025" in html
    assert case.number in html and "Bansir Laut" in html and "Pontianak Tenggara" in html


def test_the_timeline_is_newest_first_with_actor(client_for, case, bob):
    services.case_add_note(actor=bob, case=case, note="Catatan terakhir")

    response = client_for(bob).get(reverse("cases:detail", args=[case.number]))

    events = response.context["events"]
    assert events[0].note == "Catatan terakhir" and events[-1].kind == CaseEvent.Kind.CREATED
    html = response.content.decode()
    assert html.index("Catatan terakhir") < html.index('data-kind="created"')
    assert str(bob) in html


def test_it_shows_services_referrals_cadres_and_the_case_worker(client_for, case, bob):
    services.case_add_service(
        actor=bob, case=case, service_type="psikologis", provider="Psikolog UPTD", date=timezone.localdate()
    )
    services.case_change_status(actor=bob, case=case, to=Status.DIVERIFIKASI)

    html = client_for(bob).get(reverse("cases:detail", args=[case.number])).content.decode()

    assert "Psikolog UPTD" in html
    assert 'data-testid="referral"' in html
    assert str(case.reported_by) in html
    assert f'action="{reverse("cases:referral_status", args=[case.number, case.referrals.get().pk])}"' in html


def test_the_status_choices_are_the_allowed_next_statuses(client_for, case, bob):
    response = client_for(bob).get(reverse("cases:detail", args=[case.number]))

    choices = [value for value, _label in response.context["forms"]["status"].fields["to"].choices if value]
    assert choices == [Status.DIVERIFIKASI, Status.DITUTUP]


def test_the_detail_page_stays_within_a_fixed_number_of_queries(
    client_for, media, bob, charlie, carol, django_assert_max_num_queries
):
    children = [services.ChildData(name=f"Anak Nomor {i}", sex="L", estimated_age=5 + i) for i in range(5)]
    case = make_full_case(charlie, bob, children=children)
    services.case_assign_cadre(actor=bob, case=case, cadre=carol)
    for i in range(4):
        services.case_add_service(
            actor=bob,
            case=case,
            service_type="kesehatan",
            provider=f"Puskesmas {i}",
            date=timezone.localdate(),
        )
        services.case_refer(actor=bob, case=case, institution="rsud", date=timezone.localdate())
        services.case_add_note(actor=charlie, case=case, note=f"Catatan {i}")
    client = client_for(bob)

    # 22: the page's 16, who must not be told, the consents and the children's family, and
    # each child's own coding (types of violence, perpetrator pairs, services received).
    with django_assert_max_num_queries(22):
        response = client.get(reverse("cases:detail", args=[case.number]))

    assert response.status_code == 200
    assert len(response.context["events"]) >= 14


# --- Print (export of one case) ------------------------------------------------------------------------


def test_the_print_is_anonymised_and_audited_as_an_export(client, case, bob):
    client.force_login(bob)

    response = client.get(reverse("cases:print", args=[case.number]), REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    html = response.content.decode()
    assert "S.N.A." in html and CHILD_NAME not in html and CHILD_NIK not in html
    audit = AuditEvent.objects.get(action="case.export")
    assert (audit.actor, audit.ip_address) == (bob, "192.0.2.44")
    assert audit.details == {"format": "print", "identity": False}


def test_a_petugas_may_print_with_the_identity_and_that_is_recorded(client_for, case, bob):
    response = client_for(bob).get(reverse("cases:print", args=[case.number]) + "?identitas=1")

    html = response.content.decode()
    assert CHILD_NAME in html and CHILD_NIK in html
    assert AuditEvent.objects.get(action="case.export").details["identity"] is True


@pytest.mark.parametrize("who", ["charlie"])
def test_a_kader_may_not_print_their_case(client_for, case, everyone, who):
    assert client_for(everyone[who]).get(reverse("cases:print", args=[case.number])).status_code == 403
    assert not AuditEvent.objects.filter(action="case.export").exists()
