"""The referral letter (PDF, reportlab as for the training certificates, A4 portrait).

It carries only what consent allows: a child's name, birth date and school level where their
consent allows sharing with the receiving institution (cases.consent decides), otherwise
initials and age with a line saying why. Never who must not be told, never the narrative
beyond the referral's own reason."""

from __future__ import annotations

import io
import textwrap

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from .consent import ConsentCheck
from .models import Case, Child, Referral
from .selectors import initials

MARGIN = 56
LINE = 15


class _Writer:
    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.y = A4[1] - MARGIN

    def line(self, text: str, *, bold: bool = False, size: int = 11, wrap: int = 90) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        for part in textwrap.wrap(text, wrap) or [""]:
            if self.y < MARGIN + LINE:
                self.canvas.showPage()
                self.y = A4[1] - MARGIN
                self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            self.canvas.drawString(MARGIN, self.y, part)
            self.y -= LINE

    def gap(self) -> None:
        self.y -= LINE / 2


def referral_letter_pdf(
    *, case: Case, referral: Referral, children: list[Child], checks: dict[int, ConsentCheck], by
) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("Referral letter %(number)s") % {"number": case.number})
    canvas.setAuthor("SIGAP DP2KBP3A Kota Pontianak")
    w = _Writer(canvas)
    w.line("DP2KBP3A Kota Pontianak", bold=True, size=13)
    w.line(_("Referral letter"), bold=True, size=15)
    w.gap()
    w.line(_("Case number: %(number)s") % {"number": case.number})
    w.line(_("Referral date: %(day)s") % {"day": formats.date_format(referral.date, "j F Y")})
    institution = referral.get_institution_display()
    if referral.institution_detail:
        institution += f" ({referral.institution_detail})"
    w.line(_("To: %(institution)s") % {"institution": institution})
    w.gap()
    w.line(_("Reason for the referral"), bold=True)
    w.line(referral.reason or "-")
    w.gap()
    w.line(_("Children"), bold=True)
    for child in children:
        check = checks[child.pk]
        age = child.age_on(case.incident_date)
        age_text = _("%(age)s years") % {"age": age} if age is not None else _("age unknown")
        if check.allowed:
            person = child.person
            born = formats.date_format(person.birth_date, "j F Y") if person.birth_date else "-"
            w.line(f"- {person.name} · {person.get_sex_display()} · {born} · {age_text}")
        else:
            w.line(f"- {initials(child.person.name)} · {age_text}")
            w.line(
                "  " + _("The identity is withheld: %(why)s") % {"why": check.message or "-"},
                size=9,
                wrap=100,
            )
    w.gap()
    w.line(
        _(
            "We ask you to tell us, within the days agreed, whether you accept the referral "
            "and, later, its outcome."
        ),
        size=10,
        wrap=100,
    )
    w.gap()
    w.line(_("Referred by: %(name)s") % {"name": by.get_full_name() or by.username})
    w.line(
        _("Printed on %(when)s")
        % {"when": formats.date_format(timezone.localtime(timezone.now()), "j F Y H:i")},
        size=9,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
