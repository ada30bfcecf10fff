"""The supervisor mark: a petugas who approves plans, closures and destruction lists.

It is a capability of the access policy (Cap.SUPERVISE), given by User.is_supervisor to a
role that may hold it; views ask for the capability, never the field.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.policy import Cap, Role, user_can
from tests import factories as f
from tests.test_accounts_views import as_user, new_user_data  # noqa: F401


def test_a_petugas_marked_supervisor_may_supervise(db):
    kasubid = f.PetugasFactory(is_supervisor=True)
    assert user_can(kasubid, Cap.SUPERVISE)
    assert user_can(kasubid, Cap.HANDLE_CASES)


def test_a_plain_petugas_may_not_supervise(bob):
    assert not user_can(bob, Cap.SUPERVISE)


def test_no_other_role_supervises(alice, charlie, dave):
    for user in (alice, charlie, dave):
        assert not user_can(user, Cap.SUPERVISE)


def test_an_inactive_supervisor_may_not_supervise(db):
    kasubid = f.PetugasFactory(is_supervisor=True, is_active=False)
    assert not user_can(kasubid, Cap.SUPERVISE)


def test_the_model_refuses_the_mark_on_a_kader_in_indonesian(charlie):
    charlie.is_supervisor = True
    with pytest.raises(ValidationError) as error:
        charlie.full_clean()
    assert error.value.message_dict["is_supervisor"] == ["Hanya petugas yang dapat menjadi supervisor."]


def test_the_database_refuses_the_mark_on_a_kpad_commissioner(dave):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=dave.pk).update(is_supervisor=True)


def test_the_admin_creates_a_supervisor_and_the_audit_says_so(as_user, everyone):  # noqa: F811
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(username="kasubid_baru", role="petugas", is_supervisor="on"),
    )
    assert response.status_code == 302
    kasubid = User.objects.get(username="kasubid_baru")
    assert kasubid.is_supervisor
    assert user_can(kasubid, Cap.SUPERVISE)
    event = AuditEvent.objects.get(action="user.create", target_id=str(kasubid.pk))
    assert event.details["is_supervisor"] is True
    listing = as_user("alice").get(reverse("accounts:user_list")).content.decode()
    assert 'data-testid="supervisor-badge"' in listing


def test_the_form_drops_the_mark_for_a_role_that_cannot_hold_it(as_user, everyone):  # noqa: F811
    response = as_user("alice").post(
        reverse("accounts:user_create"),
        new_user_data(username="kader_baru", kelurahan=f.kelurahan(f.BANSIR_LAUT).pk, is_supervisor="on"),
    )
    assert response.status_code == 302
    assert not User.objects.get(username="kader_baru").is_supervisor


def test_the_admin_marks_and_unmarks_a_petugas_and_each_change_is_audited(as_user, everyone):  # noqa: F811
    bob = everyone["bob"]
    data = {"first_name": bob.first_name, "last_name": bob.last_name, "email": bob.email, "phone": bob.phone}
    edit = reverse("accounts:user_edit", args=[bob.pk])
    client = as_user("alice")
    marked = {**data, "role": Role.PETUGAS, "is_active": "on", "is_supervisor": "on"}
    assert client.post(edit, marked).status_code == 302
    bob.refresh_from_db()
    assert bob.is_supervisor
    assert client.post(edit, {**data, "role": Role.PETUGAS, "is_active": "on"}).status_code == 302
    bob.refresh_from_db()
    assert not bob.is_supervisor
    updates = AuditEvent.objects.filter(action="user.update", target_id=str(bob.pk))
    changes = [e.details["changed"] for e in updates]
    assert {"is_supervisor": [False, True]} in changes
    assert {"is_supervisor": [True, False]} in changes
