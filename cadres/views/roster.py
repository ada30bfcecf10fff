"""The cadre roster: list, profile, create and edit, a login for a cadre, import and export,
and the overview ("how many of each cohort are still active, and where are the gaps?").

Every page needs Cap.MANAGE_CADRES (403 otherwise) and loads cadres through
``cadres_visible_to`` (a cadre outside the user's area is a 404). Writes go through
cadres.services, which write the audit rows.

Import: the uploaded file is read and checked at once; the preview lists every bad line with
its reasons and says of every good one whether it is new, updates a cadre on the roster (and
which fields) or changes nothing. Only a file without bad lines, and with something to change,
can be committed: its checked rows are kept in the session under a random token (the client
sends back only the token, never the rows), and the commit writes all of them in one
transaction, or none.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Cap, requires
from accounts.private_search import SEARCH_PARAMETER, keep_search, recall_search
from accounts.services import client_ip
from core.paging import page_without_count
from kelurahan.selectors import kelurahan_visible_to

from .. import importer, selectors, services
from ..forms import CadreFilterForm, CadreForm, CadreLoginForm, ImportUploadForm
from ..models import CadreStatus

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "cadre_imports"
SEARCH_SESSION_KEY = "cadre_searches"
MAX_KEPT_IMPORTS = 3
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered(request) -> tuple[CadreFilterForm, object]:
    """The roster as filtered by the query string; the search text comes from the session."""
    data = request.GET.copy()
    data.pop("q", None)  # a search never comes from an address (it may be a NIK)
    data.pop(SEARCH_PARAMETER, None)
    text = recall_search(request, key=SEARCH_SESSION_KEY)
    if text:
        data["q"] = text
    kelurahan_qs = kelurahan_visible_to(user=request.user)
    form = CadreFilterForm(data or None, kelurahan_qs=kelurahan_qs)
    cadres = selectors.cadres_visible_to(user=request.user).select_related("kelurahan__kecamatan")
    if form.is_bound:
        cadres = form.apply(cadres)
    return form, cadres.order_by("name", "pk")


def _list_query(request) -> str:
    """The list's address without the page number (and without any search text)."""
    query = request.GET.copy()
    for name in ("page", "q"):
        query.pop(name, None)
    return query.urlencode()


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def roster_list(request):
    """The roster. The filter form is POSTed: the filters go back into the address, the search
    text (a name, a NIK or a phone number) into the session under a token."""
    if request.method == "POST":
        form = CadreFilterForm(request.POST, kelurahan_qs=kelurahan_visible_to(user=request.user))
        if form.is_valid():
            query = form.filter_query()
            text = form.cleaned_data["q"].strip()
            if text:
                query[SEARCH_PARAMETER] = keep_search(request, key=SEARCH_SESSION_KEY, text=text)
            address = reverse("cadres:list")
            return redirect(f"{address}?{query.urlencode()}" if query else address)
        cadres = selectors.cadres_visible_to(user=request.user).none()
    else:
        form, cadres = _filtered(request)
        if request.GET.get(SEARCH_PARAMETER) and not recall_search(request, key=SEARCH_SESSION_KEY):
            messages.info(request, _("That search has expired. Please search again."))
    page = Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/roster/list.html",
        {"form": form, "page": page, "query": _list_query(request), "total": page.paginator.count},
    )


