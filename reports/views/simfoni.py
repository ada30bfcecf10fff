"""The monthly SIMFONI-PPA routine: the "not yet entered" list, each child's entry sheet
(page, print, XLSX), marking a child ready, recording SIMFONI's register number, and the
monthly reconciliation. Petugas only (``Cap.ENTER_SIMFONI``).

A child's sheet is loaded through the case's selector (another area's case: 404) and shows
the child's name only where the case page would and consent to follow-up allows it, else the
initials; the lists show initials and age only. Every page and download is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import Cap, requires
from accounts.services import AuditTarget, audit_record, client_ip
from cases import consent, selectors, simfoni_services
from cases import services as case_services
from cases.models import Child, ConsentPurpose
from cases.simfoni import victim_records, with_coding
from cases.simfoni.crosswalk import crosswalk
from cases.simfoni.sheet import entry_sheet, sheet_headers, sheet_rows

from ..exports.build import CONTENT_TYPES, Format
from ..exports.writers import write_xlsx
from ..models import ExportJob
from ..recap_forms import RecapFilterForm, area_label
from ..simfoni import not_entered, reconciliation
from .recap import FILTER_FIELDS, _query

SIMFONI_PAGES = AuditTarget(ExportJob._meta.label_lower, "simfoni")


def _form(request) -> RecapFilterForm:
    if any(name in request.GET for name in FILTER_FIELDS):
        return RecapFilterForm(request.GET, user=request.user)
    return RecapFilterForm(RecapFilterForm.defaults(), user=request.user)


def _audit_page(request, action: str, form: RecapFilterForm) -> None:
    audit_record(
        actor=request.user,
        action=action,
        target=SIMFONI_PAGES,
        ip=client_ip(request),
        details=form.audit_filters(),
    )


@never_cache
@require_GET
@requires(Cap.ENTER_SIMFONI)
def simfoni_index(request):
    """The month's victims not yet entered into SIMFONI, each with what SIMFONI still needs."""
    form = _form(request)
    context = {"form": form, "victims": None}
    if form.is_valid():
        kecamatan = form.cleaned_data.get("kecamatan")
        context["victims"] = not_entered(user=request.user, period=form.get_period(), kecamatan=kecamatan)
        context["period"] = form.get_period()
        context["area"] = area_label(user=request.user, kecamatan=kecamatan)
        context["query"] = request.GET.urlencode() or _query(form)
        _audit_page(request, "report.simfoni_list", form)
    return render(request, "reports/simfoni/index.html", context, status=200 if form.is_valid() else 400)


@never_cache
@require_GET
@requires(Cap.ENTER_SIMFONI)
def simfoni_reconciliation(request):
    form = _form(request)
    context = {"form": form, "result": None}
    if form.is_valid():
        kecamatan = form.cleaned_data.get("kecamatan")
        context["result"] = reconciliation(
            user=request.user,
            period=form.get_period(),
            kecamatan=kecamatan,
            area_label=area_label(user=request.user, kecamatan=kecamatan),
        )
        context["query"] = request.GET.urlencode() or _query(form)
        _audit_page(request, "report.simfoni_reconciliation", form)
    return render(
        request, "reports/simfoni/reconciliation.html", context, status=200 if form.is_valid() else 400
    )


# --- One child's sheet ------------------------------------------------------------------------------


def _load(request, number: str, child_id: int):
    """The case through its selector (outside the user's scope: 404), the child in it."""
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = selectors.case_permissions(user=request.user, case=case)
    perms.require("view")
    row = with_coding(Child.objects.filter(case=case, pk=child_id)).first()
    if row is None:
        raise Http404
    record = victim_records([row])[0]
    # The name as the case's identity print shows it: to who may see it, unless consent withholds it.
    check = consent.consent_checks(case=case, purpose=ConsentPurpose.FOLLOW_UP).get(row.pk)
    with_identity = perms.see_identity and (check is None or check.allowed)
    return case, record, with_identity


