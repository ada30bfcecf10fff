"""Who may see which case, and what they may do with it. The one place that decides.

Every list, detail page, action, attachment and export loads cases through
``cases_visible_to`` (a case outside it is a 404) and asks ``case_permissions``
what the user may do with one (a forbidden action is a 403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.policy import Cap, area_filter, user_can

from .models import CLOSED_STATUSES, Case, CaseCadre, Child, Escalation, Status


def cases_visible_to(*, user) -> QuerySet[Case]:
    """Petugas: every case (or their kecamatan's); kader: the cases they reported or
    accompany; KPAD: cases escalated to KPAD; admin and anyone else: none."""
    qs = Case.objects.all()
    if user_can(user, Cap.HANDLE_CASES):
        area = area_filter(user, kelurahan_path="kelurahan")
        return qs.filter(area) if area is not None else qs
    if user_can(user, Cap.OWN_CASES):
        accompanies = CaseCadre.objects.filter(case=OuterRef("pk"), user=user)
        return qs.filter(Q(reported_by=user) | Q(Exists(accompanies)))
    if user_can(user, Cap.VIEW_ESCALATED_CASES):
        return qs.filter(escalated_at__isnull=False)
    return qs.none()


def get_case_for_user(*, user, number: str) -> Case:
    """The case with this number if the user may see it; otherwise a 404 (never a 403)."""
    case = (
        cases_visible_to(user=user)
        .select_related("kelurahan__kecamatan", "reported_by", "case_worker")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404
    return case


def status_counts(*, user) -> list[dict]:
    """Cases per status in the user's area, in lifecycle order: one aggregate query."""
    counted = cases_visible_to(user=user).order_by().values("status").annotate(n=Count("pk"))
    found = {row["status"]: row["n"] for row in counted}
    return [{"status": s, "label": s.label, "count": found.get(s.value, 0)} for s in Status]


@dataclass(frozen=True)
class CasePermissions:
    view: bool = False
    see_identity: bool = False
    edit: bool = False
    change_status: bool = False
    assign: bool = False
    add_note: bool = False
    add_visit: bool = False
    add_service: bool = False
    refer: bool = False
    upload: bool = False
    download: bool = False
    export: bool = False

    def require(self, action: str) -> None:
        if not getattr(self, action):
            raise PermissionDenied


def case_permissions(*, user, case: Case) -> CasePermissions:
    """What this user may do with a case they can see (call after get_case_for_user)."""
    if user_can(user, Cap.HANDLE_CASES):
        is_open = case.status not in CLOSED_STATUSES
        return CasePermissions(
            view=True,
            see_identity=True,
            edit=True,
            change_status=True,
            assign=is_open,
            add_note=True,
            add_visit=is_open,
            add_service=is_open,
            refer=is_open,
            upload=True,
            download=True,
            export=True,
        )
    if user_can(user, Cap.OWN_CASES):
        is_open = case.status not in CLOSED_STATUSES
        return CasePermissions(
            view=True,
            see_identity=True,
            # A kader may correct their own report until the Dinas has verified it.
            edit=case.reported_by_id == user.pk and case.status == Status.DILAPORKAN,
            add_note=is_open,
            add_visit=is_open,
            upload=is_open,
            download=True,
        )
    if user_can(user, Cap.REVIEW_ESCALATIONS):
        # Read-only; the child's identity stays masked (KPAD's deliberate, audited reveal comes
        # with the escalation review).
        return CasePermissions(view=True, download=False)
    return CasePermissions()


def initials(name: str) -> str:
    """'Siti Nur Aisyah' -> 'S.N.A.': how a child appears wherever the full name is not needed."""
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"


def possible_duplicates(
    *, nik: str = "", name: str = "", birth_date=None, exclude_case_id=None
) -> QuerySet[Case]:
    """Open cases with a child of the same NIK, or the same name and birth date."""
    match = Q()
    if nik:
        match |= Q(nik=nik)
    if name and birth_date:
        match |= Q(name__iexact=name.strip(), birth_date=birth_date)
    if not match:
        return Case.objects.none()
    children = Child.objects.filter(match, case=OuterRef("pk"))
    qs = Case.objects.exclude(status__in=CLOSED_STATUSES).filter(Exists(children))
    if exclude_case_id:
        qs = qs.exclude(pk=exclude_case_id)
    return qs


def case_id_for_number(number: str) -> str | None:
    """The internal id of a case number, for the admin's audit-log filter (no case content)."""
    pk = Case.objects.filter(number=number.upper()).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else None


def case_numbers_for_ids(ids) -> dict[str, str]:
    """{str(id): number} for the audit log's case rows, in one query."""
    pks = [int(i) for i in ids if str(i).isdigit()]
    return {str(pk): number for pk, number in Case.objects.filter(pk__in=pks).values_list("pk", "number")}


# --- KPAD's review queue --------------------------------------------------------------------


def escalations_visible_to(*, user) -> QuerySet[Escalation]:
    """KPAD: every escalation of a case it may see (that is, every escalated case); anyone
    else: none (they are stopped earlier by the REVIEW_ESCALATIONS capability anyway)."""
    if not user_can(user, Cap.REVIEW_ESCALATIONS):
        return Escalation.objects.none()
    return Escalation.objects.filter(case__in=cases_visible_to(user=user))


def acknowledge_deadline(now: dt.datetime) -> dt.datetime:
    """An open escalation opened before this moment is overdue."""
    return now - dt.timedelta(days=settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS)


def overdue_q(now: dt.datetime) -> Q:
    return Q(state=Escalation.State.OPEN, opened_at__lt=acknowledge_deadline(now))


def queue_counts(*, user, now: dt.datetime | None = None) -> dict[str, int]:
    """Open, acknowledged and overdue escalations: one aggregate query."""
    now = now or timezone.now()
    return escalations_visible_to(user=user).aggregate(
        open=Count("pk", filter=Q(state=Escalation.State.OPEN)),
        acknowledged=Count("pk", filter=Q(state=Escalation.State.ACKNOWLEDGED)),
        overdue=Count("pk", filter=overdue_q(now)),
    )
