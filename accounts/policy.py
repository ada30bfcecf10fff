"""SIGAP's access policy: who may see and do what. Decided here, nowhere else.

Two questions, two kinds of answer:

* "May this user use this feature at all?" -> a capability, checked by
  ``user_can`` and the ``requires`` view decorator. A logged-in user without
  it gets 403; an anonymous one is sent to the login page.
* "Which records may this user see?" -> the user's area (``area_filter``), on
  which each app's selector builds its ``*_visible_to`` (``users_visible_to``
  in accounts.selectors, ``kelurahan_visible_to`` in kelurahan.selectors, ...).
  A record outside the user's scope is a 404, never a 403, so its existence
  does not leak.

Templates and views never test roles by hand; they ask this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The one role each user has. What a role may do is below; nothing else compares roles."""

    ADMIN = "admin", _("Administrator")
    PETUGAS = "petugas", _("Staff (petugas)")
    KADER = "kader", _("Cadre (kader)")
    KPAD = "kpad", _("KPAD commissioner")


class Cap:
    """Capabilities: the features a role may use."""

    MANAGE_USERS = "users.manage"
    VIEW_AUDIT = "audit.view"
    VIEW_REGIONS = "regions.view"
    HANDLE_CASES = "cases.handle"
    REPORT_CASES = "cases.report"
    MANAGE_CADRES = "cadres.manage"
    MANAGE_TRAINING = "training.manage"
    OWN_CASES = "cases.own"  # a kader's "kasus saya": the cases they reported or accompany
    ACCOMPANY_CASES = "cases.accompany"  # accompany a child's case (and so see the child's identity)
    VIEW_ESCALATED_CASES = "cases.escalated"
    REVIEW_ESCALATIONS = "kpad.review"
    ESCALATE_CASES = "cases.escalate"  # escalate a case to KPAD by hand, answer KPAD's requests
    VOTE = "board.vote"  # vote in the cadres' board election
    VIEW_REPORTS = "reports.view"  # the dashboard, the recap, anonymised exports
    EXPORT_IDENTITIES = "reports.export_identities"  # the case list with children's identities, with a reason
    LOG_OUTREACH = "outreach.log"
    # Approve a service plan or a closure, or send it back; override a closure block with a
    # reason; approve records due for destruction. Held by a petugas marked as supervisor
    # (Kasubid PP & PA or a koordinator), not by a role of its own.
    SUPERVISE = "cases.supervise"
    # The double entry into SIMFONI-PPA: each child's entry sheet, ready and register number,
    # the "not yet entered" list, the monthly reconciliation (children's data: petugas only).
    ENTER_SIMFONI = "simfoni.enter"
    OWN_TRAINING = "training.own"  # "Pelatihan saya": one's own trainings, attendance, certificates
    # Keep one's own pages on the device and queue sends while offline (the service worker and
    # the outbox: accounts.offline, static/js/offline.js). Only for those who see few records.
    WORK_OFFLINE = "device.offline"
    # UU 27/2022 (PDP) duties, the privacy app: the register of data-subject requests, the
    # breach register, the retention periods and destruction lists, a legal hold on a case.
    HANDLE_SUBJECT_REQUESTS = "privacy.requests"
    RECORD_BREACHES = "privacy.breaches"
    VIEW_RETENTION = "privacy.retention"
    HOLD_CASES = "privacy.hold"


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    # The admin keeps the system: accounts, reference lists, the audit log. Not cases.
    # A breach is often found by whoever keeps the system, so the admin records breaches too, and
    # sees the retention periods and what was destroyed (never the cases themselves).
    Role.ADMIN: frozenset(
        {Cap.MANAGE_USERS, Cap.VIEW_AUDIT, Cap.VIEW_REGIONS, Cap.RECORD_BREACHES, Cap.VIEW_RETENTION}
    ),
    Role.PETUGAS: frozenset(
        {
            Cap.VIEW_REGIONS,
            Cap.HANDLE_CASES,
            Cap.REPORT_CASES,
            Cap.ESCALATE_CASES,
            Cap.MANAGE_CADRES,
            Cap.MANAGE_TRAINING,
            Cap.VIEW_REPORTS,
            Cap.EXPORT_IDENTITIES,
            Cap.ENTER_SIMFONI,
            Cap.HANDLE_SUBJECT_REQUESTS,
            Cap.RECORD_BREACHES,
            Cap.VIEW_RETENTION,
            Cap.HOLD_CASES,
        }
    ),
    Role.KADER: frozenset(
        {
            Cap.REPORT_CASES,
            Cap.OWN_CASES,
            Cap.ACCOMPANY_CASES,
            Cap.LOG_OUTREACH,
            Cap.VOTE,
            Cap.OWN_TRAINING,
            Cap.WORK_OFFLINE,
        }
    ),
    Role.KPAD: frozenset({Cap.REVIEW_ESCALATIONS, Cap.VIEW_ESCALATED_CASES}),
}

START_PAGES: dict[str, str] = {
    Role.ADMIN: "accounts:user_list",
    Role.PETUGAS: "start:petugas",
    Role.KADER: "start:kader",
    Role.KPAD: "start:kpad",
}