@require_GET
@requires(Cap.MANAGE_CADRES)
def cadre_detail(request, pk: int):
    cadre = selectors.get_cadre_for_user(user=request.user, pk=pk)
    activities = list(cadre.activities.all()[:200])
    return render(
        request,
        "cadres/roster/detail.html",
        {
            "cadre": cadre,
            "activities": activities,
            "is_active": selectors.is_active(cadre),
            "login_form": CadreLoginForm() if not cadre.user_id else None,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def cadre_create(request):
    kelurahan_qs = kelurahan_visible_to(user=request.user)
    form = CadreForm(request.POST or None, kelurahan_qs=kelurahan_qs)
    if request.method == "POST" and form.is_valid():
        cadre = services.cadre_create(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("The cadre has been added to the roster."))
        return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/roster/form.html", {"form": form, "cadre": None})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def cadre_edit(request, pk: int):
    cadre = selectors.get_cadre_for_user(user=request.user, pk=pk)
    kelurahan_qs = kelurahan_visible_to(user=request.user)
    form = CadreForm(request.POST or None, instance=cadre, kelurahan_qs=kelurahan_qs)
    if request.method == "POST" and form.is_valid():
        services.cadre_update(actor=request.user, cadre=cadre, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("The changes have been saved."))
        return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/roster/form.html", {"form": form, "cadre": cadre})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def cadre_create_login(request, pk: int):
    cadre = selectors.get_cadre_for_user(user=request.user, pk=pk)
    if cadre.user_id:
        messages.error(request, _("This cadre already has a login."))
        return redirect("cadres:detail", pk=cadre.pk)
    form = CadreLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_create_login(
                actor=request.user,
                cadre=cadre,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.CadreHasLogin:
            messages.error(request, _("This cadre already has a login."))
        else:
            messages.success(
                request,
                _("The login “%(username)s” has been created. Give the cadre the password in person.")
                % {"username": form.cleaned_data["username"]},
            )
        return redirect("cadres:detail", pk=cadre.pk)
    return render(request, "cadres/roster/login_form.html", {"form": form, "cadre": cadre})


# --- Import and export -----------------------------------------------------------------------------


def _keep_import(request, rows: list[dict], file_type: str) -> str:
    token = secrets.token_urlsafe(16)
    kept = request.session.get(IMPORT_SESSION_KEY, {})
    kept[token] = {"rows": rows, "file_type": file_type, "at": timezone.now().isoformat()}
    # Only the latest few uploads are kept.
    for old in sorted(kept, key=lambda t: kept[t]["at"])[:-MAX_KEPT_IMPORTS]:
        del kept[old]
    request.session[IMPORT_SESSION_KEY] = kept
    return token


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def roster_import(request):
    """Upload and check a roster file; the answer is the preview."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        file_type = "xlsx" if uploaded.name.lower().endswith(".xlsx") else "csv"
        try:
            table = importer.read_table(uploaded)
        except importer.ImportFileError as exc:
            # At the field, on the form as sent (a file input never keeps its file anyway).
            context["file_error"] = str(exc)
            form.add_error("file", str(exc))
            return render(request, "cadres/roster/import.html", context, status=400)
        else:
            result = importer.check_table(table, user=request.user)
            context.update(
                checked=True,
                bad=result.bad,
                good_count=len(result.rows),
                good_rows=[_preview_row(row) for row in result.rows],
                new_count=result.count(importer.RowAction.NEW),
                updated_count=result.count(importer.RowAction.UPDATED),
                unchanged_count=result.count(importer.RowAction.UNCHANGED),
                line_count=len(table.lines),
                file_name=uploaded.name,
            )
            # A file already on the roster as it is leaves nothing to commit.
            if result.ok and result.has_changes:
                context["token"] = _keep_import(request, result.rows, file_type)
        form = ImportUploadForm()  # a fresh upload field to send the corrected file
        context["form"] = form
    return render(request, "cadres/roster/import.html", context)


def _preview_row(row: dict) -> dict:
    """What the preview shows of a checked row: what importing it does, and to which fields."""
    status = row.get("status")
    return {
        **row,
        "action_label": importer.ROW_ACTION_LABELS[row["action"]],
        "changed_labels": [importer.field_label(name) for name in row["changes"]],
        "status_label": CadreStatus(status).label if status else "",
    }


@require_POST
@requires(Cap.MANAGE_CADRES)
def roster_import_commit(request):
    token = request.POST.get("token", "")
    kept = request.session.get(IMPORT_SESSION_KEY, {})
    upload = kept.get(token) if token else None
    if upload is None:
        messages.error(request, _("This upload is no longer available. Upload the file again."))
        return redirect("cadres:import")
    try:
        result = services.cadre_import(
            actor=request.user, rows=upload["rows"], ip=client_ip(request), file_type=upload["file_type"]
        )
    except services.ImportConflict as exc:
        messages.error(
            request,
            _(
                "Nothing was imported: meanwhile the roster changed for some rows of the file "
                "(lines: %(lines)s). Upload the file again to see the details."
            )
            % {"lines": ", ".join(str(n) for n in exc.lines) or "?"},
        )
        return redirect("cadres:import")
    del kept[token]
    request.session[IMPORT_SESSION_KEY] = kept
    if result.created:
        messages.success(
            request,
            ngettext(
                "%(count)d cadre has been added to the roster.",
                "%(count)d cadres have been added to the roster.",
                len(result.created),
            )
            % {"count": len(result.created)},
        )
    if result.updated:
        messages.success(
            request,
            ngettext(
                "%(count)d cadre on the roster has been updated.",
                "%(count)d cadres on the roster have been updated.",
                len(result.updated),
            )
            % {"count": len(result.updated)},
        )
    return redirect("cadres:list")


@require_GET
@requires(Cap.MANAGE_CADRES)
def import_template(request):
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="templat-kader.xlsx"'
    return response


@require_GET
@requires(Cap.MANAGE_CADRES)
def import_template_csv(request):
    response = HttpResponse(importer.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat-kader.csv"'
    return response


@require_GET
@requires(Cap.MANAGE_CADRES)
def roster_export(request):
    form, cadres = _filtered(request)
    rows = list(cadres.select_related("user"))
    services.cadre_record_export(
        actor=request.user, count=len(rows), filters=form.export_filters(), ip=client_ip(request)
    )
    response = HttpResponse(importer.roster_xlsx(rows), content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kader-{stamp}.xlsx"'
    return response


# --- The overview ---------------------------------------------------------------------------------


@require_GET
@requires(Cap.MANAGE_CADRES)
def roster_overview(request):
    overview = selectors.cadre_overview(user=request.user)
    to_call = page_without_count(
        request, selectors.cadres_to_call(user=request.user), selectors.TO_CALL_PAGE_SIZE
    )
    return render(
        request,
        "cadres/roster/overview.html",
        {
            "overview": overview,
            "to_call": to_call.rows,
            "by_rank": True,
            **to_call.context(),
            "list_url": reverse("cadres:list"),
        },
    )


urlpatterns = [
    path("", roster_list, name="list"),
    path("baru/", cadre_create, name="create"),
    path("ikhtisar/", roster_overview, name="overview"),
    path("impor/", roster_import, name="import"),
    path("impor/simpan/", roster_import_commit, name="import_commit"),
    path("impor/templat.xlsx", import_template, name="import_template"),
    path("impor/templat.csv", import_template_csv, name="import_template_csv"),
    path("ekspor.xlsx", roster_export, name="export"),
    path("<int:pk>/", cadre_detail, name="detail"),
    path("<int:pk>/ubah/", cadre_edit, name="edit"),
    path("<int:pk>/akun/", cadre_create_login, name="create_login"),
]
