"""Writes of the double entry into SIMFONI-PPA: a child checked complete ("ready"), then
entered, with the register number SIMFONI gave it. Each writes the case's timeline (by the
child's record number, never a name) and an audit row.

Who may do it (the petugas: ``Cap.ENTER_SIMFONI``) is the view's question, as everywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_record

from . import simfoni
from .models import EVENT_MESSAGES, CaseEvent, Child


def _locked(child: Child) -> simfoni.VictimRecord:
    Child.objects.select_for_update().filter(pk=child.pk).first()
    row = simfoni.with_coding(Child.objects.filter(pk=child.pk)).get()
    return simfoni.victim_records([row])[0]


def _timeline(child: Child, *, actor: User, code: str, at, **params) -> None:
    """By the child's record number, never a name (cases/messages.py renders it)."""
    EVENT_MESSAGES.check(code)
    CaseEvent.objects.create(
        case_id=child.case_id, kind=CaseEvent.Kind.SIMFONI, at=at, actor=actor, code=code, params=params
    )


@transaction.atomic
def child_simfoni_mark_ready(*, actor: User, child: Child, ip: str | None = None) -> Child:
    """Mark the child ready to be typed into SIMFONI: refused while anything SIMFONI requires
    is empty (the message lists it)."""
    record = _locked(child)
    if record.missing:
        raise ValidationError(
            _("SIMFONI still needs: %(fields)s.") % {"fields": ", ".join(m.label for m in record.missing)}
        )
    row = record.child
    now = timezone.now()
    row.simfoni_ready_at, row.simfoni_ready_by = now, actor
    row.save(update_fields=["simfoni_ready_at", "simfoni_ready_by"])
    _timeline(row, actor=actor, code="simfoni.ready", at=now, record=row.person.reference)
    audit_record(actor=actor, action="case.simfoni_ready", target=row.case, ip=ip, details={"child": row.pk})
    return row


@transaction.atomic
def child_simfoni_record_entry(*, actor: User, child: Child, number: str, ip: str | None = None) -> Child:
    """Record SIMFONI's register number for the child, once typed in there (a correction
    replaces it). Only a child marked ready and still complete can be entered."""
    number = " ".join(number.split())
    if not number:
        raise ValidationError({"number": _("Give the register number SIMFONI showed.")})
    record = _locked(child)
    if not record.ready:
        raise ValidationError({"number": _("Mark the child ready first: the sheet must be complete.")})
    row = record.child
    now = timezone.now()
    previous = row.simfoni_number
    row.simfoni_number = number
    row.simfoni_entered_at, row.simfoni_entered_by = now, actor
    row.save(update_fields=["simfoni_number", "simfoni_entered_at", "simfoni_entered_by"])
    _timeline(row, actor=actor, code="simfoni.entered", at=now, record=row.person.reference, number=number)
    audit_record(
        actor=actor,
        action="case.simfoni_entered",
        target=row.case,
        ip=ip,
        details={"child": row.pk, "number": number, "previous": previous},
    )
    return row
