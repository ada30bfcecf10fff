"""Escalation by hand and answers to KPAD on the case page.

The case page shows each escalation of the case (rule, state, times), KPAD's requests
with their answers and KPAD's recommendations (``panel_context``, included by
cases/views/detail.py). A petugas with Cap.ESCALATE_CASES escalates a case by hand with
a reason and answers KPAD's open requests. The case is loaded through the selector first
(404 outside the user's scope), then the capability is checked (403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import Cap, user_can
from accounts.services import client_ip
from cases import escalation as escalation_services
from cases import selectors
from cases.models import Case, Escalation, KpadMessage


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why should KPAD review this case?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(gettext_lazy("Say why the case goes to KPAD."))
        return reason


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer to KPAD"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


def _may_escalate(user) -> bool:
    return user_can(user, Cap.ESCALATE_CASES)


def panel_context(*, case: Case, user, bound: dict | None = None) -> dict:
    """What the case page's escalation panel needs: two queries (escalations, their messages)."""
    bound = bound or {}
    may_act = _may_escalate(user)
    visible = may_act or user_can(user, Cap.REVIEW_ESCALATIONS)
    if not visible:
        return {"visible": False}
    # Every escalation sets case.escalated_at: a case never escalated costs no query here.
    escalations = case.escalated_at and list(
        case.escalations.select_related("opened_by", "acknowledged_by", "resolved_by").prefetch_related(
            Prefetch("messages", queryset=KpadMessage.objects.select_related("author", "answered_by"))
        )
    )
    escalations = escalations or []
    for e in escalations:
        for m in e.messages.all():
            m.answer_form = None
            if may_act and m.kind == KpadMessage.Kind.REQUEST and not m.answered_at:
                m.answer_form = bound.get(f"answer{m.pk}") or AnswerForm(prefix=f"answer{m.pk}")
    return {
        "visible": True,
        "escalations": escalations,
        "open_requests": sum(
            1
            for e in escalations
            for m in e.messages.all()
            if m.kind == KpadMessage.Kind.REQUEST and not m.answered_at
        ),
        "form": (bound.get("escalate") or EscalateForm(prefix="escalate")) if may_act else None,
        "manual_open": any(
            e.rule == Escalation.Rule.MANUAL and e.state != Escalation.State.RESOLVED for e in escalations
        ),
    }


def _load(request, number: str):
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = selectors.case_permissions(user=request.user, case=case)
    perms.require("view")
    if not _may_escalate(request.user):
        raise PermissionDenied
    return case, perms


def _again(request, case, perms, bound: dict):
    from cases.views import detail  # the case page renders the panel; imported late (circular)

    return detail._render_detail(request, case, perms, bound=bound)


@require_POST
@login_required
def escalate(request, number: str):
    case, perms = _load(request, number)
    form = EscalateForm(request.POST, prefix="escalate")
    if form.is_valid():
        try:
            _escalation, created = escalation_services.escalate_case(
                case.pk,
                Escalation.Rule.MANUAL,
                form.cleaned_data["reason"],
                actor=request.user,
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0] if error.messages else None)
        else:
            if created:
                messages.success(request, _("The case was escalated to KPAD."))
            else:
                messages.info(request, _("The case is already waiting for KPAD after an escalation by hand."))
            return redirect(reverse("cases:detail", args=[case.number]) + "#escalation")
    return _again(request, case, perms, {"escalate": form})


@require_POST
@login_required
def answer_request(request, number: str, pk: int):
    case, perms = _load(request, number)
    message = get_object_or_404(
        KpadMessage.objects.select_related("escalation", "author"),
        pk=pk,
        escalation__case=case,
        kind=KpadMessage.Kind.REQUEST,
    )
    form = AnswerForm(request.POST, prefix=f"answer{message.pk}")
    if message.answered_at:
        messages.info(request, _("This request has already been answered."))
        return redirect(reverse("cases:detail", args=[case.number]) + "#escalation")
    if form.is_valid():
        try:
            escalation_services.kpad_request_answer(
                actor=request.user, message=message, answer=form.cleaned_data["answer"], ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your answer was sent to KPAD."))
            return redirect(reverse("cases:detail", args=[case.number]) + "#escalation")
    return _again(request, case, perms, {f"answer{message.pk}": form})


urlpatterns: list = [
    path("<str:number>/eskalasi/", escalate, name="escalate"),
    path("<str:number>/permintaan/<int:pk>/jawab/", answer_request, name="answer_request"),
]
