"""The recap in SIMFONI-PPA's shape: a page, and the same figures as XLSX and PDF.

Counts only, computed by the database (reports.recap). The area is what the user may see
(cases_visible_to), narrowed to one kecamatan on request. Downloads are audited with the
filters ("report.recap_download").
"""

from __future__ import annotations

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts.policy import Cap, requires
from accounts.services import AuditTarget, audit_record, client_ip

from ..exports.build import CONTENT_TYPES, Format
from ..models import ExportJob
from ..recap import build_recap, recap_pdf, recap_xlsx
from ..recap_forms import RecapFilterForm, area_label

FILTER_FIELDS = ("period", "month", "year", "kecamatan")
# A recap download has no record of its own: its audit rows name this target.
RECAP_DOWNLOADS = AuditTarget(ExportJob._meta.label_lower, "recap")


def _form(request) -> RecapFilterForm:
    if any(name in request.GET for name in FILTER_FIELDS):
        return RecapFilterForm(request.GET, user=request.user)
    return RecapFilterForm(RecapFilterForm.defaults(), user=request.user)


def _recap(request, form: RecapFilterForm):
    kecamatan = form.cleaned_data.get("kecamatan")
    return build_recap(
        user=request.user,
        period=form.get_period(),
        kecamatan=kecamatan,
        area_label=area_label(user=request.user, kecamatan=kecamatan),
    )


@require_GET
@requires(Cap.VIEW_REPORTS)
def recap(request):
    form = _form(request)
    context = {"form": form, "recap": None}
    if form.is_valid():
        context["recap"] = _recap(request, form)
        context["query"] = request.GET.urlencode() or _query(form)
    return render(request, "reports/recap.html", context, status=200 if form.is_valid() else 400)


def _query(form: RecapFilterForm) -> str:
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = form.data.get(name)
        if value not in (None, ""):
            query[name] = value
    return query.urlencode()


def _download(request, fmt: str):
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(status=400)
    result = _recap(request, form)
    content = recap_xlsx(result) if fmt == Format.XLSX else recap_pdf(result)
    audit_record(
        actor=request.user,
        action="report.recap_download",
        target=RECAP_DOWNLOADS,
        ip=client_ip(request),
        details={"format": fmt, **form.audit_filters()},
    )
    area = form.cleaned_data["kecamatan"].code if form.cleaned_data.get("kecamatan") else "kota"
    response = HttpResponse(content, content_type=CONTENT_TYPES.get(fmt, "application/pdf"))
    response["Content-Disposition"] = f'attachment; filename="rekap-{result.period.slug}-{area}.{fmt}"'
    return response


@require_GET
@requires(Cap.VIEW_REPORTS)
def recap_download_xlsx(request):
    return _download(request, Format.XLSX)


@require_GET
@requires(Cap.VIEW_REPORTS)
def recap_download_pdf(request):
    return _download(request, "pdf")


urlpatterns = [
    path("rekap/", recap, name="recap"),
    path("rekap/unduh.xlsx", recap_download_xlsx, name="recap_xlsx"),
    path("rekap/unduh.pdf", recap_download_pdf, name="recap_pdf"),
]
