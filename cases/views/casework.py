"""Managing a case: the "Asesmen & rencana" page (assessments, plan, tasks, conferences,
closure, transfer), "Tugas saya", the supervisor's approvals, referral answers and letters.

Like cases.views.detail: load through the selectors (outside the user's scope: 404), ask the
permissions (403), call the service, show its errors at the field (400) with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import Cap, requires, user_can
from accounts.services import client_ip
from cases import casework_forms, casework_selectors, casework_services, consent, letters, selectors, services
from cases.action_forms import apply_service_error
from cases.models import Case, ConsentPurpose, ReferralStatus
from kelurahan.selectors import kelurahan_for_report


def _load(request, number: str, action: str = "view"):
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = casework_selectors.casework_permissions(user=request.user, case=case)
    perms.require(action)
    return case, perms


def _back(case: Case, message: str, request, anchor: str = "plan"):
    messages.success(request, message)
    return redirect(reverse("cases:casework", args=[case.number]) + f"#{anchor}")


def render_casework(request, case: Case, perms, *, bound: dict | None = None):
    bound = bound or {}
    services.case_record_access(actor=request.user, case=case, action="case.view", ip=client_ip(request))
    children = list(case.children.select_related("person"))
    identity = selectors.case_permissions(user=request.user, case=case).see_identity
    current = casework_selectors.current_assessments(case=case)
    plan = casework_selectors.current_plan(case=case)
    tasks = list(case.tasks.select_related("owner_user", "done_by").order_by("state", "due_on", "id"))
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_open and task.due_on < today
        task.may_update = casework_selectors.may_update_task(user=request.user, task=task)
    context = {
        "case": case,
        "perms": perms,
        "open_panel": next(iter(bound), None),
        "children": [
            {
                "child": c,
                "label": casework_forms.child_label(c, identity=identity),
                "assessment": current.get(c.pk),
            }
            for c in children
        ],
        "plan": plan,
        "plan_approval": casework_selectors.plan_approval(plan=plan),
        "older_plans": list(case.plans.exclude(pk=plan.pk).order_by("-version")) if plan else [],
        "tasks": tasks,
        "open_tasks": [t for t in tasks if t.is_open],
        "settled_tasks": [t for t in tasks if not t.is_open],
        "conferences": list(case.conferences.prefetch_related("tasks").order_by("-held_on", "-id")),
        "pending_closure": casework_selectors.pending_closure(case=case),
        "blockers": casework_selectors.closure_blockers(case=case) if case.is_open else None,
        "transfers": list(case.transfers.select_related("from_kelurahan", "to_kelurahan")),
        "missing": [services.READY_MESSAGES[m] for m in casework_selectors.missing_for_handling(case=case)],
        "forms": {},
    }
    if perms.manage:
        forms = context["forms"]
        forms["assessment"] = bound.get("assessment") or casework_forms.AssessmentForm(
            prefix="asesmen", children=children, identity=identity, initial={"assessed_on": today}
        )
        forms["plan"] = bound.get("plan") or casework_forms.PlanForm(
            prefix="rencana", initial={"goals": plan.goals if plan else ""}
        )
        forms["actions"] = bound.get("actions") or casework_forms.ActionFormSet(prefix="aksi", case=case)
        forms["task"] = bound.get("task") or casework_forms.TaskForm(prefix="tugas", case=case)
        forms["conference"] = bound.get("conference") or casework_forms.ConferenceForm(
            prefix="konferensi", case=case, initial={"held_on": today}
        )
        forms["decisions"] = bound.get("decisions") or casework_forms.ActionFormSet(
            prefix="keputusan", case=case
        )
        forms["transfer"] = bound.get("transfer") or casework_forms.TransferForm(
            prefix="pindah", kelurahan_qs=_transfer_kelurahan(case), initial={"transferred_on": today}
        )
    status = 400 if bound else 200
    return render(request, "cases/casework/page.html", context, status=status)


def _transfer_kelurahan(case: Case):
    # Any kelurahan of the city: the family moves where it moves (the case then belongs there).
    return kelurahan_for_report(user=None).exclude(pk=case.kelurahan_id).order_by("common_name")


@never_cache
@require_GET
@login_required
def casework_page(request, number: str):
    case, perms = _load(request, number)
    return render_casework(request, case, perms)


@require_POST
@login_required
def assessment_add(request, number: str):
    case, perms = _load(request, number, "manage")
    children = list(case.children.select_related("person"))
    form = casework_forms.AssessmentForm(request.POST, prefix="asesmen", children=children, identity=True)
    if form.is_valid():
        data = dict(form.cleaned_data)
        child = next(c for c in children if c.pk == data.pop("child"))
        try:
            casework_services.assessment_record(
                actor=request.user, case=case, child=child, ip=client_ip(request), **data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _back(case, _("The assessment was recorded."), request, "assessments")
    return render_casework(request, case, perms, bound={"assessment": form})


@require_POST
@login_required
def plan_add(request, number: str):
    case, perms = _load(request, number, "manage")
    form = casework_forms.PlanForm(request.POST, prefix="rencana")
    actions = casework_forms.ActionFormSet(request.POST, prefix="aksi", case=case)
    if form.is_valid() and actions.is_valid():
        try:
            casework_services.plan_create(
                actor=request.user,
                case=case,
                goals=form.cleaned_data["goals"],
                actions=actions.actions(),
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_error(form, error, field_map={"actions": "goals"})
        else:
            return _back(case, _("The service plan was recorded."), request)
    return render_casework(request, case, perms, bound={"plan": form, "actions": actions})


@require_POST
@login_required
def task_add(request, number: str):
    case, perms = _load(request, number, "manage")
    form = casework_forms.TaskForm(request.POST, prefix="tugas", case=case)
    if form.is_valid():
        try:
            casework_services.task_add(
                actor=request.user, case=case, data=form.action(), ip=client_ip(request)
            )
        except ValidationError as error:
            apply_service_error(form, error, field_map={"owner_user": "owner", "owner_institution": "owner"})
        else:
            return _back(case, _("The task was added."), request, "tasks")
    return render_casework(request, case, perms, bound={"task": form})


@require_POST
@login_required
def task_state(request, pk: int):
    task = casework_selectors.get_task_for_user(user=request.user, pk=pk)
    if not casework_selectors.may_update_task(user=request.user, task=task):
        raise PermissionDenied
    form = casework_forms.TaskStateForm(request.POST, prefix=f"t{task.pk}")
    next_url = request.POST.get("next") or ""
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("cases:my_tasks")
    if form.is_valid():
        try:
            casework_services.task_set_state(
                actor=request.user,
                task=task,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The task was updated."))
            return redirect(next_url)
    messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect(next_url)


@require_POST
@login_required
def conference_add(request, number: str):
    case, perms = _load(request, number, "manage")
    form = casework_forms.ConferenceForm(request.POST, prefix="konferensi", case=case)
    decisions = casework_forms.ActionFormSet(request.POST, prefix="keputusan", case=case)
    if form.is_valid() and decisions.is_valid():
        try:
            casework_services.conference_record(
                actor=request.user,
                case=case,
                decisions=decisions.actions(),
                ip=client_ip(request),
                **{**form.cleaned_data, "cadres": list(form.cleaned_data["cadres"])},
            )
        except ValidationError as error:
            apply_service_error(form, error, field_map={"decisions": "summary"})
        else:
            return _back(case, _("The case conference was recorded."), request, "conferences")
    return render_casework(request, case, perms, bound={"conference": form, "decisions": decisions})


@never_cache
@require_GET
@login_required
def conference_minutes(request, number: str, pk: int):
    """The minutes to print: children by initials unless staff ask for identities (audited)."""
    case, perms = _load(request, number)
    conference = get_object_or_404(case.conferences.prefetch_related("cadres"), pk=pk)
    with_identity = perms.print_identity and request.GET.get("identitas") == "1"
    services.case_record_access(
        actor=request.user,
        case=case,
        action="case.export",
        ip=client_ip(request),
        format="conference_minutes",
        conference=conference.pk,
        identity=with_identity,
    )
    children = list(case.children.select_related("person"))
    return render(
        request,
        "cases/casework/minutes.html",
        {
            "case": case,
            "conference": conference,
            "tasks": list(conference.tasks.select_related("owner_user").order_by("due_on", "id")),
            "children": [casework_forms.child_label(c, identity=with_identity) for c in children],
            "with_identity": with_identity,
            "can_reveal": perms.print_identity,
            "printed_at": timezone.now(),
            "printed_by": request.user,
        },
    )


@require_POST
@login_required
def transfer(request, number: str):
    case, perms = _load(request, number, "manage")
    form = casework_forms.TransferForm(request.POST, prefix="pindah", kelurahan_qs=_transfer_kelurahan(case))
    if form.is_valid():
        try:
            casework_services.case_transfer(
                actor=request.user, case=case, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The case was transferred."))
            # A case moved out of the user's area is no longer theirs to open.
            if selectors.cases_visible_to(user=request.user).filter(pk=case.pk).exists():
                return redirect(reverse("cases:detail", args=[case.number]) + "#timeline")
            return redirect(reverse("cases:list"))
    return render_casework(request, case, perms, bound={"transfer": form})


# --- Approvals ----------------------------------------------------------------------------------


@require_GET
@requires(Cap.SUPERVISE)
def approval_list(request):
    approvals = list(casework_selectors.approvals_waiting_for(user=request.user)[:100])
    return render(request, "cases/casework/approvals.html", {"approvals": approvals})


@require_POST
@requires(Cap.SUPERVISE)
def approval_decide(request, pk: int):
    approval = get_object_or_404(casework_selectors.approvals_waiting_for(user=request.user), pk=pk)
    case = approval.case
    form = casework_forms.ApprovalForm(request.POST, prefix=f"a{approval.pk}")
    if form.is_valid():
        try:
            casework_services.approval_decide(
                actor=request.user,
                approval=approval,
                approve=form.cleaned_data["decision"] == "setujui",
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data["override_reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_error(form, error, field_map={"to": "decision"})
        else:
            return _back(case, _("Your decision was recorded."), request, "approvals")
    perms = casework_selectors.casework_permissions(user=request.user, case=case)
    return render_casework(request, case, perms, bound={f"approval{approval.pk}": form})


# --- Referrals: answer, outcome, letter ---------------------------------------------------------


def _referral(request, number: str, pk: int, action: str = "view"):
    case, perms = _load(request, number, action)
    referral = get_object_or_404(case.referrals.all(), pk=pk)
    return case, perms, referral


def render_referral(request, case, perms, referral, *, bound: dict | None = None):
    bound = bound or {}
    today = timezone.localdate()
    context = {
        "case": case,
        "perms": perms,
        "referral": referral,
        "reminders": list(referral.tasks.select_related("owner_user")),
        "answer_form": None,
        "outcome_form": None,
    }
    if perms.manage and referral.status == ReferralStatus.SENT:
        context["answer_form"] = bound.get("answer") or casework_forms.ReferralAnswerForm(
            prefix="jawaban", initial={"answered_on": today}
        )
    if perms.manage and referral.status == ReferralStatus.ACCEPTED:
        context["outcome_form"] = bound.get("outcome") or casework_forms.ReferralOutcomeForm(
            prefix="hasil", initial={"outcome_on": today}
        )
    return render(request, "cases/casework/referral.html", context, status=400 if bound else 200)


@require_GET
@login_required
def referral_page(request, number: str, pk: int):
    case, perms, referral = _referral(request, number, pk)
    return render_referral(request, case, perms, referral)


@require_POST
@login_required
def referral_answer(request, number: str, pk: int):
    case, perms, referral = _referral(request, number, pk, "manage")
    form = casework_forms.ReferralAnswerForm(request.POST, prefix="jawaban")
    if form.is_valid():
        try:
            casework_services.referral_answer(
                actor=request.user,
                referral=referral,
                accepted=form.cleaned_data["answer"] == "diterima",
                answered_on=form.cleaned_data["answered_on"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The institution's answer was recorded."))
            return redirect("cases:referral", case.number, referral.pk)
    return render_referral(request, case, perms, referral, bound={"answer": form})


@require_POST
@login_required
def referral_outcome(request, number: str, pk: int):
    case, perms, referral = _referral(request, number, pk, "manage")
    form = casework_forms.ReferralOutcomeForm(request.POST, prefix="hasil")
    if form.is_valid():
        try:
            casework_services.referral_outcome(
                actor=request.user, referral=referral, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect("cases:referral", case.number, referral.pk)
    return render_referral(request, case, perms, referral, bound={"outcome": form})


@never_cache
@require_GET
@login_required
def referral_letter(request, number: str, pk: int):
    """The referral letter (PDF): a child's identity only where their consent allows sharing
    with this institution (cases.consent decides); otherwise initials and age. Audited."""
    case, perms, referral = _referral(request, number, pk, "manage")
    checks = consent.consent_checks(
        case=case, purpose=ConsentPurpose.SHARING, institution=referral.institution
    )
    children = list(case.children.select_related("person"))
    services.case_record_access(
        actor=request.user,
        case=case,
        action="case.export",
        ip=client_ip(request),
        format="referral_letter",
        referral=referral.pk,
        identities=[c.pk for c in children if checks[c.pk].allowed],
    )
    pdf = letters.referral_letter_pdf(
        case=case, referral=referral, children=children, checks=checks, by=request.user
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file is named by the case number only: a child's name never goes into a file name.
    response["Content-Disposition"] = f'inline; filename="rujukan-{case.number}-{referral.pk}.pdf"'
    return response


# --- Tugas saya ---------------------------------------------------------------------------------


@never_cache
@require_GET
@login_required
def my_tasks(request):
    if not (user_can(request.user, Cap.HANDLE_CASES) or user_can(request.user, Cap.OWN_CASES)):
        raise PermissionDenied
    groups = casework_selectors.group_tasks(casework_selectors.my_tasks(user=request.user)[:300])
    forms = {}
    for group in (groups.overdue, groups.today, groups.this_week, groups.later):
        for task in group:
            forms[task.pk] = casework_forms.TaskStateForm(prefix=f"t{task.pk}")
            task.state_form = forms[task.pk]
    return render(request, "cases/casework/my_tasks.html", {"groups": groups, "today": timezone.localdate()})


urlpatterns: list = [
    path("tugas/", my_tasks, name="my_tasks"),
    path("tugas/<int:pk>/status/", task_state, name="task_state"),
    path("persetujuan/", approval_list, name="approvals"),
    path("persetujuan/<int:pk>/", approval_decide, name="approval_decide"),
    path("<str:number>/rencana/", casework_page, name="casework"),
    path("<str:number>/asesmen/", assessment_add, name="assessment_add"),
    path("<str:number>/rencana/baru/", plan_add, name="plan_add"),
    path("<str:number>/tugas/", task_add, name="task_add"),
    path("<str:number>/konferensi/", conference_add, name="conference_add"),
    path("<str:number>/konferensi/<int:pk>/notulen/", conference_minutes, name="conference_minutes"),
    path("<str:number>/pindah/", transfer, name="transfer"),
    path("<str:number>/rujukan/<int:pk>/", referral_page, name="referral"),
    path("<str:number>/rujukan/<int:pk>/jawaban/", referral_answer, name="referral_answer"),
    path("<str:number>/rujukan/<int:pk>/hasil/", referral_outcome, name="referral_outcome"),
    path("<str:number>/rujukan/<int:pk>/surat/", referral_letter, name="referral_letter"),
]