# The roles whose users may be marked as supervisor (User.is_supervisor): those who handle
# cases. The mark means nothing on another role (the model refuses it).
SUPERVISOR_ROLES: frozenset[str] = frozenset({Role.PETUGAS})


def may_be_supervisor(role: str) -> bool:
    return role in SUPERVISOR_ROLES


def capability_q(capability: str, *, path: str = "") -> Q:
    """A filter for users (at ``path``) whose role has the capability, or, for SUPERVISE, who
    carry the supervisor mark on a role that may hold it: the query form of capabilities_of."""
    q = Q(**{f"{path}role__in": roles_with(capability)})
    if capability == Cap.SUPERVISE:
        q |= Q(**{f"{path}role__in": list(SUPERVISOR_ROLES), f"{path}is_supervisor": True})
    return q


def capabilities_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    # Between the password and the second factor a session may do nothing (set by
    # accounts.middleware.SecondFactorMiddleware); the middleware also redirects, this holds
    # should a view ever be reached anyway.
    if getattr(user, "second_factor_pending", False):
        return frozenset()
    capabilities = ROLE_CAPABILITIES.get(user.role, frozenset())
    if getattr(user, "is_supervisor", False) and may_be_supervisor(user.role):
        capabilities = capabilities | {Cap.SUPERVISE}
    return capabilities


def user_can(user, capability: str) -> bool:
    return capability in capabilities_of(user)


def roles_with(capability: str) -> list[str]:
    """The roles whose users have this capability."""
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]


def role_can(role: str, capability: str) -> bool:
    """Whether users of this role have the capability (for a role being chosen, before it is saved)."""
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def uses_django_admin(role: str) -> bool:
    """Django's own admin (is_staff) is for those who keep the accounts."""
    return role_can(role, Cap.MANAGE_USERS)


# --- Second factor ----------------------------------------------------------------------------


class SecondFactor:
    """Whether a role must use a second factor (when SIGAP_REQUIRE_2FA is on) or may choose to."""

    REQUIRED = "required"
    OPTIONAL = "optional"


ROLE_SECOND_FACTOR: dict[str, str] = {
    # Those who see many children's cases, or keep the accounts, must prove a second factor.
    Role.ADMIN: SecondFactor.REQUIRED,
    Role.PETUGAS: SecondFactor.REQUIRED,
    Role.KPAD: SecondFactor.REQUIRED,
    # A volunteer on a cheap phone sees only their own cases: their choice.
    Role.KADER: SecondFactor.OPTIONAL,
}


def second_factor_required(user) -> bool:
    """Must this user pass a second factor to use SIGAP at all? (An unknown role must.)"""
    if not settings.SIGAP_REQUIRE_2FA:
        return False
    return ROLE_SECOND_FACTOR.get(user.role, SecondFactor.REQUIRED) == SecondFactor.REQUIRED


def may_turn_off_second_factor(user) -> bool:
    return not second_factor_required(user)


def start_url_for(user) -> str:
    return reverse(START_PAGES[user.role])


def requires(capability: str) -> Callable:
    """View decorator: log in first, then 403 unless the user has the capability."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


# --- Navigation: built from the same capabilities -------------------------------------------


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str | None  # None: every logged-in user


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", None),
    NavItem(_("Dashboard"), "reports:dashboard", Cap.VIEW_REPORTS),
    NavItem(_("Cases"), "cases:list", Cap.HANDLE_CASES),
    NavItem(_("My cases"), "cases:mine", Cap.OWN_CASES),
    NavItem(_("Report a case"), "cases:report", Cap.REPORT_CASES),
    NavItem(_("KPAD review queue"), "cases:kpad_queue", Cap.REVIEW_ESCALATIONS),
    NavItem(_("Escalated cases"), "cases:escalated", Cap.VIEW_ESCALATED_CASES),
    NavItem(_("My activity"), "cadres:my_activity", Cap.LOG_OUTREACH),
    NavItem(_("My training"), "training:mine", Cap.OWN_TRAINING),
    NavItem(_("Board election"), "board:my_elections", Cap.VOTE),
    NavItem(_("Cadres"), "cadres:list", Cap.MANAGE_CADRES),
    NavItem(_("Training"), "training:list", Cap.MANAGE_TRAINING),
    NavItem(_("Board"), "board:index", Cap.MANAGE_CADRES),
    NavItem(_("Recap"), "reports:recap", Cap.VIEW_REPORTS),
    NavItem(_("SIMFONI-PPA"), "reports:simfoni", Cap.ENTER_SIMFONI),
    NavItem(_("Exports"), "reports:exports", Cap.VIEW_REPORTS),
    NavItem(_("Users"), "accounts:user_list", Cap.MANAGE_USERS),
    NavItem(_("Audit log"), "accounts:audit_list", Cap.VIEW_AUDIT),
    NavItem(_("Subject requests"), "privacy:request_list", Cap.HANDLE_SUBJECT_REQUESTS),
    NavItem(_("Data breaches"), "privacy:breach_list", Cap.RECORD_BREACHES),
    NavItem(_("Retention"), "privacy:retention", Cap.VIEW_RETENTION),
    NavItem(_("Regions"), "kelurahan:list", Cap.VIEW_REGIONS),
)


def navigation_for(user) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if item.capability is not None and not user_can(user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a feature whose app is not installed
            continue
        items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items


# --- Record scopes --------------------------------------------------------------------------


class Area:
    """The kind of area a role's users may be bound to."""

    KELURAHAN = "kelurahan"  # a kader: always one kelurahan
    KECAMATAN = "kecamatan"  # a petugas: optionally one kecamatan (none: the whole city)


