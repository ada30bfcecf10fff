"""Synthetic privacy records for the demo: a subject request whose clock is running out, one
answered in time, and a breach notified to the families but not yet to the authority. Run once:
nothing is added when the registers hold something already."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from accounts.models import User

from . import services
from .models import Breach, SubjectRequest


def seed_demo_privacy(*, petugas: User) -> bool:
    if SubjectRequest.objects.exists() or Breach.objects.exists():
        return False
    now = timezone.now()
    # Each record is written at the moment it would have been (the demo dates nothing "now").
    received = now - dt.timedelta(hours=52)
    with time_machine.travel(received + dt.timedelta(minutes=20), tick=False):
        services.subject_request_create(
            actor=petugas,
            kind=SubjectRequest.Kind.ACCESS,
            requester_name="Ibu Rahmawati (sintetis)",
            requester_relation=SubjectRequest.Relation.PARENT,
            requester_contact="0812-0000-0000",
            details="Meminta salinan catatan pendampingan anaknya.",
            received_at=received,
        )
    with time_machine.travel(now - dt.timedelta(days=20), tick=False):
        answered = services.subject_request_create(
            actor=petugas,
            kind=SubjectRequest.Kind.CORRECTION,
            requester_name="Bapak Hendra (sintetis)",
            requester_relation=SubjectRequest.Relation.GUARDIAN,
            details="Tanggal lahir anak tercatat salah.",
        )
    with time_machine.travel(now - dt.timedelta(days=19), tick=False):
        services.subject_request_update(
            actor=petugas,
            request=answered,
            status=SubjectRequest.Status.ANSWERED,
            answer="Tanggal lahir sudah diperbaiki sesuai akta kelahiran.",
        )
    found = now - dt.timedelta(hours=30)
    with time_machine.travel(found + dt.timedelta(hours=1), tick=False):
        breach = services.breach_create(
            actor=petugas,
            summary="Ponsel kader hilang (sintetis)",
            found_at=found,
            data_affected="Draf laporan satu kasus di ponsel; akun kader sudah dikunci.",
            subjects_count=1,
            measures="Sesi kader diakhiri dan kata sandi diganti.",
        )
    with time_machine.travel(found + dt.timedelta(hours=6, minutes=30), tick=False):
        services.breach_record_notice(
            actor=petugas,
            breach=breach,
            whom="subjects",
            at=found + dt.timedelta(hours=6),
            how="Kunjungan ke keluarga",
        )
    return True
