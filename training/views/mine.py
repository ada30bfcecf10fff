"""A kader's own trainings ("Pelatihan saya"): upcoming and past, attendance per day, certificates.

Needs Cap.OWN_TRAINING. Only the kader's own participations are read (training.selectors
.my_trainings); another training is a 404, not a 403, so its list of participants stays private.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.policy import Cap, requires
from accounts.services import client_ip
from core.time import local_date

from .. import selectors, services
from ..certificates import certificates_pdf
from .sessions import _pdf_response


@require_GET
@requires(Cap.OWN_TRAINING)
def my_trainings(request):
    rows = selectors.my_trainings(user=request.user)
    today = local_date()
    # A training with no day yet is still to come; one whose last day is today is still running.
    upcoming = [p for p in rows if p.last_day is None or p.last_day >= today]
    past = [p for p in rows if p.last_day is not None and p.last_day < today]
    upcoming.reverse()  # the nearest first
    return render(request, "training/mine.html", {"upcoming": upcoming, "past": past, "today": today})


@require_GET
@requires(Cap.OWN_TRAINING)
def my_certificate(request, pk: int):
    participant = selectors.get_own_participation(user=request.user, training_pk=pk)
    holder = services.certificate_issue_own(
        actor=request.user, participant=participant, ip=client_ip(request)
    )
    if holder is None:
        messages.error(request, _("Only a participant who attended every day gets a certificate."))
        return redirect("training:mine")
    return _pdf_response(
        certificates_pdf(training=holder.training, participants=[holder]),
        f"sertifikat-{holder.certificate_code}.pdf",
    )


urlpatterns = [
    path("saya/", my_trainings, name="mine"),
    path("saya/<int:pk>/sertifikat.pdf", my_certificate, name="my_certificate"),
]
