"""Certificate PDFs (reportlab, A4 landscape): one page per participant who attended every day."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from .models import Participant, Training

PRIMARY = HexColor("#0b5a73")


def verification_url(code: str) -> str:
    return settings.SIGAP_BASE_URL.rstrip("/") + reverse("certificate:verify", kwargs={"code": code})


def training_dates_label(training: Training) -> str:
    days = [d.date for d in training.days.all()]
    return ", ".join(formats.date_format(d, "j F Y") for d in days)


def _page(canvas: Canvas, *, participant: Participant, training: Training, dates: str) -> None:
    width, height = landscape(A4)
    canvas.setStrokeColor(PRIMARY)
    canvas.setLineWidth(4)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(1)
    canvas.rect(32, 32, width - 64, height - 64)
    canvas.setFillColor(PRIMARY)
    canvas.setFont("Helvetica-Bold", 34)
    canvas.drawCentredString(width / 2, height - 110, _("CERTIFICATE"))
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(width / 2, height - 150, _("This certifies that"))
    canvas.setFont("Helvetica-Bold", 28)
    canvas.drawCentredString(width / 2, height - 195, participant.name)
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(width / 2, height - 235, _("took part in every day of"))
    canvas.setFont("Helvetica-Bold", 16 if len(training.title) < 90 else 12)
    canvas.drawCentredString(width / 2, height - 265, training.title)
    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(width / 2, height - 295, dates)
    canvas.drawCentredString(width / 2, height - 315, training.venue)
    canvas.drawCentredString(
        width / 2, height - 345, _("Organised by %(organiser)s") % {"organiser": training.organiser}
    )
    canvas.setFont("Helvetica", 10)
    url = verification_url(participant.certificate_code)
    canvas.drawString(56, 70, _("Verification code: %(code)s") % {"code": participant.certificate_code})
    canvas.drawString(56, 55, _("Check this certificate at %(url)s") % {"url": url})
    canvas.showPage()


def certificates_pdf(
    *, training: Training, participants: Iterable[Participant], compress: bool = True
) -> bytes:
    """One page per participant; each must already hold a certificate code."""
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=landscape(A4), pageCompression=1 if compress else 0, invariant=not compress
    )
    canvas.setTitle(training.title)
    canvas.setAuthor(training.organiser)
    dates = training_dates_label(training)
    pages = 0
    for participant in participants:
        _page(canvas, participant=participant, training=training, dates=dates)
        pages += 1
    if not pages:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
