"""Reporting a case: the kader's phone-first form and the petugas' full form, drafts, duplicates.

* ``lapor/``: one form for both roles (cases.forms.Intake); a kader gets it in
  four short steps (static/js/intake.js shows one at a time; without JavaScript
  all show on one page), a petugas on one page.
* ``lapor/draf/``: the user's own unfinished report on the server (JSON), next to
  the copy intake.js keeps in the phone's localStorage.
* ``lapor/cek-duplikat/``: the records a child typed in may already have, asked by POST so
  a child's NIK or name never appears in a URL or an access log; the reporter may link the
  report to one they may see. Staff are told of a record outside their area, a kader not.
* ``<number>/ubah/``: the same form, prefilled, for whoever may edit the case.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.offline import offline_page
from accounts.policy import Cap, requires, user_can
from accounts.services import client_ip
from cases import person_services, selectors, services
from cases.forms import Intake, edit_conflict, match_rows
from cases.links import case_url
from cases.models import Case, CaseEvent

MAX_DRAFT_BYTES = 200_000
SENT_COOKIE = "sigap_intake_sent"  # tells intake.js that the report was sent: drop the phone's draft


ROW_PREFIX = re.compile(r"^children-\d{1,2}$")


def _record_matches(request, persons) -> None:
    for person in persons:
        person_services.person_record_access(
            actor=request.user, person=person, action="person.duplicate_match", ip=client_ip(request)
        )


def _render_form(
    request, intake: Intake, *, case: Case | None = None, status: int = 200, extra: dict | None = None
):
    user = request.user
    context = {
        **(extra or {}),
        "intake": intake,
        "form": intake.case_form,
        "children": intake.children,
        "perpetrators": intake.perpetrators,
        "has_matches": intake.has_matches,
        "several_children": intake.several_children,
        "case": case,
        # Case workers get the form on one page; everyone else in short steps, phone first.
        "stepped": not user_can(user, Cap.HANDLE_CASES),
        "show_confirm_new": case is None
        and (intake.has_matches or (intake.is_bound and bool(intake.case_form.data.get("confirm_new")))),
        "has_errors": intake.is_bound
        and bool(
            intake.case_form.errors
            or intake.children.total_error_count()
            or intake.perpetrators.total_error_count()
        ),
        "cancel_url": case_url(case.number) if case else "",
        "draft_enabled": case is None,
        "draft_days": settings.SIGAP_DEVICE_DRAFT_DAYS,
    }
    return render(request, "cases/intake/form.html", context, status=status)


def _extra_row(request) -> str | None:
    """Without JavaScript, "add another child/perpetrator" is a submit button: show one more row."""
    for which in ("children", "perpetrators"):
        if f"add_{which}" in request.POST:
            return which
    return None


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.REPORT_CASES)
@offline_page
def case_report(request):
    if request.method == "GET":
        return _render_form(request, Intake(user=request.user))
    intake = Intake(request.POST, user=request.user)
    which = _extra_row(request)
    if which:
        return _render_form(request, intake.with_extra_row(which))
    if not intake.is_valid():
        return _render_form(request, intake)
    if intake.find_matches() and not intake.case_form.cleaned_data.get("confirm_new"):
        intake.has_matches = True
        _record_matches(request, intake.matched_persons())
        return _render_form(request, intake)
    try:
        case = services.case_create(
            actor=request.user,
            ip=client_ip(request),
            check_duplicates=not intake.case_form.cleaned_data.get("confirm_new"),
            **intake.save_kwargs(),
        )
    except services.DuplicateChild as error:
        # The same child's report arrived a moment ago: show its record, as the check would have.
        intake.case_form.add_error(None, error)
        intake.has_matches = intake.find_matches()
        _record_matches(request, intake.matched_persons())
        return _render_form(request, intake)
    except ValidationError as error:
        intake.case_form.add_error(None, error)
        return _render_form(request, intake)
    messages.success(
        request, _("The case was reported with number %(number)s. Thank you.") % {"number": case.number}
    )
    response = redirect(case_url(case.number))
    # Not HttpOnly: intake.js reads it to drop the draft kept on the phone, then deletes it.
    response.set_cookie(SENT_COOKIE, "1", max_age=7 * 24 * 3600, samesite="Lax", httponly=False)
    return response


def _json_body(request) -> dict | None:
    try:
        raw = request.body
    except RawPostDataException:  # a multipart form, read already: not the JSON these take
        return None
    if len(raw) > MAX_DRAFT_BYTES:
        return None
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.REPORT_CASES)
def draft(request):
    """The user's own draft: GET reads it, POST (a JSON object) replaces it."""
    if request.method == "GET":
        found = services.intake_draft_current(user=request.user)
        if found is None:
            return JsonResponse({"data": None, "updated_at": None})
        return JsonResponse({"data": found.data, "updated_at": found.updated_at.isoformat()})
    body = _json_body(request)
    if body is None or not isinstance(body.get("data"), dict):
        return HttpResponseBadRequest(_("The draft could not be read."))
    saved = services.intake_draft_save(user=request.user, data=body["data"])
    return JsonResponse({"saved": True, "updated_at": saved.updated_at.isoformat()})


