"""The colour of a case's risk, status and escalation state, the same on every page.

Colour is never the only sign: every badge also carries its label.
"""

from __future__ import annotations

from .models import Escalation, Risk, Status

RISK_BADGES = {
    Risk.BELUM_DINILAI: "text-bg-secondary",
    Risk.RENDAH: "text-bg-light border",
    Risk.SEDANG: "text-bg-info",
    Risk.TINGGI: "text-bg-warning",
    Risk.KRITIS: "text-bg-danger",
}
STATUS_BADGES = {
    Status.DILAPORKAN: "text-bg-warning",
    Status.DIVERIFIKASI: "text-bg-info",
    Status.ASESMEN: "text-bg-primary",
    Status.DITANGANI: "text-bg-primary",
    Status.DIRUJUK: "text-bg-secondary",
    Status.SELESAI: "text-bg-success",
    Status.DITUTUP: "text-bg-dark",
}
ESCALATION_BADGES = {
    Escalation.State.OPEN: "text-bg-warning",
    Escalation.State.ACKNOWLEDGED: "text-bg-info",
    Escalation.State.RESOLVED: "text-bg-success",
}


def risk_badge(risk: str) -> str:
    return RISK_BADGES.get(risk, "text-bg-secondary")


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


def escalation_badge(state: str) -> str:
    return ESCALATION_BADGES.get(state, "text-bg-secondary")
