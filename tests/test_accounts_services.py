"""accounts.services and the AuditEvent model: every write leaves its audit row; the log is append-only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from accounts import services
from accounts.models import AuditEvent, Role, User
from tests import factories as f

PASSWORD = "Pontianak-aman-77"


# --- user_create --------------------------------------------------------------------------------


def test_it_creates_a_kader_bound_to_a_kelurahan_and_audits_it(alice):
    kelurahan = f.kelurahan(f.BANSIR_LAUT)
    user = services.user_create(
        actor=alice,
        username="kader_baru",
        password=PASSWORD,
        role=Role.KADER,
        kelurahan=kelurahan,
        ip="10.1.1.1",
    )
    assert user.pk is not None
    assert user.kelurahan == kelurahan
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert not user.is_superuser
    # Then the cadres app puts the kader on the roster (tests/cadres/test_account_link.py).
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "cadre.create",
        "cadre.link_login",
        "user.create",
    ]
    event = AuditEvent.objects.get(action="user.create")
    assert (event.action, event.actor, event.target_type, event.target_id, event.ip_address) == (
        "user.create",
        alice,
        "accounts.user",
        str(user.pk),
        "10.1.1.1",
    )
    assert event.details == {
        "username": "kader_baru",
        "role": "kader",
        "kelurahan": f.BANSIR_LAUT,
        "kecamatan": None,
        "is_supervisor": False,
        "is_active": True,
    }


def test_it_refuses_a_kader_without_a_kelurahan_and_writes_nothing(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(actor=alice, username="kader_baru", password=PASSWORD, role=Role.KADER)
    assert "kelurahan" in excinfo.value.message_dict
    assert not User.objects.filter(username="kader_baru").exists()
    assert not AuditEvent.objects.exists()


def test_it_drops_an_area_the_role_does_not_use(alice):
    kpad = services.user_create(
        actor=alice,
        username="kpad_baru",
        password=PASSWORD,
        role=Role.KPAD,
        kelurahan=f.kelurahan(f.BANSIR_LAUT),
        kecamatan=f.kecamatan(f.PONTIANAK_UTARA),
    )
    assert kpad.kelurahan is None
    assert kpad.kecamatan is None


def test_it_makes_an_admin_staff_but_not_superuser(db):
    admin = services.user_create(actor=None, username="admin_baru", password=PASSWORD, role=Role.ADMIN)
    assert admin.is_staff
    assert not admin.is_superuser
    assert AuditEvent.objects.get().actor is None


def test_it_refuses_a_duplicate_username(alice):
    with pytest.raises(ValidationError):
        services.user_create(actor=alice, username="alice", password=PASSWORD, role=Role.KPAD)
    assert User.objects.filter(username="alice").count() == 1


# --- user_update --------------------------------------------------------------------------------


def test_it_clears_the_kelurahan_when_a_kader_becomes_kpad(alice, carol):
    user = services.user_update(actor=alice, user=carol, role=Role.KPAD)
    assert user.role == Role.KPAD
    assert user.kelurahan is None
    carol.refresh_from_db()
    assert carol.kelurahan is None
    event = AuditEvent.objects.get(action="user.update")
    assert event.details["changed"] == {"role": ["kader", "kpad"], "kelurahan": [f.SIANTAN_HULU, None]}


def test_it_clears_the_kecamatan_when_a_petugas_becomes_admin(alice, bella):
    user = services.user_update(actor=alice, user=bella, role=Role.ADMIN)
    assert user.kecamatan is None
    assert user.is_staff


def test_it_takes_staff_status_away_from_a_former_admin(alice):
    other = f.AdminFactory(username="admin2")
    user = services.user_update(actor=alice, user=other, role=Role.PETUGAS)
    assert not user.is_staff


def test_it_records_which_personal_fields_changed_and_not_the_others(alice, bob):
    services.user_update(actor=alice, user=bob, first_name=bob.first_name, last_name="Baru", phone="0811")
    event = AuditEvent.objects.get(action="user.update")
    assert event.details == {"changed": {}, "fields": ["last_name", "phone"]}


def test_it_refuses_an_unknown_field(alice, bob):
    with pytest.raises(TypeError):
        services.user_update(actor=alice, user=bob, is_superuser=True)
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_update_that_breaks_the_area_rule_and_writes_nothing(alice, charlie):
    with pytest.raises(ValidationError):
        services.user_update(actor=alice, user=charlie, kelurahan=None)
    charlie.refresh_from_db()
    assert charlie.kelurahan.code == f.BANSIR_LAUT
    assert not AuditEvent.objects.exists()


# --- user_set_password --------------------------------------------------------------------------


def test_it_sets_a_password_and_audits_it_without_the_password(alice, carol):
    services.user_set_password(actor=alice, user=carol, password=PASSWORD, ip="10.2.2.2")
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip_address, event.details) == (
        "user.set_password",
        alice,
        "10.2.2.2",
        {},
    )


# --- client_ip ----------------------------------------------------------------------------------


def test_it_takes_the_client_address_from_remote_addr(settings):
    settings.SIGAP_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert services.client_ip(request) == "10.0.0.9"
    assert services.client_ip(None) is None


def test_behind_one_proxy_it_takes_the_address_that_proxy_saw(settings):
    settings.SIGAP_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="36.90.1.2")
    assert services.client_ip(request) == "36.90.1.2"
    assert services.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")) == "10.0.0.9"


def test_a_forged_x_forwarded_for_does_not_choose_the_address(settings):
    # The client wrote "1.2.3.4"; our one proxy appended the address it really came from.
    settings.SIGAP_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 36.90.1.2")
    assert services.client_ip(request) == "36.90.1.2"


def test_behind_two_proxies_it_takes_the_second_entry_from_the_right(settings):
    settings.SIGAP_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="36.90.1.2, 10.0.0.1")
    assert services.client_ip(request) == "36.90.1.2"


# --- The audit log is append-only ---------------------------------------------------------------


def test_it_refuses_to_save_an_existing_audit_event(alice, bob):
    event = services.audit_record(actor=alice, action="user.create", target=bob)
    event.action = "user.nothing"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "user.create"


def test_it_refuses_to_delete_an_audit_event(alice, bob):
    event = services.audit_record(actor=alice, action="user.create", target=bob)
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_keeps_the_actor_of_an_audit_event(alice, bob):
    services.audit_record(actor=alice, action="user.create", target=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).delete()
    assert User.objects.filter(pk=alice.pk).exists()


def test_it_records_an_anonymous_actor_as_none(bob):
    from django.contrib.auth.models import AnonymousUser

    event = services.audit_record(actor=AnonymousUser(), action="auth.fail", target=bob, details={"n": 1})
    assert event.actor is None
    assert event.details == {"n": 1}
    assert event.target_id == str(bob.pk)


@pytest.mark.parametrize("changes", [{"role": Role.PETUGAS}, {"is_active": False}])
def test_it_refuses_to_let_an_admin_demote_or_deactivate_themselves(alice, changes):
    with pytest.raises(PermissionError):
        services.user_update(actor=alice, user=alice, **changes)
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN and alice.is_active
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_it_refuses_bulk_changes_to_the_audit_log(alice, bob):
    services.user_update(actor=alice, user=bob, phone="0812")
    with pytest.raises(ValueError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(ValueError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="user.update").count() == 1
