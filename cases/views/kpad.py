"""The KPAD review queue and its actions.

Feature access is the REVIEW_ESCALATIONS capability (anyone else: 403); escalations are
loaded through ``cases.selectors.escalations_visible_to`` (an unknown one: 404). Every write goes
through cases.kpad_services; every view of a case's data is recorded by ``case_record_access``.

Children appear as initials, age and sex. A commissioner who needs the identity asks for it
with a reason (POST): the reveal is audited and the identity is in that one response only,
never kept in the session or on the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, Value, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import Cap, requires
from accounts.services import client_ip
from cases import badges, consent, kpad_forms, kpad_services, selectors, services
from cases.action_forms import apply_service_error
from cases.models import CaseViolence, ConsentInstitution, ConsentPurpose, Escalation, KpadMessage
from core.paging import page_of_parts

PAGE_SIZE = 50


# --- The queue ---------------------------------------------------------------------------------


@dataclass
class QueueRow:
    pk: int
    url: str
    number: str
    opened_at: dt.datetime
    age: str
    rule: str
    rule_label: str
    kecamatan: str
    kelurahan: str
    risk: str
    risk_label: str
    risk_badge: str
    state: str
    state_label: str
    state_badge: str
    overdue: bool
    violences: list[str] = field(default_factory=list)


def age_label(since: dt.datetime, now: dt.datetime) -> str:
    """'3 hari', '5 jam': the largest unit only (Django's own, translated words)."""
    return timesince(since, now, depth=1)


def filtered_queue(queryset: QuerySet[Escalation], data: dict, now: dt.datetime) -> QuerySet[Escalation]:
    state = data.get("state") or kpad_forms.STATE_NOT_RESOLVED
    if state == kpad_forms.STATE_NOT_RESOLVED:
        queryset = queryset.exclude(state=Escalation.State.RESOLVED)
    elif state != kpad_forms.STATE_ALL:
        queryset = queryset.filter(state=state)
    if data.get("rule"):
        queryset = queryset.filter(rule=data["rule"])
    if data.get("kecamatan"):
        queryset = queryset.filter(case__kelurahan__kecamatan=data["kecamatan"])
    if data.get("risk"):
        queryset = queryset.filter(case__risk=data["risk"])
    if data.get("overdue"):
        queryset = queryset.filter(selectors.overdue_q(now))
    return queryset


def queue_parts(queryset: QuerySet[Escalation], now: dt.datetime) -> list[QuerySet[Escalation]]:
    """The queue's order, overdue ones first and then the longest waiting, as two parts read
    one after the other (core.paging.page_of_parts), each in the order of the index on
    (state, opened_at): sorting every open escalation by an "overdue" expression spilled to disk
    at 118,000 of them (issue 12)."""
    overdue = selectors.overdue_q(now)
    loaded = queryset.select_related("case__kelurahan__kecamatan")
    return [
        loaded.filter(overdue).annotate(is_overdue=Value(True)).order_by("opened_at", "pk"),
        loaded.exclude(overdue).annotate(is_overdue=Value(False)).order_by("opened_at", "pk"),
    ]


def queue_rows(escalations, now: dt.datetime) -> list[QueueRow]:
    rows = []
    for e in escalations:
        case = e.case
        rows.append(
            QueueRow(
                pk=e.pk,
                url=reverse("cases:kpad_review", kwargs={"pk": e.pk}),
                number=case.number,
                opened_at=e.opened_at,
                age=age_label(e.opened_at, now),
                rule=e.rule,
                rule_label=e.get_rule_display(),
                kecamatan=case.kelurahan.kecamatan.common_name,
                kelurahan=case.kelurahan.common_name,
                risk=case.risk,
                risk_label=case.get_risk_display(),
                risk_badge=badges.risk_badge(case.risk),
                state=e.state,
                state_label=e.get_state_display(),
                state_badge=badges.escalation_badge(e.state),
                overdue=bool(e.is_overdue),
                violences=[v.get_kind_display() for v in case.violences.all()],
            )
        )
    return rows


@require_GET
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_queue(request):
    """Escalations waiting for or in KPAD's review: overdue ones first and marked, no COUNT."""
    now = timezone.now()
    form = kpad_forms.QueueFilterForm(request.GET or None)
    escalations = selectors.escalations_visible_to(user=request.user)
    if form.is_valid():
        escalations = filtered_queue(escalations, form.cleaned_data, now)
    elif form.is_bound:
        escalations = filtered_queue(escalations.none(), {}, now)
    else:
        escalations = filtered_queue(escalations, {}, now)
    page = page_of_parts(request, queue_parts(escalations, now), PAGE_SIZE)
    prefetch_related_objects(
        page.rows, Prefetch("case__violences", queryset=CaseViolence.objects.order_by("kind"))
    )
    context = {
        "form": form,
        "rows": queue_rows(page.rows, now),
        **page.context(),
        "acknowledge_days": settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS,
    }
    return render(request, "cases/kpad/queue.html", context)


# --- One review --------------------------------------------------------------------------------


def _load(request, pk: int) -> Escalation:
    return get_object_or_404(
        selectors.escalations_visible_to(user=request.user).select_related(
            "case__kelurahan__kecamatan",
            "case__case_worker",
            "opened_by",
            "acknowledged_by",
            "resolved_by",
        ),
        pk=pk,
    )


ACTION_FORMS = {
    "reveal": kpad_forms.RevealForm,
    "acknowledge": kpad_forms.AcknowledgeForm,
    "request": kpad_forms.RequestForm,
    "recommend": kpad_forms.RecommendationForm,
    "resolve": kpad_forms.ResolveForm,
}


def _forms(escalation: Escalation, bound: dict) -> dict:
    allowed = {"reveal"}
    if escalation.state == Escalation.State.OPEN:
        allowed.add("acknowledge")
    if escalation.state != Escalation.State.RESOLVED:
        allowed |= {"request", "recommend", "resolve"}
    allowed |= set(bound)  # a refused action shows its form with the reason
    return {key: bound.get(key) or ACTION_FORMS[key](prefix=key) for key in ACTION_FORMS if key in allowed}


def _render_review(request, escalation: Escalation, *, bound: dict | None = None, revealed: bool = False):
    bound = bound or {}
    case = escalation.case
    services.case_record_access(
        actor=request.user,
        case=case,
        action="case.view",
        ip=client_ip(request),
        escalation=escalation.pk,
        identity=revealed,
    )
    now = timezone.now()
    # Sharing the identity with KPAD follows the child's consent (cases.consent), child by child.
    checks = (
        consent.consent_checks(case=case, purpose=ConsentPurpose.SHARING, institution=ConsentInstitution.KPAD)
        if revealed
        else {}
    )
    children = [
        {
            "child": c if revealed and checks[c.pk].allowed else None,
            "initials": selectors.initials(c.person.name),
            "age": c.age_on(case.incident_date),
            "sex": c.person.get_sex_display(),
            "consent_message": checks[c.pk].message if revealed else "",
        }
        for c in case.children.select_related("person", "guardian")
    ]
    context = {
        "escalation": escalation,
        "case": case,
        "children": children,
        "revealed": revealed,
        "overdue": escalation.state == Escalation.State.OPEN
        and escalation.opened_at < selectors.acknowledge_deadline(now),
        "age": age_label(escalation.opened_at, now),
        "risk_badge": badges.risk_badge(case.risk),
        "state_badge": badges.escalation_badge(escalation.state),
        "violences": [v.get_kind_display() for v in case.violences.order_by("kind")],
        "services_list": list(case.services.all()),
        "referrals": list(case.referrals.all()),
        "history": list(escalation.messages.select_related("author", "answered_by")),
        "other_escalations": list(case.escalations.exclude(pk=escalation.pk).order_by("-opened_at")),
        "forms": _forms(escalation, bound),
        "open_panel": next(iter(bound), None),
        "message_kinds": KpadMessage.Kind,
    }
    response = render(request, "cases/kpad/review.html", context, status=400 if bound else 200)
    if revealed:
        add_never_cache_headers(response)  # the identity must not be kept by the browser or a proxy
    return response


def _done(request, escalation: Escalation, message: str):
    messages.success(request, message)
    return redirect(reverse("cases:kpad_review", kwargs={"pk": escalation.pk}) + "#history")


@require_GET
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_review(request, pk: int):
    return _render_review(request, _load(request, pk))


@require_POST
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_reveal(request, pk: int):
    """Show the children's identity in this response only, after recording why."""
    escalation = _load(request, pk)
    form = kpad_forms.RevealForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            kpad_services.kpad_reveal_identity(
                actor=request.user,
                escalation=escalation,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _render_review(request, escalation, revealed=True)
    return _render_review(request, escalation, bound={"reveal": form})


def _action(request, pk: int, key: str, run, success: str):
    escalation = _load(request, pk)
    form = ACTION_FORMS[key](request.POST, prefix=key)
    if form.is_valid():
        try:
            run(escalation, form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _done(request, escalation, success)
    return _render_review(request, escalation, bound={key: form})


@require_POST
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_acknowledge(request, pk: int):
    return _action(
        request,
        pk,
        "acknowledge",
        lambda e, data: kpad_services.kpad_acknowledge(
            actor=request.user, escalation=e, ip=client_ip(request)
        ),
        _("The escalation was acknowledged. The case worker has been told."),
    )


@require_POST
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_request(request, pk: int):
    return _action(
        request,
        pk,
        "request",
        lambda e, data: kpad_services.kpad_request_information(
            actor=request.user, escalation=e, text=data["text"], ip=client_ip(request)
        ),
        _("The request was sent to the case worker."),
    )


@require_POST
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_recommend(request, pk: int):
    return _action(
        request,
        pk,
        "recommend",
        lambda e, data: kpad_services.kpad_recommend(
            actor=request.user, escalation=e, text=data["text"], ip=client_ip(request)
        ),
        _("The recommendation was recorded. The case worker has been told."),
    )


@require_POST
@requires(Cap.REVIEW_ESCALATIONS)
def kpad_resolve(request, pk: int):
    return _action(
        request,
        pk,
        "resolve",
        lambda e, data: kpad_services.kpad_resolve(
            actor=request.user,
            escalation=e,
            note=data["note"],
            unanswered_reason=data.get("unanswered_reason") or "",
            ip=client_ip(request),
        ),
        _("The review was closed."),
    )


urlpatterns: list = [
    path("kpad/", kpad_queue, name="kpad_queue"),
    path("kpad/<int:pk>/", kpad_review, name="kpad_review"),
    path("kpad/<int:pk>/identitas/", kpad_reveal, name="kpad_reveal"),
    path("kpad/<int:pk>/akui/", kpad_acknowledge, name="kpad_acknowledge"),
    path("kpad/<int:pk>/minta-informasi/", kpad_request, name="kpad_request"),
    path("kpad/<int:pk>/rekomendasi/", kpad_recommend, name="kpad_recommend"),
    path("kpad/<int:pk>/tutup/", kpad_resolve, name="kpad_resolve"),
]