@require_POST
@requires(Cap.REPORT_CASES)
def draft_discard(request):
    services.intake_draft_discard(user=request.user)
    if request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get(
        "accept", ""
    ):
        return JsonResponse({"discarded": True})
    messages.info(request, _("The draft was discarded."))
    return redirect("cases:report")


@never_cache
@require_POST
@requires(Cap.REPORT_CASES)
def duplicates(request):
    """The records one child may already have, as an HTML fragment. POST with a JSON body
    {nik} or {name, birth_date}, optionally the case being edited and the row's form prefix
    (then the records the user may see come as a choice for that row)."""
    body = _json_body(request)
    if body is None:
        return HttpResponseBadRequest(_("The request could not be read."))
    nik = str(body.get("nik") or "").strip()
    nik = nik if len(nik) == 16 and nik.isdigit() else ""
    name = str(body.get("name") or "").strip()[:120]
    try:
        birth_date = parse_date(str(body.get("birth_date") or ""))
    except ValueError:
        birth_date = None
    exclude = None
    if body.get("case"):
        exclude = selectors.get_case_for_user(user=request.user, number=str(body["case"])[:20]).pk
    prefix = str(body.get("prefix") or "")
    found = selectors.matching_persons(
        user=request.user, nik=nik, name=name, birth_date=birth_date, exclude_case_id=exclude
    )
    elsewhere = found.elsewhere and selectors.user_sees_elsewhere(request.user)
    _record_matches(request, found.visible)
    html = render_to_string(
        "cases/intake/_duplicates.html",
        {
            "matches": match_rows(user=request.user, persons=found.visible),
            "elsewhere": elsewhere,
            "prefix": prefix if ROW_PREFIX.match(prefix) else "",
        },
        request=request,
    )
    return JsonResponse({"count": len(found.visible) + int(elsewhere), "html": html})


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def case_edit(request, number: str):
    # No feature-level check first: a case outside the user's scope must be a 404 for
    # every role, and case_permissions decides the rest.
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = selectors.case_permissions(user=request.user, case=case)
    if not perms.edit and perms.edit_locked:
        return _edit_locked(request, case)
    perms.require("edit")
    if request.method == "GET":
        services.case_record_access(
            actor=request.user, case=case, action="case.view", ip=client_ip(request), page="edit"
        )
        return _render_form(request, Intake(user=request.user, case=case), case=case)
    intake = Intake(request.POST, user=request.user, case=case)
    which = _extra_row(request)
    if which:
        return _render_form(request, intake.with_extra_row(which), case=case)
    if not intake.is_valid():
        return _render_form(request, intake, case=case)
    try:
        services.case_update(
            actor=request.user,
            case=case,
            expected_version=intake.case_form.cleaned_data.get("version"),
            ip=client_ip(request),
            **intake.save_kwargs(),
        )
    except services.EditConflict:
        case.refresh_from_db()
        again, changes = edit_conflict(intake, case=case)
        edit = selectors.last_event(case=case, kind=CaseEvent.Kind.EDIT)
        conflict = {"changes": changes, "who": edit.actor if edit else None, "at": edit.at if edit else None}
        return _render_form(request, again, case=case, status=409, extra={"conflict": conflict})
    except ValidationError as error:
        intake.case_form.add_error(None, error)
        return _render_form(request, intake, case=case)
    messages.success(request, _("The case %(number)s was updated.") % {"number": case.number})
    return redirect(case_url(case.number))


def _edit_locked(request, case: Case):
    """A kader's correction of their report after the Dinas verified it: said plainly, and
    what they typed shown back to copy into a note (never a bare 403, never lost)."""
    message = _(
        "The Dinas has already verified this case, so your report can no longer be changed. "
        "Nothing was saved. Add what is new or corrected as a note on the case page, or tell the "
        "case worker."
    )
    if request.method == "GET":
        messages.info(request, message)
        return redirect(case_url(case.number))
    intake = Intake(request.POST, user=request.user, case=case)
    intake.is_valid()
    return _render_form(request, intake, case=case, status=409, extra={"locked_message": message})


urlpatterns: list = [
    path("lapor/", case_report, name="report"),
    path("lapor/draf/", draft, name="draft"),
    path("lapor/draf/buang/", draft_discard, name="draft_discard"),
    path("lapor/cek-duplikat/", duplicates, name="duplicates"),
    path("<str:number>/ubah/", case_edit, name="edit"),
]
