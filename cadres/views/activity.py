"""A kader's own activity: log an outreach from the phone, and see everything they did.

Access: Cap.LOG_OUTREACH (kader only). The page shows only the logged-in kader's own
roster entry, found through their login; there is no id in the URL to tamper with.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.offline import offline_page
from accounts.policy import Cap, requires
from cadres import selectors, services
from cadres.activity_forms import OutreachForm
from cadres.models import CadreActivity, Outreach

PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
@requires(Cap.LOG_OUTREACH)
@offline_page
def my_activity(request):
    cadre = selectors.cadre_of_login(request.user)
    if cadre is None:
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "cadres/activity/my_activity.html", {"cadre": None})
    status = 200
    if request.method == "POST":
        form = OutreachForm(request.POST, cadre=cadre)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.outreach_log(
                    cadre=cadre,
                    actor=request.user,
                    kind=data["kind"],
                    date=data["date"],
                    kelurahan=data["kelurahan"],
                    people_reached=data["people_reached"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your activity is saved. Thank you!"))
                return redirect(reverse("cadres:my_activity") + "#my-activities")
        status = 400
    else:
        form = OutreachForm(cadre=cadre)

    page = Paginator(CadreActivity.objects.filter(cadre=cadre).order_by("-at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    outreach_ids = [a.source_id for a in page if a.source_type == "cadres.outreach"]
    outreach = {
        str(o.pk): o
        for o in Outreach.objects.filter(pk__in=outreach_ids, cadre=cadre).select_related("kelurahan")
    }
    for activity in page:
        activity.outreach = (
            outreach.get(activity.source_id) if activity.source_type == "cadres.outreach" else None
        )
    context = {"cadre": cadre, "form": form, "page": page}
    return render(request, "cadres/activity/my_activity.html", context, status=status)


urlpatterns = [path("kegiatan/", my_activity, name="my_activity")]
