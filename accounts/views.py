from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.paging import page_without_count

from . import services
from .audit import action_label, detail_lines, record_names, record_type_label, target_id_for_name
from .forms import AuditFilterForm, SetPasswordForm, UserCreateForm, UserEditForm, UserFilterForm
from .lockout import lock_states
from .models import AuditEvent, Notification
from .policy import Cap, get_visible_or_404, requires, start_url_for
from .security_views import user_security_context
from .selectors import users_visible_to

# The audit log's search by case number: the cases app registers how its records are named.
CASE_TARGET = "cases.case"


@require_GET
@login_required
def home(request):
    """Send each role to its own start page."""
    return redirect(start_url_for(request.user))


# --- User management (admin) ------------------------------------------------------------------


@require_GET
@requires(Cap.MANAGE_USERS)
def user_list(request):
    form = UserFilterForm(request.GET or None)
    users = users_visible_to(user=request.user).select_related("cadre").order_by("role", "username")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            users = users.filter(
                Q(username__icontains=q)
                | Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(email__icontains=q)
            )
        if form.cleaned_data["role"]:
            users = users.filter(role=form.cleaned_data["role"])
        if form.cleaned_data["active"]:
            users = users.filter(is_active=form.cleaned_data["active"] == "1")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    locks = lock_states(u.username for u in page)
    for user in page:
        user.login_locked = locks[user.username].locked if user.username in locks else False
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_USERS)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            actor=request.user,
            ip=services.client_ip(request),
            username=data["username"],
            password=data["password2"],
            role=data["role"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            kelurahan=data["kelurahan"],
            kecamatan=data["kecamatan"],
            is_supervisor=data["is_supervisor"],
            roster=form.roster(),
        )
        messages.success(request, _("User %(username)s was created.") % {"username": user.username})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "is_new": True})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_USERS)
def user_edit(request, pk: int):
    target = get_visible_or_404(users_visible_to(user=request.user), pk=pk)
    form = UserEditForm(request.POST or None, instance=target, actor=request.user)
    if request.method == "POST" and form.is_valid():
        # The service reloads the user, applies these values, and records what changed.
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "username"}
        services.user_update(
            actor=request.user, user=target, ip=services.client_ip(request), roster=form.roster(), **changes
        )
        messages.success(request, _("User %(username)s was updated.") % {"username": target.username})
        return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "is_new": False, "target": target, **user_security_context(target)},
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_USERS)
def user_set_password(request, pk: int):
    target = get_visible_or_404(users_visible_to(user=request.user), pk=pk)
    form = SetPasswordForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            actor=request.user,
            user=target,
            password=form.cleaned_data["password2"],
            ip=services.client_ip(request),
        )
        messages.success(
            request, _("The password of %(username)s was changed.") % {"username": target.username}
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


# --- Audit log (admin) ------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 100


@require_GET
@requires(Cap.VIEW_AUDIT)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["action"].endswith("."):
            events = events.filter(action__startswith=data["action"])  # every action of one area
        elif data["action"]:
            events = events.filter(action=data["action"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["target_id"]:
            events = events.filter(target_id=data["target_id"].strip())
        if data["case_number"]:
            # Every view, change, download and export of one case, by its readable number.
            case_id = target_id_for_name(CASE_TARGET, data["case_number"].strip())
            events = events.filter(target_type=CASE_TARGET, target_id=case_id or "0")
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    # No exact count: the log grows without end, so page by "newer/older" only.
    page = page_without_count(request, events, AUDIT_PAGE_SIZE)
    rows = page.rows
    names = record_names(rows)
    for event in rows:
        event.case_number = names.get((event.target_type, event.target_id))
        event.action_label = action_label(event.action)
        event.record_type_label = record_type_label(event.target_type)
        event.detail_lines = detail_lines(event)
    return render(request, "accounts/audit_list.html", {"form": form, "events": rows, **page.context()})


# --- Notifications (every role) ---------------------------------------------------------------


@require_GET
@login_required
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Mark one message read and follow its link (only the user's own messages: 404 otherwise)."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("accounts:notifications")


@require_POST
@login_required
def notification_read_all(request):
    services.notification_mark_read(user=request.user)
    return redirect("accounts:notifications")