def _sheet_context(request, number: str, child_id: int, *, fmt: str):
    case, record, with_identity = _load(request, number, child_id)
    cw = crosswalk()
    sections = entry_sheet(
        record, cw, with_identity=with_identity, initials=selectors.initials(record.child.person.name)
    )
    case_services.case_record_access(
        actor=request.user,
        case=case,
        action="case.simfoni_sheet",
        ip=client_ip(request),
        child=record.child.pk,
        format=fmt,
        identity=with_identity,
    )
    return {
        "case": case,
        "record": record,
        "sections": sections,
        "crosswalk": cw,
        "with_identity": with_identity,
        "initials": selectors.initials(record.child.person.name),
        "printed_at": timezone.now(),
        "printed_by": request.user,
    }


@never_cache
@require_GET
@requires(Cap.ENTER_SIMFONI)
def simfoni_sheet(request, number: str, child_id: int):
    return render(
        request, "reports/simfoni/sheet.html", _sheet_context(request, number, child_id, fmt="page")
    )


@never_cache
@require_GET
@requires(Cap.ENTER_SIMFONI)
def simfoni_sheet_print(request, number: str, child_id: int):
    context = _sheet_context(request, number, child_id, fmt="print")
    return render(request, "reports/simfoni/sheet_print.html", context)


@never_cache
@require_GET
@requires(Cap.ENTER_SIMFONI)
def simfoni_sheet_xlsx(request, number: str, child_id: int):
    context = _sheet_context(request, number, child_id, fmt=Format.XLSX)
    content, _count = write_xlsx(sheet_headers(), sheet_rows(context["sections"]), sheet_name="SIMFONI")
    response = HttpResponse(content, content_type=CONTENT_TYPES[Format.XLSX])
    # The file's name carries the case number and the child's row, never a name.
    name = f"simfoni-{context['case'].number}-anak-{context['record'].child.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _sheet_url(number: str, child_id: int) -> str:
    return reverse("reports:simfoni_sheet", args=[number, child_id])


@require_POST
@requires(Cap.ENTER_SIMFONI)
def simfoni_mark_ready(request, number: str, child_id: int):
    case, record, _identity = _load(request, number, child_id)
    try:
        simfoni_services.child_simfoni_mark_ready(
            actor=request.user, child=record.child, ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The child is marked ready: type the sheet into SIMFONI."))
    return redirect(_sheet_url(case.number, record.child.pk))


@require_POST
@requires(Cap.ENTER_SIMFONI)
def simfoni_record_number(request, number: str, child_id: int):
    case, record, _identity = _load(request, number, child_id)
    typed = request.POST.get("number", "")
    try:
        simfoni_services.child_simfoni_record_entry(
            actor=request.user, child=record.child, number=typed, ip=client_ip(request)
        )
    except ValidationError as error:
        # The page again, with the message at the field and what was typed kept.
        context = _sheet_context(request, number, child_id, fmt="page")
        context.update(number_error=" ".join(error.messages), typed_number=typed)
        return render(request, "reports/simfoni/sheet.html", context, status=400)
    messages.success(request, _("SIMFONI's register number is recorded."))
    return redirect(_sheet_url(case.number, record.child.pk))


urlpatterns = [
    path("simfoni/", simfoni_index, name="simfoni"),
    path("simfoni/rekonsiliasi/", simfoni_reconciliation, name="simfoni_reconciliation"),
    path("simfoni/<str:number>/anak/<int:child_id>/", simfoni_sheet, name="simfoni_sheet"),
    path("simfoni/<str:number>/anak/<int:child_id>/cetak/", simfoni_sheet_print, name="simfoni_sheet_print"),
    path(
        "simfoni/<str:number>/anak/<int:child_id>/unduh.xlsx", simfoni_sheet_xlsx, name="simfoni_sheet_xlsx"
    ),
    path("simfoni/<str:number>/anak/<int:child_id>/siap/", simfoni_mark_ready, name="simfoni_ready"),
    path("simfoni/<str:number>/anak/<int:child_id>/nomor/", simfoni_record_number, name="simfoni_number"),
]
