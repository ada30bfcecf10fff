"""Escalation by hand and answers to KPAD, from the case page.

The case page (cases/views/detail.py) shows each escalation of the case with KPAD's
requests and recommendations. A petugas with Cap.ESCALATE_CASES escalates a case by hand
with a reason and answers KPAD's open requests here. The case is loaded through the
selector first (404 outside the user's scope), then the capability is checked (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import Cap, user_can
from accounts.services import client_ip
from cases import action_forms, selectors
from cases import escalation as escalation_services
from cases.models import Escalation, KpadMessage
from cases.views.detail import render_case_page


def _may_escalate(user) -> bool:
    return user_can(user, Cap.ESCALATE_CASES)


def _load(request, number: str):
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = selectors.case_permissions(user=request.user, case=case)
    perms.require("view")
    if not _may_escalate(request.user):
        raise PermissionDenied
    return case, perms


def _again(request, case, perms, bound: dict):
    return render_case_page(request, case, perms, bound=bound)


@require_POST
@login_required
def escalate(request, number: str):
    case, perms = _load(request, number)
    form = action_forms.EscalateForm(request.POST, prefix="escalate")
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
    form = action_forms.AnswerForm(request.POST, prefix=f"answer{message.pk}")
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