ROLE_AREAS: dict[str, str] = {Role.KADER: Area.KELURAHAN, Role.PETUGAS: Area.KECAMATAN}
AREA_REQUIRED: frozenset[str] = frozenset({Role.KADER})


def area_kind(role: str) -> str | None:
    """The kind of area users of this role are bound to, if any."""
    return ROLE_AREAS.get(role)


ROSTER_ROLES: frozenset[str] = frozenset({Role.KADER})


def on_the_roster(role: str) -> bool:
    """Whether an account of this role is a cadre of the roster (cadres links it to its entry)."""
    return role in ROSTER_ROLES


def bound_to_kelurahan(user) -> bool:
    """Whether this user's area is one kelurahan (a kader's login follows the cadre's kelurahan)."""
    return area_kind(user.role) == Area.KELURAHAN


def area_for_role(role: str, *, kelurahan=None, kecamatan=None) -> dict:
    """The area fields a user of this role keeps: a kelurahan only for a kader, a kecamatan only
    for a petugas; the other is emptied, so a value left in a hidden field does no harm."""
    kind = area_kind(role)
    return {
        "kelurahan": kelurahan if kind == Area.KELURAHAN else None,
        "kecamatan": kecamatan if kind == Area.KECAMATAN else None,
    }


def area_errors(role: str, *, kelurahan_id, kecamatan_id) -> dict:
    """What is wrong with a user's area for their role: {field: message}; empty when right."""
    kind = area_kind(role)
    errors = {}
    if role in AREA_REQUIRED and kind == Area.KELURAHAN and not kelurahan_id:
        errors["kelurahan"] = _("A cadre must be bound to a kelurahan.")
    if kind != Area.KELURAHAN and kelurahan_id:
        errors["kelurahan"] = _("Only a cadre is bound to a kelurahan.")
    if kind != Area.KECAMATAN and kecamatan_id:
        errors["kecamatan"] = _("Only staff can be limited to a kecamatan.")
    return errors


def supervisor_errors(role: str, is_supervisor: bool) -> dict:
    """What is wrong with a user's supervisor mark for their role: {field: message}."""
    if is_supervisor and not may_be_supervisor(role):
        return {"is_supervisor": _("Only staff (petugas) can be a supervisor.")}
    return {}


def user_area_constraints() -> list[models.CheckConstraint]:
    """The database's own guard of the areas above and of the supervisor mark (accounts.User's Meta)."""
    return [
        models.CheckConstraint(
            condition=Q(is_supervisor=False) | Q(role__in=sorted(SUPERVISOR_ROLES)),
            name="user_only_petugas_supervises",
        ),
        models.CheckConstraint(
            condition=~Q(role=Role.KADER) | Q(kelurahan__isnull=False), name="user_kader_has_kelurahan"
        ),
        models.CheckConstraint(
            condition=Q(role=Role.KADER) | Q(kelurahan__isnull=True), name="user_only_kader_has_kelurahan"
        ),
        models.CheckConstraint(
            condition=Q(role=Role.PETUGAS) | Q(kecamatan__isnull=True), name="user_only_petugas_has_kecamatan"
        ),
    ]


def report_area_filter(user, *, kelurahan_path: str) -> Q | None:
    """Where a user may report a case. Those who see cases by area (a petugas limited to a
    kecamatan) report within it, so the case they report is one they can open; a kader sees
    the cases they report wherever they are, so reports anywhere."""
    if user_can(user, Cap.HANDLE_CASES):
        return area_filter(user, kelurahan_path=kelurahan_path)
    return None


def area_filter(user, *, kelurahan_path: str) -> Q | None:
    """The area restriction of a user, as a Q on a path to a Kelurahan.

    Returns None when the user is not limited by area (a city-wide petugas,
    a KPAD commissioner, the admin). A kader is limited to their kelurahan,
    a petugas with a kecamatan to that kecamatan.
    """
    kecamatan_path = "kecamatan" if kelurahan_path == "pk" else f"{kelurahan_path}__kecamatan"
    kind = area_kind(user.role)
    if kind == Area.KELURAHAN:
        return Q(**{kelurahan_path: user.kelurahan_id})
    if kind == Area.KECAMATAN and user.kecamatan_id:
        return Q(**{kecamatan_path: user.kecamatan_id})
    return None


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Load one record from an already-scoped queryset; outside the scope is a 404."""
    return get_object_or_404(queryset, **lookup)
