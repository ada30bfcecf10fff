"""The audit log reads as Indonesian: every action written anywhere has a label, details show as
"Field: value" with the models' names, and the filters are choices."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.audit import ACTIONS, action_label, detail_lines
from accounts.models import AuditEvent, Role
from cases import kpad_services
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "board", "cadres", "cases", "core", "demo", "kelurahan", "privacy", "reports", "training"]


def written_actions() -> set[str]:
    """Every literal action code passed as ``action=`` anywhere in the apps (argparse's
    ``action="store_true"`` aside), and KPAD's steps, whose code is built from the step."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                if getattr(node.func, "attr", None) == "add_argument":
                    continue
                for kw in node.keywords:
                    value = kw.value
                    if (
                        kw.arg == "action"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        found.add(value.value)
    found |= {f"kpad.{step}" for step in ("request", "recommendation")}
    assert set(kpad_services.NOTIFY_KINDS) >= {"request", "recommendation"}
    return found


def test_every_action_written_anywhere_has_a_label():
    actions = written_actions()
    assert {"case.view", "login.failed", "otp.recovery_used", "user.reset_2fa", "board.vote"} <= actions
    assert sorted(a for a in actions if a not in ACTIONS) == []


def test_every_label_is_in_indonesian():
    from django.utils.translation import trans_real

    from core.messages import msgid

    catalog = trans_real.translation("id")._catalog
    missing = [code for code in ACTIONS.codes() if msgid(ACTIONS.message(code).text) not in catalog]
    assert missing == []


def test_actions_and_details_read_as_labels_not_codes(alice, bob):
    services.user_update(actor=alice, user=bob, role=Role.KPAD, first_name="Budi")
    event = AuditEvent.objects.get(action="user.update")
    with translation.override("id"):
        assert action_label("user.update") == "Pengguna diubah"
        lines = dict(detail_lines(event))
        expected = f"Peran: {Role.PETUGAS.label} → {Role.KPAD.label}"
    assert lines["Yang berubah"] == expected and "petugas →" not in expected
    assert lines["Kolom"] == "Nama depan"
    with translation.override("en"):
        assert dict(detail_lines(event))["Changed"] == f"Role: {Role.PETUGAS.label} → {Role.KPAD.label}"


def test_a_case_status_change_shows_the_statuses_by_name(bob, charlie):
    from cases import services as case_services

    case = f.make_case(actor=charlie)
    case_services.case_change_status(actor=bob, case=case, to="diverifikasi")
    event = AuditEvent.objects.get(action="case.status")
    with translation.override("id"):
        lines = dict(detail_lines(event))
    assert lines["Dari"] == "Dilaporkan" and lines["Menjadi"] == "Diverifikasi"
    assert lines["Alasan penutupan"] == "—"
    assert not any("{" in value or "[" in value for value in lines.values())


def test_an_unknown_action_and_key_are_shown_as_stored_not_as_a_repr(alice, bob):
    event = services.audit_record(
        actor=alice, action="x.new", target=bob, details={"some_key": [1, 2], "on": True}
    )
    assert action_label("x.new") == "x.new"
    with translation.override("id"):
        assert detail_lines(event) == [("Some key", "1, 2"), ("On", "Ya")]


def test_the_log_page_shows_labels_and_the_filters_are_choices(client_for, alice, bob):
    services.user_update(actor=alice, user=bob, first_name="Budi")
    page = client_for(alice).get(reverse("accounts:audit_list"))
    html = page.content.decode()
    assert "Pengguna diubah" in html and "{&#x27;" not in html and "{'" not in html
    form = page.context["form"]
    assert dict(form.fields["action"].choices)  # grouped choices
    flat = [code for _group, items in form.fields["action"].choices[1:] for code, _label in items]
    assert "user.update" in flat and "case.view" in flat and "user." in flat
    assert '<select name="action"' in html and '<select name="actor"' in html
    assert '<select name="target_type"' in html
    assert "Kasus" in dict(form.fields["target_type"].choices)  # grouped by the app's name


def test_the_filters_refuse_what_is_not_a_choice_and_a_reversed_range(client_for, alice):
    response = client_for(alice).get(
        reverse("accounts:audit_list"),
        {"action": "no.such", "date_from": "2026-02-01", "date_to": "2026-01-01"},
    )
    errors = response.context["form"].errors
    assert "action" in errors and "date_to" in errors
    assert response.status_code == 200
