"""Timeline events and escalation reasons stored as text become codes and parameters.

Before, the system's words were stored in Indonesian at write time ("Foto", "KPAD
menerima eskalasi (Segera: …)"). Each event whose note reads as one of the messages of
cases/messages.py (in Indonesian or English, in today's or an older wording) gets that code
and the parameters read back from the text; what the person had typed after it stays as the
note. A text that reads as no message is kept as it is, and is shown as before. An
escalation reason written by a rule gets its parameters the same way.

Reversible: going back writes the rendered Indonesian text into the note (and reason) again.
Batches of BATCH rows, so a city's whole history migrates in bounded memory.
"""

from django.db import migrations
from django.utils import translation

from cases.messages import CRITICAL_RISK, ONLINE_PROSTITUTION, immediate_ground_label
from cases.models import ESCALATION_REASONS, EVENT_MESSAGES, Escalation, ViolenceType
from core.messages import PLACEHOLDER, msgid

BATCH = 2000
LANGUAGES = ("id", "en")

# The codes an event of each kind may have had, tried in order.
CANDIDATES = {
    "service": ["service.added"],
    "referral": ["referral.sent_to_unit", "referral.sent"],
    "referral_update": ["referral.updated"],
    "assignment": ["case.worker_assigned", "case.cadre_assigned", "case.cadre_removed"],
    "attachment": ["attachment.added"],
    "consent": ["do_not_tell.family_member", "do_not_tell.relation", "do_not_tell.someone", "do_not_tell.removed"],
    "person": ["perpetrator.linked", "perpetrator.unlinked", "person.merged"],
    "kpad": [
        "kpad.acknowledged",
        "kpad.request",
        "kpad.recommendation",
        "kpad.resolved",
        "kpad.identity_viewed",
        "kpad.answered",
    ],
}


def _own_placeholders(registry, code: str) -> set[str]:
    message = registry.message(code)
    return set() if message.is_function else set(PLACEHOLDER.findall(msgid(message.text)))


def recognise_event(kind: str, note: str):
    """(code, params, note) for an event's stored text, or None when it reads as no message."""
    note = note.strip()
    if not note:
        return None
    if kind == "edit":
        names = [n.strip() for n in note.split(",")]
        if all(n.isidentifier() for n in names):
            return "case.edited", {"fields": names}, ""
        return None
    if kind == "escalation":
        return _recognise_escalation(note)
    for code in CANDIDATES.get(kind, []):
        params = EVENT_MESSAGES.parse(code, note, languages=LANGUAGES)
        if params is None:
            continue
        own = _own_placeholders(EVENT_MESSAGES, code)
        typed = [str(v) for k, v in params.items() if k not in own]
        return code, {k: v for k, v in params.items() if k in own}, " ".join(typed)
    return None


def recognise_reason(rule: str, text: str):
    """The parameters of a rule's reason stored as text, or None."""
    text = text.strip()
    if not text or rule == Escalation.Rule.MANUAL:
        return None
    if rule == Escalation.Rule.IMMEDIATE:
        grounds = []
        for part in (p.strip() for p in text.split(",")):
            code = _ground_for_label(part)
            if code is None:
                return None
            grounds.append(code)
        return {"grounds": grounds}
    return ESCALATION_REASONS.parse(rule, text, languages=LANGUAGES)


def _ground_for_label(label: str):
    codes = [*ViolenceType.values, ONLINE_PROSTITUTION, CRITICAL_RISK]
    for language in LANGUAGES:
        with translation.override(language):
            for code in codes:
                if immediate_ground_label(code) == label:
                    return code
    return None


def _recognise_escalation(note: str):
    for language in LANGUAGES:
        with translation.override(language):
            for rule, label in Escalation.Rule.choices:
                label = str(label)
                if note == label:
                    return "escalation.opened", {"rule": rule}, ""
                if not note.startswith(label + ": "):
                    continue
                rest = note[len(label) + 2 :]
                params = recognise_reason(rule, rest)
                if params is None:
                    return "escalation.opened", {"rule": rule}, rest
                return "escalation.opened_by_rule", {"rule": rule, "reason": {"rule": rule, "params": params}}, ""
    return None


def events_to_codes(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Esc = apps.get_model("cases", "Escalation")
    last = 0
    while True:
        rows = list(CaseEvent.objects.filter(pk__gt=last, code="").exclude(note="").order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        changed = []
        for event in rows:
            found = recognise_event(event.kind, event.note)
            if found is not None:
                event.code, event.params, event.note = found
                changed.append(event)
        CaseEvent.objects.bulk_update(changed, ["code", "params", "note"])
    for escalation in Esc.objects.filter(reason_params={}).exclude(reason="").exclude(rule="manual"):
        params = recognise_reason(escalation.rule, escalation.reason)
        if params is not None:
            escalation.reason_params, escalation.reason = params, ""
            escalation.save(update_fields=["reason_params", "reason"])


def codes_to_text(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Esc = apps.get_model("cases", "Escalation")
    last = 0
    while True:
        rows = list(CaseEvent.objects.filter(pk__gt=last).exclude(code="").order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        for event in rows:
            text = EVENT_MESSAGES.render_in("id", event.code, event.params)
            event.note = f"{text}: {event.note}" if event.note and text else (text or event.note)
            event.code, event.params = "", {}
        CaseEvent.objects.bulk_update(rows, ["code", "params", "note"])
    for escalation in Esc.objects.exclude(reason_params={}):
        escalation.reason = ESCALATION_REASONS.render_in("id", escalation.rule, escalation.reason_params)
        escalation.reason_params = {}
        escalation.save(update_fields=["reason_params", "reason"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_event_codes")]

    operations = [migrations.RunPython(events_to_codes, codes_to_text)]
