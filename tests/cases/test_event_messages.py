"""Timeline events, escalation reasons and notifications are stored as codes and parameters and
read in the reader's language; every code written anywhere has a message and a translation;
rows stored as text before codes are converted where they can be recognised (and back)."""

import ast
import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from accounts.models import Notification
from accounts.notifications import BODIES, TITLES
from cases import escalation as escalation_services
from cases import kpad_services, services
from cases.models import ESCALATION_REASONS, EVENT_MESSAGES, CaseEvent, Escalation
from core.messages import PLACEHOLDER, msgid
from tests import factories as f
from tests import images

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "board", "cadres", "cases", "core", "demo", "kelurahan", "reports", "training"]
CHILD_NAME = "Siti Nur Aisyah"
CHILD_NIK = "6171014507140003"
TIMELINE_WRITERS = {"_event", "_timeline", "CaseEvent", "create"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

events_to_codes_migration = importlib.import_module("cases.migrations.0009_event_codes_from_text")
notifications_migration = importlib.import_module("accounts.migrations.0004_notification_codes_from_text")


def in_language(language, fn):
    with translation.override(language):
        return fn()


@pytest.fixture
def case(charlie):
    return f.make_case(
        actor=charlie,
        violence_types=["seksual"],
        children=[
            services.ChildData(name=CHILD_NAME, sex="P", birth_date=dt.date(2014, 7, 5), nik=CHILD_NIK)
        ],
    )


def test_an_attachment_event_reads_in_indonesian_and_in_english(bob, case):
    services.case_add_attachment(
        actor=bob,
        case=case,
        upload=SimpleUploadedFile("a.png", images.PNG),
        kind="foto",
        content_type="image/png",
    )
    event = case.events.get(kind=CaseEvent.Kind.ATTACHMENT)
    assert (event.code, event.params, event.note) == ("attachment.added", {"kind": "foto"}, "")
    assert in_language("id", lambda: event.text) == "Foto ditambahkan"
    assert in_language("en", lambda: event.text) == "Photo added"


def test_the_case_page_shows_the_timeline_in_the_readers_language(client_for, bob, case):
    services.case_add_service(
        actor=bob,
        case=case,
        service_type="kesehatan",
        provider="Puskesmas Kampung Bali",
        date=timezone.localdate(),
    )
    client = client_for(bob)
    url = reverse("cases:detail", args=[case.number])
    page_id = client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Kesehatan oleh Puskesmas Kampung Bali" in page_id
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page_en = client.get(url).content.decode()
    assert "Health by Puskesmas Kampung Bali" in page_en and "Kesehatan oleh" not in page_en


def test_kpad_steps_and_escalation_reasons_read_in_the_readers_language(bob, dave, case):
    escalation_services.escalation_sweep()
    escalation = case.escalations.get()
    assert escalation.reason == "" and escalation.reason_params == {"grounds": ["seksual"]}
    assert in_language("id", lambda: escalation.reason_text) == "Seksual"
    assert in_language("en", lambda: escalation.reason_text) == "Sexual (seksual)"
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert in_language("en", lambda: event.text).startswith("At once: sexual violence")
    assert in_language("id", lambda: event.text).startswith("Segera: kekerasan seksual")

    kpad_services.kpad_acknowledge(actor=dave, escalation=escalation)
    ack = case.events.filter(kind=CaseEvent.Kind.KPAD).first()
    assert in_language("id", lambda: ack.text).startswith("KPAD menerima eskalasi (Segera:")
    assert in_language("en", lambda: ack.text).startswith("KPAD acknowledged the escalation (At once:")
    note = Notification.objects.filter(kind="kpad.acknowledged").first()
    assert note.params == {"number": case.number} and note.title == ""
    assert case.number in in_language("en", lambda: note.display_title)
    assert in_language("en", lambda: note.display_title).startswith("KPAD acknowledged")
    assert in_language("id", lambda: note.display_title).startswith("KPAD menerima")


def test_a_typed_reason_stays_as_typed(bob, case):
    found, _created = escalation_services.escalate_case(
        case.pk, Escalation.Rule.MANUAL, "Perlu pendapat KPAD.", actor=bob
    )
    assert in_language("en", lambda: found.reason_text) == "Perlu pendapat KPAD."
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert (
        event.note == "Perlu pendapat KPAD." and in_language("en", lambda: event.text) == "Escalated by staff"
    )


def test_no_params_hold_a_childs_identity(bob, dave, case):
    escalation_services.escalation_sweep()
    escalation = case.escalations.get()
    kpad_services.kpad_acknowledge(actor=dave, escalation=escalation)
    kpad_services.kpad_request_information(actor=dave, escalation=escalation, text="Bagaimana sekolahnya?")
    services.case_add_attachment(
        actor=bob,
        case=case,
        upload=SimpleUploadedFile("a.pdf", PDF),
        kind="dokumen",
        content_type="application/pdf",
    )
    stored = [
        *CaseEvent.objects.values_list("params", flat=True),
        *Escalation.objects.values_list("reason_params", flat=True),
        *Notification.objects.values_list("params", flat=True),
    ]
    assert len(stored) > 5
    for params in stored:
        assert CHILD_NAME not in str(params) and CHILD_NIK not in str(params) and "S.N.A." not in str(params)


# --- Every code has a message and a translation -------------------------------------------------


def written_codes() -> set[tuple[str, str]]:
    """(registry, code) for every literal code the project's code writes: ``code=`` of a timeline
    write, ``kind=`` of ``notify`` and of a ``Notice`` (``notify_many``), and the values of the KPAD
    notification constants."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                for kw in node.keywords:
                    if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
                        continue
                    if kw.arg == "code" and kw.value.value and name in TIMELINE_WRITERS:
                        found.add(("event", kw.value.value))
                    if kw.arg == "kind" and name in ("notify", "Notice"):
                        found.add(("notification", kw.value.value))
    for kind in [
        *kpad_services.NOTIFY_KINDS.values(),
        kpad_services.REMINDER_KIND,
        kpad_services.DIGEST_KIND,
    ]:
        found.add(("notification", kind))
    for step in kpad_services.NOTIFY_KINDS:
        if step in ("request", "recommendation"):
            found.add(("event", f"kpad.{step}"))  # the timeline code is built from the step
    return found


def test_every_code_written_anywhere_has_a_message():
    codes = written_codes()
    assert ("event", "attachment.added") in codes and ("notification", "case.escalated") in codes
    missing = [
        (where, code) for where, code in codes if code not in (EVENT_MESSAGES if where == "event" else TITLES)
    ]
    assert missing == []
    assert set(ESCALATION_REASONS.codes()) == set(Escalation.Rule.values) - {Escalation.Rule.MANUAL}


def test_every_message_has_an_indonesian_translation():
    catalog = trans_real.translation("id")._catalog
    missing = []
    for registry in (EVENT_MESSAGES, ESCALATION_REASONS, TITLES, BODIES):
        for code in registry.codes():
            message = registry.message(code)
            if message.is_function:
                continue  # its gettext calls are in the catalogue check (make check-messages)
            source = msgid(message.text)
            if isinstance(message.text, str):
                # A plain string may hold only placeholders ("%(rule)s"): words must be translatable.
                if any(ch.isalpha() for ch in PLACEHOLDER.sub("", source)) and code != "test":
                    missing.append((code, source))
            elif source not in catalog and (source, 0) not in catalog:
                missing.append((code, source))
    assert missing == []


# --- Rows stored as text before codes ---------------------------------------------------------


LEGACY = [
    ("attachment", "Foto", ("attachment.added", {"kind": "foto"}, "")),
    ("attachment", "Document", ("attachment.added", {"kind": "dokumen"}, "")),
    (
        "service",
        "Kesehatan — Puskesmas: Visum selesai",
        ("service.added", {"service": "kesehatan", "provider": "Puskesmas"}, "Visum selesai"),
    ),
    (
        "referral",
        "Dinas Sosial: Perlu rumah aman",
        ("referral.sent", {"institution": "dinas_sosial"}, "Perlu rumah aman"),
    ),
    (
        "referral",
        "Sekolah (SDN 14): Pendampingan",
        ("referral.sent_to_unit", {"institution": "sekolah", "unit": "SDN 14"}, "Pendampingan"),
    ),
    (
        "referral_update",
        "UPTD PPA: Diterima — sudah ditangani",
        ("referral.updated", {"institution": "uptd_ppa", "status": "diterima"}, "sudah ditangani"),
    ),
    ("assignment", "Kader pendamping: Rina", ("case.cadre_assigned", {"name": "Rina"}, "")),
    ("edit", "risk, children", ("case.edited", {"fields": ["risk", "children"]}, "")),
    ("kpad", "KPAD meminta informasi: Apa kabar?", ("kpad.request", {}, "Apa kabar?")),
    (
        "escalation",
        "Belum diverifikasi tepat waktu: Belum diverifikasi 24 jam setelah dilaporkan.",
        (
            "escalation.opened_by_rule",
            {"rule": "untriaged", "reason": {"rule": "untriaged", "params": {"hours": 24}}},
            "",
        ),
    ),
    (
        "escalation",
        "Segera: kekerasan seksual, perdagangan orang, eksploitasi, atau risiko kritis: "
        "Seksual, Risiko kritis",
        (
            "escalation.opened_by_rule",
            {
                "rule": "immediate",
                "reason": {"rule": "immediate", "params": {"grounds": ["seksual", "kritis"]}},
            },
            "",
        ),
    ),
    (
        "escalation",
        "Dieskalasi oleh petugas: Pelaku serumah",
        ("escalation.opened", {"rule": "manual"}, "Pelaku serumah"),
    ),
    ("note", "Anak sudah aman.", None),
    ("consent", "Persetujuan dicatat untuk R.S., oleh anak sendiri", None),
]


@pytest.mark.parametrize(("kind", "text", "expected"), LEGACY)
def test_the_migration_recognises_stored_text(kind, text, expected):
    assert events_to_codes_migration.recognise_event(kind, text) == expected


def test_the_migration_converts_rows_and_back(bob, case):
    legacy = CaseEvent.objects.create(
        case=case, kind="attachment", at=case.reported_at, actor=bob, note="Foto"
    )
    kept = CaseEvent.objects.create(
        case=case, kind="consent", at=case.reported_at, actor=bob, note="Teks lain"
    )
    escalation = Escalation.objects.create(
        case=case,
        rule="stalled",
        reason="Tidak ada aktivitas pada kasus selama 30 hari.",
        opened_at=case.reported_at,
    )
    [note] = Notification.objects.bulk_create(
        [
            Notification(
                user=bob,
                kind="kpad.resolved",
                title=f"KPAD menutup telaah kasus {case.number}",
                body="Buka kasus di SIGAP untuk membaca catatan penutup KPAD.",
            )
        ]
    )
    expected_title = in_language("id", lambda: TITLES.render("kpad.resolved", {"number": case.number}))
    expected_body = in_language("id", lambda: BODIES.render("kpad.resolved", {}))
    note.title, note.body = expected_title, expected_body
    note.save()

    events_to_codes_migration.events_to_codes(apps, None)
    notifications_migration.text_to_params(apps, None)
    legacy.refresh_from_db(), kept.refresh_from_db(), escalation.refresh_from_db(), note.refresh_from_db()
    assert (legacy.code, legacy.params, legacy.note) == ("attachment.added", {"kind": "foto"}, "")
    assert (kept.code, kept.note) == ("", "Teks lain")
    assert escalation.reason_params == {"days": 30} and escalation.reason == ""
    assert in_language("en", lambda: escalation.reason_text) == "No activity on the case for 30 days."
    assert note.params == {"number": case.number} and note.title == ""
    assert in_language("en", lambda: note.display_title) == f"KPAD closed its review of case {case.number}"

    notifications_migration.params_to_text(apps, None)
    events_to_codes_migration.codes_to_text(apps, None)
    legacy.refresh_from_db(), escalation.refresh_from_db(), note.refresh_from_db()
    assert (legacy.code, legacy.note) == ("", "Foto ditambahkan")
    assert escalation.reason_params == {} and escalation.reason == in_language(
        "id", lambda: ESCALATION_REASONS.render("stalled", {"days": 30})
    )
    assert (note.params, note.title, note.body) == ({}, expected_title, expected_body)
