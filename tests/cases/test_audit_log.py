"""The admin reads a case's trail in the audit log by its number."""

from accounts.models import AuditEvent
from cases import services
from tests.factories import make_case


def test_it_filters_the_audit_log_by_case_number(alice, bob, charlie, client_for):
    case = make_case(actor=charlie)
    other = make_case(actor=charlie)
    services.case_add_note(actor=bob, case=case, note="Sudah ditelepon.")
    services.case_record_access(actor=bob, case=other, action="case.view")

    response = client_for(alice).get("/akun/audit/", {"case_number": case.number.lower()})

    assert response.status_code == 200
    events = response.context["events"]
    assert {e.action for e in events} == {"case.create", "case.note"}
    assert all(e.target_id == str(case.pk) for e in events)
    assert case.number in response.content.decode()
    assert other.number not in response.content.decode()


def test_it_shows_nothing_for_an_unknown_case_number(alice, charlie, client_for):
    make_case(actor=charlie)
    response = client_for(alice).get("/akun/audit/", {"case_number": "SGP-1999-00001"})
    assert list(response.context["events"]) == []
    assert AuditEvent.objects.filter(action="case.create").count() == 1
