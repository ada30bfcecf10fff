"""The public certificate check: anyone may verify a code, without logging in.

Shows only the holder's name, the training's title and dates, and that the certificate is
valid. An unknown code is a 404 page that says so and nothing else.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from ..certificates import training_dates_label
from ..forms import CertificateCodeForm
from ..selectors import certificate_by_code


@require_GET
def verify_form(request):
    form = CertificateCodeForm(request.GET or None)
    if form.is_valid():
        code = "".join(form.cleaned_data["code"].split()).upper()
        return redirect("certificate:verify", code=code)
    return render(request, "training/public/verify_form.html", {"form": form})


@require_GET
def verify(request, code: str):
    participant = certificate_by_code(code)
    if participant is None:
        form = CertificateCodeForm()
        return render(request, "training/public/not_found.html", {"form": form}, status=404)
    training = participant.training
    return render(
        request,
        "training/public/verify.html",
        {"name": participant.name, "title": training.title, "dates": training_dates_label(training)},
    )


urlpatterns = [
    path("", verify_form, name="verify_form"),
    path("<str:code>/", verify, name="verify"),
]
