"""The privacy pages: legal holds, retention and destruction lists, the subject-request and
breach registers. Thin: load through a selector, require the capability, call the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Cap, requires, user_can
from accounts.services import client_ip
from cases.action_forms import apply_service_error
from cases.selectors import get_case_for_user
from core.paging import page_without_count

from . import forms, selectors, services
from .clock import breach_clock, request_clock
from .models import DestructionList, SubjectRequest
from .retention import RETENTIONS

CLOSED_SHOWN = 50


# --- legal hold -------------------------------------------------------------------------------


def _hold_page(request, case, *, hold_form=None, lift_form=None, status=200):
    hold = selectors.active_hold(case)
    return render(
        request,
        "privacy/case_hold.html",
        {
            "case": case,
            "hold": hold,
            "holds": selectors.holds_of(case),
            "hold_form": hold_form or forms.LegalHoldForm(),
            "lift_form": lift_form or forms.LiftHoldForm(),
        },
        status=status,
    )


@never_cache
@require_GET
@requires(Cap.HOLD_CASES)
def case_hold(request, number: str):
    return _hold_page(request, get_case_for_user(user=request.user, number=number))


@require_POST
@requires(Cap.HOLD_CASES)
def case_hold_place(request, number: str):
    case = get_case_for_user(user=request.user, number=number)
    form = forms.LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_place(
                actor=request.user, case=case, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The case is under a legal hold: it will not be destroyed."))
            return redirect("privacy:case_hold", number=case.number)
    return _hold_page(request, case, hold_form=form, status=400)


@require_POST
@requires(Cap.HOLD_CASES)
def case_hold_lift(request, number: str):
    case = get_case_for_user(user=request.user, number=number)
    hold = selectors.active_hold(case)
    form = forms.LiftHoldForm(request.POST)
    if hold is None:
        form.add_error(None, _("This case is not under a legal hold."))
    elif form.is_valid():
        try:
            services.legal_hold_lift(
                actor=request.user, hold=hold, reason=form.cleaned_data["lift_reason"], ip=client_ip(request)
            )
        except ValidationError as error:
            apply_service_error(form, error, field_map={"reason": "lift_reason"})
        else:
            messages.success(request, _("The legal hold was lifted."))
            return redirect("privacy:case_hold", number=case.number)
    return _hold_page(request, case, lift_form=form, status=400)


# --- retention and destruction ----------------------------------------------------------------


@require_GET
@requires(Cap.VIEW_RETENTION)
def retention(request):
    lists = list(selectors.destruction_lists()[:24])
    month = timezone.localdate().replace(day=1)
    return render(
        request,
        "privacy/retention.html",
        {
            "retentions": RETENTIONS,
            "lists": lists,
            "this_month_built": any(dl.month == month for dl in lists),
            "may_supervise": user_can(request.user, Cap.SUPERVISE),
            "holds": (
                selectors.active_holds_visible_to(user=request.user)[:100]
                if user_can(request.user, Cap.HOLD_CASES)
                else []
            ),
        },
    )


@require_POST
@requires(Cap.SUPERVISE)
def destruction_build(request):
    built = services.destruction_list_build(actor=request.user)
    if built is None:
        messages.info(request, _("No record is due for destruction this month."))
        return redirect("privacy:retention")
    return redirect("privacy:destruction_detail", pk=built.pk)


def _destruction_page(request, destruction_list, *, form=None, status=200):
    items, outside = selectors.list_items_for(user=request.user, destruction_list=destruction_list)
    may_decide = (
        user_can(request.user, Cap.SUPERVISE) and destruction_list.state == DestructionList.State.PROPOSED
    )
    return render(
        request,
        "privacy/destruction_detail.html",
        {
            "dlist": destruction_list,
            "items": items,
            "outside": outside,
            "form": (form or forms.DecisionForm()) if may_decide else None,
        },
        status=status,
    )


@never_cache
@require_GET
@requires(Cap.VIEW_RETENTION)
def destruction_detail(request, pk: int):
    return _destruction_page(request, get_object_or_404(selectors.destruction_lists(), pk=pk))


@require_POST
@requires(Cap.SUPERVISE)
def destruction_decide(request, pk: int):
    destruction_list = get_object_or_404(selectors.destruction_lists(), pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == forms.DecisionForm.APPROVE:
                result = services.destruction_list_approve(
                    actor=request.user,
                    destruction_list=destruction_list,
                    note=data["note"],
                    ip=client_ip(request),
                )
                messages.success(
                    request,
                    _("The list was approved: %(n)d records destroyed, %(k)d kept.")
                    % {
                        "n": sum(v for k, v in result.items() if k not in ("kept", "persons", "files")),
                        "k": result.get("kept", 0),
                    },
                )
            else:
                services.destruction_list_reject(
                    actor=request.user,
                    destruction_list=destruction_list,
                    note=data["note"],
                    ip=client_ip(request),
                )
                messages.success(request, _("The list was rejected: nothing was destroyed."))
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect("privacy:destruction_detail", pk=destruction_list.pk)
    return _destruction_page(request, destruction_list, form=form, status=400)


# --- data subjects' requests ------------------------------------------------------------------


def _with_clock(request_row: SubjectRequest, now):
    request_row.clock = request_clock(request_row, now)
    return request_row


@never_cache
@require_GET
@requires(Cap.HANDLE_SUBJECT_REQUESTS)
def request_list(request):
    now = timezone.now()
    open_rows = [_with_clock(r, now) for r in selectors.open_subject_requests()]
    page = page_without_count(
        request,
        selectors.subject_requests().exclude(status__in=SubjectRequest.OPEN).order_by("-answered_at", "-id"),
        CLOSED_SHOWN,
    )
    closed = [_with_clock(row, now) for row in page.rows]
    return render(
        request,
        "privacy/request_list.html",
        {
            "open_requests": open_rows,
            "closed": closed,
            "overdue": sum(r.clock.overdue for r in open_rows),
            **page.context(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.HANDLE_SUBJECT_REQUESTS)
def request_new(request):
    form = forms.SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.subject_request_create(
            actor=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, _("The request was recorded. The answer is due within 3 x 24 hours."))
        return redirect("privacy:request_detail", pk=created.pk)
    return render(request, "privacy/request_form.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.HANDLE_SUBJECT_REQUESTS)
def request_detail(request, pk: int):
    row = get_object_or_404(selectors.subject_requests(), pk=pk)
    form = None
    if row.is_open:
        form = forms.SubjectRequestUpdateForm(request.POST or None, initial={"status": row.status})
        if request.method == "POST" and form.is_valid():
            try:
                services.subject_request_update(
                    actor=request.user, request=row, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, _("The request was updated."))
                return redirect("privacy:request_detail", pk=row.pk)
    elif request.method == "POST":
        messages.error(request, _("This request has been answered already."))
        return redirect("privacy:request_detail", pk=row.pk)
    _with_clock(row, timezone.now())
    return render(
        request,
        "privacy/request_detail.html",
        {"row": row, "form": form, "case_url": _case_url(request, row.case_number)},
        status=400 if form is not None and form.is_bound else 200,
    )


def _case_url(request, number: str) -> str:
    if not number or not user_can(request.user, Cap.HANDLE_CASES):
        return ""
    return reverse("cases:detail", args=[number])


# --- breaches ---------------------------------------------------------------------------------


def _breach_clock(breach, now):
    breach.clock = breach_clock(breach, now)
    return breach


@never_cache
@require_GET
@requires(Cap.RECORD_BREACHES)
def breach_list(request):
    now = timezone.now()
    page = page_without_count(request, selectors.breaches(), CLOSED_SHOWN)
    rows = [_breach_clock(breach, now) for breach in page.rows]
    return render(request, "privacy/breach_list.html", {"rows": rows, **page.context()})


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.RECORD_BREACHES)
def breach_new(request):
    form = forms.BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        breach = services.breach_create(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("The breach was recorded. The notices are due within 3 x 24 hours."))
        return redirect("privacy:breach_detail", pk=breach.pk)
    return render(request, "privacy/breach_form.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.RECORD_BREACHES)
def breach_detail(request, pk: int):
    breach = get_object_or_404(selectors.breaches(), pk=pk)
    form = forms.BreachNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.breach_record_notice(
                actor=request.user, breach=breach, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The notice was recorded."))
            return redirect("privacy:breach_detail", pk=breach.pk)
    _breach_clock(breach, timezone.now())
    return render(
        request,
        "privacy/breach_detail.html",
        {"breach": breach, "form": form},
        status=400 if form.is_bound else 200,
    )
