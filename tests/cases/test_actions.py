"""The actions on one case: each done by the role that may (302 and its effect), refused to
the role that may not (403), and a bad form shown again with the message at the field
and everything typed kept."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseCadre, CaseEvent, ClosureReason, ReferralStatus, Status
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(charlie):
    return f.make_case(actor=charlie)


def url(name: str, case: Case, *args) -> str:
    return reverse(f"cases:{name}", args=[case.number, *args])


def in_status(case: Case, status: str, reason: str = "") -> Case:
    Case.objects.filter(pk=case.pk).update(status=status, closure_reason=reason)
    case.refresh_from_db()
    return case


def today() -> str:
    return timezone.localdate().isoformat()


# --- Status ------------------------------------------------------------------------------------------


def test_a_petugas_verifies_a_case_and_becomes_its_case_worker(client_for, case, bob):
    response = client_for(bob).post(
        url("status", case), {"status-to": "diverifikasi", "status-case_worker": bob.pk, "status-note": "Cek"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(url("detail", case))
    case.refresh_from_db()
    assert case.status == Status.DIVERIFIKASI and case.case_worker == bob
    assert case.events.filter(kind=CaseEvent.Kind.STATUS, to_status=Status.DIVERIFIKASI).exists()


def test_verifying_refuses_a_case_worker_who_cannot_see_the_case(client_for, case, bob, bella):
    # bella works in Pontianak Utara; the case is in Bansir Laut (Pontianak Tenggara).
    response = client_for(bob).post(
        url("status", case), {"status-to": "diverifikasi", "status-case_worker": bella.pk}
    )

    assert response.status_code == 400
    assert "case_worker" in response.context["forms"]["status"].errors
    case.refresh_from_db()
    assert case.status == Status.DILAPORKAN


def test_closing_without_a_reason_comes_back_with_the_note_kept(client_for, case, bob):
    in_status(case, Status.DITANGANI)

    response = client_for(bob).post(
        url("status", case), {"status-to": "selesai", "status-note": "Semua layanan sudah diberikan"}
    )

    assert response.status_code == 400
    form = response.context["forms"]["status"]
    assert "closure_reason" in form.errors
    html = response.content.decode()
    assert "Semua layanan sudah diberikan" in html
    assert 'id="id_status-closure_reason"' in html and "is-invalid" in html
    case.refresh_from_db()
    assert case.status == Status.DITANGANI


def test_closing_refuses_a_reason_of_the_other_closing_status(client_for, case, bob):
    in_status(case, Status.DITANGANI)

    response = client_for(bob).post(
        url("status", case), {"status-to": "selesai", "status-closure_reason": ClosureReason.UNFOUNDED}
    )

    assert response.status_code == 400
    assert "closure_reason" in response.context["forms"]["status"].errors


def test_closing_with_a_fitting_reason_completes_the_case(client_for, case, bob):
    f.make_supervisor(bob)  # completing is a supervisor's decision (see test_casework.py)
    in_status(case, Status.DIRUJUK)

    response = client_for(bob).post(
        url("status", case), {"status-to": "selesai", "status-closure_reason": ClosureReason.REINTEGRATED}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == (Status.SELESAI, ClosureReason.REINTEGRATED)


def test_a_status_that_is_not_a_next_step_is_refused_at_the_field(client_for, case, bob):
    response = client_for(bob).post(url("status", case), {"status-to": "selesai"})

    assert response.status_code == 400
    assert "to" in response.context["forms"]["status"].errors


def test_reopening_without_a_note_is_refused_at_the_note(client_for, case, bob):
    in_status(case, Status.SELESAI, ClosureReason.SERVICES_COMPLETE)

    response = client_for(bob).post(url("status", case), {"status-to": "ditangani"})

    assert response.status_code == 400
    assert "note" in response.context["forms"]["status"].errors

    response = client_for(bob).post(
        url("status", case), {"status-to": "ditangani", "status-note": "Lapor lagi"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DITANGANI and case.closure_reason == ""


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("status", {"status-to": "diverifikasi"}),
        ("service", {"service-service_type": "kesehatan", "service-provider": "RSUD", "service-date": "x"}),
        ("refer", {"refer-institution": "unit_ppa", "refer-date": "x"}),
        ("assign_worker", {"worker-worker": "1"}),
        ("cadre_add", {"cadre-cadre": "1"}),
    ],
)
def test_a_kader_may_not_handle_their_own_case(client_for, case, charlie, name, data):
    response = client_for(charlie).post(url(name, case), data)

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.DILAPORKAN
    assert case.events.count() == 1


def test_a_kader_may_not_update_a_referral_or_remove_a_cadre(client_for, case, bob, charlie):
    referral = services.case_refer(actor=bob, case=case, institution="rsud", date=timezone.localdate())
    client = client_for(charlie)

    assert client.post(url("referral_status", case, referral.pk), {}).status_code == 403
    assert client.post(url("cadre_remove", case, charlie.pk)).status_code == 403
    assert CaseCadre.objects.filter(case=case, user=charlie).exists()


# --- Notes and visits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_a_note_is_added_by_petugas_and_the_reporting_kader(client_for, case, everyone, who):
    response = client_for(everyone[who]).post(url("note", case), {"note-note": "Anak sudah aman."})

    assert response.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert event.note == "Anak sudah aman." and event.actor == everyone[who]


def test_an_empty_note_is_refused_at_the_field(client_for, case, bob):
    response = client_for(bob).post(url("note", case), {"note-note": ""})

    assert response.status_code == 400
    assert "note" in response.context["forms"]["note"].errors
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_kader_may_not_add_a_note_to_a_closed_case(client_for, case, charlie):
    in_status(case, Status.SELESAI, ClosureReason.SERVICES_COMPLETE)

    assert client_for(charlie).post(url("note", case), {"note-note": "x"}).status_code == 403


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_a_visit_is_recorded_by_petugas_and_kader(client_for, case, everyone, who):
    response = client_for(everyone[who]).post(
        url("visit", case), {"visit-visit_date": today(), "visit-note": "Rumah dikunjungi, anak sehat."}
    )

    assert response.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.VISIT)
    assert event.visit_date == timezone.localdate()


def test_a_visit_in_the_future_is_refused_with_the_note_kept(client_for, case, charlie):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = client_for(charlie).post(
        url("visit", case), {"visit-visit_date": tomorrow, "visit-note": "Kunjungan rencana"}
    )

    assert response.status_code == 400
    assert "visit_date" in response.context["forms"]["visit"].errors
    html = response.content.decode()
    assert "Kunjungan rencana" in html and tomorrow in html


# --- Services and referrals ------------------------------------------------------------------------------


def test_a_petugas_adds_a_service(client_for, case, bob):
    response = client_for(bob).post(
        url("service", case),
        {
            "service-service_type": "psikologis",
            "service-provider": "Psikolog UPTD PPA",
            "service-date": today(),
            "service-outcome": "Sesi pertama",
        },
    )

    assert response.status_code == 302
    service = case.services.get()
    assert (service.service_type, service.provider, service.created_by) == (
        "psikologis",
        "Psikolog UPTD PPA",
        bob,
    )


def test_a_service_of_an_unknown_type_is_refused_with_the_provider_kept(client_for, case, bob):
    response = client_for(bob).post(
        url("service", case),
        {"service-service_type": "sulap", "service-provider": "Penyedia Uji", "service-date": today()},
    )

    assert response.status_code == 400
    assert "service_type" in response.context["forms"]["service"].errors
    assert "Penyedia Uji" in response.content.decode()
    assert not case.services.exists()


def test_a_petugas_refers_the_case_and_updates_the_referral(client_for, case, bob):
    client = client_for(bob)
    response = client.post(
        url("refer", case),
        {
            "refer-institution": "unit_ppa",
            "refer-institution_detail": "Unit PPA Polresta",
            "refer-date": today(),
            "refer-reason": "Proses hukum",
        },
    )
    assert response.status_code == 302
    referral = case.referrals.get()

    prefix = f"referral{referral.pk}"
    response = client.post(
        url("referral_status", case, referral.pk), {f"{prefix}-status": "diterima", f"{prefix}-note": "Ok"}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.status_note) == (ReferralStatus.ACCEPTED, "Ok")


def test_a_bad_referral_status_comes_back_at_the_field(client_for, case, bob):
    referral = services.case_refer(actor=bob, case=case, institution="rsud", date=timezone.localdate())

    response = client_for(bob).post(
        url("referral_status", case, referral.pk), {f"referral{referral.pk}-status": "hilang"}
    )

    assert response.status_code == 400
    assert f'data-testid="form-referral-{referral.pk}"' in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_referral_of_another_case_is_a_404(client_for, case, bob, charlie):
    other = f.make_case(actor=charlie)
    referral = services.case_refer(actor=bob, case=other, institution="rsud", date=timezone.localdate())

    response = client_for(bob).post(url("referral_status", case, referral.pk), {})

    assert response.status_code == 404


# --- Assignment -------------------------------------------------------------------------------------------


def test_a_petugas_assigns_a_case_worker(client_for, case, bob):
    budi = f.PetugasFactory(username="budi")

    response = client_for(bob).post(url("assign_worker", case), {"worker-worker": budi.pk})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_worker == budi


def test_a_case_worker_must_be_active_staff(client_for, case, bob, dave):
    response = client_for(bob).post(url("assign_worker", case), {"worker-worker": dave.pk})

    assert response.status_code == 400
    assert "worker" in response.context["forms"]["worker"].errors


def test_a_petugas_adds_and_removes_an_accompanying_cadre(client_for, case, bob, carol):
    client = client_for(bob)

    assert client.post(url("cadre_add", case), {"cadre-cadre": carol.pk}).status_code == 302
    assert CaseCadre.objects.filter(case=case, user=carol).exists()

    assert client.post(url("cadre_remove", case, carol.pk)).status_code == 302
    assert not CaseCadre.objects.filter(case=case, user=carol).exists()
    assert "case.remove_cadre" in AuditEvent.objects.values_list("action", flat=True)


def test_only_a_cadre_can_be_added_as_accompanying_cadre(client_for, case, bob, dave):
    response = client_for(bob).post(url("cadre_add", case), {"cadre-cadre": dave.pk})

    assert response.status_code == 400
    assert "cadre" in response.context["forms"]["cadre"].errors


def shown_cadres(response) -> list[int]:
    return [pk for pk, _label in response.context["forms"]["cadre"].fields["cadre"].widget.choices if pk]


def test_the_picker_lists_the_case_kelurahans_cadres_and_finds_others_by_search(client_for, case, bob, carol):
    neighbour = f.KaderFactory(username="kader_bansir", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    client = client_for(bob)

    response = client.get(url("detail", case))
    assert shown_cadres(response) == [neighbour.pk]  # the reporter is on the case already
    assert case.reported_by_id not in shown_cadres(response)

    found = client.get(url("detail", case), {"kader": "carol"})
    assert shown_cadres(found) == [neighbour.pk, carol.pk]
    assert found.context["open_panel"] == "cadre"
    assert 'value="carol"' in found.content.decode()

    nobody = client.get(url("detail", case), {"kader": "tidak-ada"})
    assert shown_cadres(nobody) == [neighbour.pk] and nobody.context["forms"]["cadre"].found_none
    assert "Tidak ada kader lain" in nobody.content.decode()

    # Any eligible cadre may be chosen, listed or not: the choice is checked, not the list.
    assert client.post(url("cadre_add", case), {"cadre-cadre": carol.pk}).status_code == 302


def test_the_picker_lists_at_most_its_limit_whatever_the_number_of_cadres(client_for, case, bob, monkeypatch):
    from cases import action_forms

    monkeypatch.setattr(action_forms, "CADRE_CHOICES_LOCAL", 3)
    for i in range(5):
        f.KaderFactory(username=f"kader_{i}", kelurahan=f.kelurahan(f.BANSIR_LAUT))
    assert len(shown_cadres(client_for(bob).get(url("detail", case)))) == 3


def test_removing_a_cadre_who_is_not_on_the_case_is_a_404(client_for, case, bob, carol):
    assert client_for(bob).post(url("cadre_remove", case, carol.pk)).status_code == 404
