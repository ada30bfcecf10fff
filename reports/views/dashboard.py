"""The petugas dashboard: the city (or the user's kecamatan) at a glance, for a period.

Counts only, all computed in the database by ``reports.dashboard``; the charts get their data
through ``json_script`` and each has a table beside it for screen readers and printing.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts.policy import Cap, requires
from reports.dashboard import MAP_COLOURS, Dashboard, dashboard_figures
from reports.forms import ReportFilterForm


def _chart(label: str, rows) -> dict:
    return {"label": label, "labels": [r.label for r in rows], "values": [r.count for r in rows]}


def _map_data(figures: Dashboard) -> dict:
    legend = []
    for index, (low, high) in enumerate(figures.colour_breaks):
        text = str(low) if low == high else f"{low}–{high}"
        legend.append({"label": text, "colour": MAP_COLOURS[index % len(MAP_COLOURS)]})
    regions = {}
    for row in figures.kelurahan_rows:
        regions[row.code] = {
            "count": row.count,
            "colour": row.colour,
            "tooltip": ngettext(
                "%(kelurahan)s (%(kecamatan)s): %(count)s case",
                "%(kelurahan)s (%(kecamatan)s): %(count)s cases",
                row.count,
            )
            % {"kelurahan": row.name, "kecamatan": row.kecamatan, "count": row.count},
        }
    return {"legend": legend, "legendTitle": _("Cases reported"), "regions": regions}


@require_GET
@requires(Cap.VIEW_REPORTS)
def dashboard(request):
    form = ReportFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    figures = dashboard_figures(user=request.user, period=form.period, kecamatan=form.chosen_kecamatan)
    charts = {
        "months": _chart(_("Cases reported"), figures.months),
        "violence": _chart(_("Cases"), figures.violence),
        "protection": _chart(_("Cases"), figures.protection),
        "status": {
            "label": _("Cases"),
            "labels": [_("Open"), _("Closed")],
            "values": [figures.open, figures.closed],
        },
        "cohorts": {
            "labels": [str(c.cohort) for c in figures.cohorts],
            "series": [
                {"label": _("Active"), "values": [c.active for c in figures.cohorts]},
                {"label": _("Inactive"), "values": [c.inactive for c in figures.cohorts]},
                {"label": _("Stopped"), "values": [c.stopped for c in figures.cohorts]},
            ],
        },
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "charts": charts,
            "map_data": _map_data(figures),
        },
    )


urlpatterns = [path("", dashboard, name="dashboard")]
