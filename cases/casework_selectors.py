"""Reads for managing a case: its current assessments and plan, the tasks a user must do,
what still blocks a closure, the approvals waiting for a supervisor.

Scoped like every read of the cases app: through ``cases_visible_to`` (outside it: nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.policy import Cap, user_can

from .casework_models import Approval, Assessment, CaseTask, ServicePlan
from .models import Case, Child, Referral, ReferralStatus
from .selectors import cases_visible_to

OPEN_TASK = Q(state__in=CaseTask.OPEN_STATES)


def current_assessments(*, case: Case) -> dict[int, Assessment]:
    """{child id: the child's latest assessment in this case}: one query."""
    found: dict[int, Assessment] = {}
    for row in (
        Assessment.objects.filter(case=case).select_related("created_by").order_by("-created_at", "-id")
    ):
        found.setdefault(row.child_id, row)
    return found


def assessment_history(*, case: Case) -> int:
    return Assessment.objects.filter(case=case).count()


def current_plan(*, case: Case) -> ServicePlan | None:
    return ServicePlan.objects.filter(case=case).select_related("created_by").order_by("-version").first()


def plan_approval(*, plan: ServicePlan | None) -> Approval | None:
    """The latest approval of this version of the plan (pending, approved or sent back)."""
    if plan is None:
        return None
    return (
        Approval.objects.filter(plan=plan, kind=Approval.Kind.PLAN)
        .select_related("decided_by", "requested_by")
        .order_by("-requested_at", "-id")
        .first()
    )


def missing_for_handling(*, case: Case) -> list[str]:
    """What the case lacks to move past "asesmen": children not assessed, no plan, a plan sent
    back. Codes, turned into words by the caller: three queries."""
    missing = []
    assessed = Assessment.objects.filter(child=OuterRef("pk"))
    if Child.objects.filter(case=case).exclude(Exists(assessed)).exists():
        missing.append("assessment")
    plan = current_plan(case=case)
    if plan is None:
        missing.append("plan")
    else:
        approval = plan_approval(plan=plan)
        if approval is not None and approval.state == Approval.State.RETURNED:
            missing.append("plan_returned")
    return missing


@dataclass
class ClosureBlockers:
    referrals: list[Referral] = field(default_factory=list)
    tasks: list[CaseTask] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.referrals or self.tasks)


def closure_blockers(*, case: Case) -> ClosureBlockers:
    """What must be settled before a case is completed: referrals with no answer, tasks still
    open. Two queries."""
    return ClosureBlockers(
        referrals=list(case.referrals.filter(status=ReferralStatus.SENT)),
        tasks=list(case.tasks.filter(OPEN_TASK).select_related("owner_user")),
    )


def pending_closure(*, case: Case) -> Approval | None:
    return (
        Approval.objects.filter(case=case, kind=Approval.Kind.CLOSURE, state=Approval.State.PENDING)
        .select_related("requested_by")
        .first()
    )


def approvals_waiting_for(*, user) -> QuerySet[Approval]:
    """Plans and closures waiting for a supervisor, in the supervisor's area; nobody else's."""
    if not user_can(user, Cap.SUPERVISE):
        return Approval.objects.none()
    return (
        Approval.objects.filter(state=Approval.State.PENDING, case__in=cases_visible_to(user=user))
        .select_related("case", "requested_by", "plan")
        .order_by("requested_at", "id")
    )


# --- Tugas saya -----------------------------------------------------------------------------------


def tasks_visible_to(*, user) -> QuerySet[CaseTask]:
    """Tasks of the cases the user may see."""
    return CaseTask.objects.filter(case__in=cases_visible_to(user=user))


def my_tasks(*, user) -> QuerySet[CaseTask]:
    """The open tasks a user must do: their own, and for a case worker also those of the
    institutions on the cases they handle (someone must chase them)."""
    mine = Q(owner_user=user)
    if user_can(user, Cap.HANDLE_CASES):
        mine |= Q(owner_kind=CaseTask.Owner.INSTITUTION, case__case_worker=user)
    return (
        tasks_visible_to(user=user)
        .filter(OPEN_TASK)
        .filter(mine)
        .select_related("case", "owner_user")
        .order_by("due_on", "id")
    )


@dataclass
class TaskGroups:
    overdue: list[CaseTask]
    today: list[CaseTask]
    this_week: list[CaseTask]
    later: list[CaseTask]

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.later)


def group_tasks(tasks, *, today: dt.date | None = None) -> TaskGroups:
    """Overdue, due today, due in the next seven days, later (one pass over the tasks)."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=7)
    groups = TaskGroups([], [], [], [])
    for task in tasks:
        if task.due_on < today:
            groups.overdue.append(task)
        elif task.due_on == today:
            groups.today.append(task)
        elif task.due_on <= week_end:
            groups.this_week.append(task)
        else:
            groups.later.append(task)
    return groups


def get_task_for_user(*, user, pk: int) -> CaseTask:
    """A task of a case the user may see; otherwise a 404."""
    task = tasks_visible_to(user=user).select_related("case", "owner_user").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def may_update_task(*, user, task: CaseTask) -> bool:
    """The owner may; so may whoever handles cases (the case worker, a colleague)."""
    if not task.is_open or not task.case.is_open:
        return False
    return task.owner_user_id == user.pk or user_can(user, Cap.HANDLE_CASES)


def with_next_due(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The case list's "next action due": the earliest due date of an open task."""
    # A subquery, not a join with GROUP BY: the list keeps its ordering, paging and prefetches.
    first = CaseTask.objects.filter(case=OuterRef("pk"), state__in=CaseTask.OPEN_STATES).order_by("due_on")
    return qs.annotate(next_due=Subquery(first.values("due_on")[:1]))


def filter_next_due(qs: QuerySet[Case], choice: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases whose next action is overdue, due today, due this week, or that have none."""
    today = today or timezone.localdate()
    open_tasks = CaseTask.objects.filter(case=OuterRef("pk"), state__in=CaseTask.OPEN_STATES)
    if choice == "terlambat":
        return qs.filter(Exists(open_tasks.filter(due_on__lt=today)))
    if choice == "hari_ini":
        return qs.filter(Exists(open_tasks.filter(due_on=today)))
    if choice == "minggu_ini":
        return qs.filter(
            Exists(open_tasks.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7)))
        )
    if choice == "tanpa":
        return qs.exclude(Exists(open_tasks))
    return qs


@dataclass(frozen=True)
class CaseworkPermissions:
    view: bool = False
    manage: bool = False  # assess, plan, add tasks, conferences, transfers, referral answers
    approve: bool = False
    print_identity: bool = False

    def require(self, action: str) -> None:
        if not getattr(self, action):
            raise PermissionDenied


def casework_permissions(*, user, case: Case) -> CaseworkPermissions:
    """Staff manage a case's work; a cadre on the case reads its plan (and does their own
    tasks); a supervisor also approves. KPAD reviews the case, not its assessments."""
    if user_can(user, Cap.HANDLE_CASES):
        return CaseworkPermissions(
            view=True, manage=case.is_open, approve=user_can(user, Cap.SUPERVISE), print_identity=True
        )
    if user_can(user, Cap.OWN_CASES):
        return CaseworkPermissions(view=True)
    return CaseworkPermissions()
