"""Logging in and account security: the password step, the second factor (give a code, set up an
authenticator, recovery codes), the user's own security page, and the admin's unlock, second
factor reset and failed-login page.

The order of a login: password (SIGAP's form or Django admin's; throttled by accounts.lockout),
then, if the user has an authenticator or their role must have one, the second factor
(accounts.middleware.SecondFactorMiddleware lets nothing else through until then).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from . import second_factor, services
from .forms import EnrolForm, RecoveryCodeForm, SecondFactorForm
from .lockout import lock_state, recent_failures
from .middleware import mark_second_factor, second_factor_step
from .policy import Cap, get_visible_or_404, may_turn_off_second_factor, requires
from .selectors import users_visible_to

STEP_URLS = {"verify": "accounts:otp_verify", "enrol": "accounts:otp_enrol"}


def _next_url(request) -> str:
    """Where to go once logged in: the ``next`` asked for, if it is SIGAP's own, else the start page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _step_url(step: str, next_url: str) -> str:
    return f"{reverse(STEP_URLS[step])}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """The password step. A user who has a second factor to give goes on to it."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        step = second_factor_step(self.request)
        return _step_url(step, url) if step else url


# What the browser must forget when a user logs out: the pages the service worker kept, the
# report draft, the outbox of unsent items (localStorage, IndexedDB, Cache Storage and the
# service worker itself). Not the cookies: the next user's login needs the CSRF cookie.
CLEAR_SITE_DATA = '"cache", "storage"'


class LogoutView(auth_views.LogoutView):
    """Log out, and tell the browser to drop everything SIGAP kept on the device (a shared phone
    must not show the next person a child's data)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request):
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if request.second_factor_step != "verify":
        return redirect(next_url)
    user = request.user
    if second_factor.app_device(user) is None and second_factor.recovery_device(user) is None:
        # Reset by the admin since this session began: nothing to verify any more.
        mark_second_factor(request, present=False)
        return redirect(next_url)
    code_form = SecondFactorForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(request.POST if "recovery_code" in request.POST else None)
    form = recovery_form if recovery_form.is_bound else code_form
    if request.method == "POST" and form.is_valid():
        result = second_factor.second_factor_verify(
            user=user, code=form.cleaned_data[form.field_name], ip=services.client_ip(request)
        )
        if result.ok:
            otp_login(request, result.device)
            request.session.cycle_key()
            if result.recovery_codes_left is not None:
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(left)s is left. Make new ones under Account security.",
                        "You used a recovery code: %(left)s are left. Make new ones under Account security.",
                        result.recovery_codes_left,
                    )
                    % {"left": result.recovery_codes_left},
                )
            return redirect(next_url)
        form.add_error(form.field_name, result.error)
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "code_form": code_form,
            "recovery_form": recovery_form,
            "next": next_url,
            "show_recovery": recovery_form.is_bound,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def otp_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), then give a code from it."""
    next_url = _next_url(request)
    if request.second_factor_step == "verify":
        # A session must prove the authenticator it has before putting another in its place.
        return redirect(_step_url("verify", next_url))
    user = request.user
    device = second_factor.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = second_factor.second_factor_enrol(
            user=user, device_id=device.pk, token=form.cleaned_data["code"], ip=services.client_ip(request)
        )
        if done is not None:
            device, codes = done
            otp_login(request, device)
            mark_second_factor(request, present=True)
            request.session.cycle_key()
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url, "enrolled": True}
            )
        form.add_error("code", _("That code is wrong or has expired. Try the newest code from the app."))
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_code": second_factor.qr_code_svg(device),
            "key": second_factor.key_for_typing(device),
            "next": next_url,
            "required": request.second_factor_step == "enrol",
            "replacing": second_factor.has_second_factor(user),
        },
    )


@require_GET
@login_required
def security(request):
    """The user's own account security: the second factor and the recovery codes."""
    user = request.user
    device = second_factor.app_device(user)
    return render(
        request,
        "accounts/security.html",
        {
            "device": device,
            "codes_left": second_factor.recovery_codes_left(user) if device else 0,
            "may_turn_off": may_turn_off_second_factor(user),
        },
    )


@require_POST
@login_required
def recovery_codes_new(request):
    if second_factor.app_device(request.user) is None:
        return redirect("accounts:security")
    codes = second_factor.recovery_codes_regenerate(user=request.user, ip=services.client_ip(request))
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:security")}
    )


@require_POST
@login_required
def second_factor_off(request):
    if not may_turn_off_second_factor(request.user):
        raise PermissionDenied
    second_factor.second_factor_disable(user=request.user, ip=services.client_ip(request))
    mark_second_factor(request, present=False)
    messages.success(request, _("Two-step verification is off for your account."))
    return redirect("accounts:security")


# --- The admin ----------------------------------------------------------------------------------


@require_POST
@requires(Cap.MANAGE_USERS)
def user_unlock(request, pk: int):
    target = get_visible_or_404(users_visible_to(user=request.user), pk=pk)
    services.user_unlock_login(actor=request.user, user=target, ip=services.client_ip(request))
    messages.success(request, _("%(username)s can log in again.") % {"username": target.username})
    if request.POST.get("back") == "failed":
        return redirect("accounts:failed_logins")
    return redirect("accounts:user_edit", target.pk)


@require_POST
@requires(Cap.MANAGE_USERS)
def user_reset_second_factor(request, pk: int):
    target = get_visible_or_404(users_visible_to(user=request.user), pk=pk)
    services.user_reset_second_factor(actor=request.user, user=target, ip=services.client_ip(request))
    messages.success(
        request,
        _(
            "The two-step verification of %(username)s was reset. "
            "They set up a new authenticator at their next login."
        )
        % {"username": target.username},
    )
    return redirect("accounts:user_edit", target.pk)


@require_GET
@requires(Cap.MANAGE_USERS)
def failed_logins(request):
    """Failed logins of the last minutes, per user name and address, with what is locked."""
    rows = recent_failures()
    known = dict(
        users_visible_to(user=request.user)
        .filter(username__in={r["username"] for r in rows if r["username"]})
        .values_list("username", "pk")
    )
    for row in rows:
        row["user_pk"] = known.get(row["username"])
    return render(
        request,
        "accounts/failed_logins.html",
        {"rows": rows, "cooloff_minutes": settings.SIGAP_LOGIN_COOLOFF_MINUTES},
    )


def user_security_context(target) -> dict:
    """What the admin's user page shows of an account's security."""
    return {
        "lock": lock_state(target.username),
        "second_factor": second_factor.app_device(target),
    }
