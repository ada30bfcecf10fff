"""Exports: choose what, filter, download at once or wait for a background job.

The form is POSTed (the reason for an identity export must never sit in an address). Small
exports come back as the response; large ones become an ExportJob and the page lists the
user's jobs with a download link once ready. Only the job's owner can download its file
(anyone else: 404), never after it expired (410).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import Cap, requires, user_can
from accounts.services import client_ip

from ..exports.build import CONTENT_TYPES
from ..exports.jobs import export_job_file, export_job_filename
from ..exports.services import export_job_record_download, export_start
from ..models import ExportJob
from ..recap_forms import ExportForm
from ..selectors import export_jobs_of

JOBS_SHOWN = 20


@require_http_methods(["GET", "POST"])
@requires(Cap.VIEW_REPORTS)
def exports(request):
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            started = export_start(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                fmt=form.cleaned_data["format"],
                params=form.params(),
                reason=form.cleaned_data.get("reason", ""),
                ip=client_ip(request),
            )
            if started.built is not None:
                built = started.built
                response = HttpResponse(built.content, content_type=built.content_type)
                response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
                return response
            messages.success(
                request,
                _(
                    "The export is large, so it is being prepared in the background. "
                    "It will be listed below when it is ready."
                ),
            )
            return redirect("reports:exports")
    else:
        form = ExportForm(user=request.user)
    jobs = list(export_jobs_of(user=request.user).order_by("-created_at", "-id")[:JOBS_SHOWN])
    return render(
        request,
        "reports/exports.html",
        {"form": form, "jobs": jobs, "identities_allowed": user_can(request.user, Cap.EXPORT_IDENTITIES)},
        status=400 if form.is_bound else 200,
    )


@require_GET
@requires(Cap.VIEW_REPORTS)
def export_download(request, pk: int):
    job = export_jobs_of(user=request.user).filter(pk=pk).first()
    if job is None or job.state != ExportJob.State.DONE or not job.file_path:
        raise Http404
    if job.is_expired:
        return render(request, "reports/exports_expired.html", {"job": job}, status=410)
    file = export_job_file(job)
    if not file.is_file():
        raise Http404
    export_job_record_download(actor=request.user, job=job, ip=client_ip(request))
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=export_job_filename(job),
        content_type=CONTENT_TYPES[job.format],
    )


urlpatterns = [
    path("ekspor/", exports, name="exports"),
    path("ekspor/<int:pk>/unduh/", export_download, name="export_download"),
]
