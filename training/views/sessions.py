"""Training sessions: list, create/edit, agenda, participants, attendance, scores, certificates, cohort.

Every page needs Cap.MANAGE_TRAINING (petugas). Trainings are city-wide; the cadres a petugas
may add are those of the roster within the petugas' area (training.selectors.cadres_for_picking).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Cap, requires
from accounts.services import client_ip

from .. import selectors, services
from ..certificates import certificates_pdf
from ..forms import (
    AgendaItemForm,
    CadreBulkAddForm,
    CadreSearchForm,
    CohortForm,
    GuestForm,
    KpadAddForm,
    ScoreFormSet,
    TrainingForm,
)
from ..models import AgendaItem, Attendance, Participant, Training, TrainingDay

SEARCH_LIMIT = 30


def _training(pk: int) -> Training:
    return get_object_or_404(Training, pk=pk)


@require_GET
@requires(Cap.MANAGE_TRAINING)
def training_list(request):
    trainings = selectors.trainings_list()
    return render(request, "training/list.html", {"trainings": trainings})


def _save_training(request, *, training: Training | None):
    initial = TrainingForm.initial_for(training) if training else {}
    form = TrainingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("title", "organiser", "venue", "description")}
        try:
            if training is None:
                training = services.training_create(
                    actor=request.user, dates=data["dates"], ip=client_ip(request), **fields
                )
                messages.success(request, _("The training was created."))
            else:
                training = services.training_update(
                    actor=request.user,
                    training=training,
                    dates=data["dates"],
                    ip=client_ip(request),
                    **fields,
                )
                messages.success(request, _("The training was saved."))
        except services.TrainingError as exc:
            form.add_error(
                "dates",
                _("%(date)s already has attendance and cannot be removed.")
                % {"date": formats.date_format(exc.args[0], "SHORT_DATE_FORMAT")},
            )
        else:
            return redirect("training:detail", pk=training.pk)
    return render(request, "training/form.html", {"form": form, "training": training})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def training_create(request):
    return _save_training(request, training=None)


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def training_edit(request, pk: int):
    return _save_training(request, training=_training(pk))


@require_GET
@requires(Cap.MANAGE_TRAINING)
def training_detail(request, pk: int):
    training = _training(pk)
    days = list(training.days.prefetch_related("agenda_items"))
    counts = selectors.attendance_counts(training=training)
    for day in days:
        day.present_count = counts.get(day.pk, 0)
    participants = list(selectors.participants_of(training=training))
    complete = set(selectors.full_attendance_participants(training=training).values_list("pk", flat=True))
    return render(
        request,
        "training/detail.html",
        {
            "training": training,
            "days": days,
            "participants": participants,
            "complete_ids": complete,
            "complete_count": len(complete),
        },
    )


# --- Agenda -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def agenda(request, pk: int):
    training = _training(pk)
    form = AgendaItemForm(request.POST or None, training=training)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.agenda_item_add(
            actor=request.user,
            ip=client_ip(request),
            day=data["day"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            topic=data["topic"],
            resource_person=data["resource_person"],
        )
        messages.success(request, _("The agenda item was added."))
        return redirect("training:agenda", pk=training.pk)
    items = AgendaItem.objects.filter(day__training=training).select_related("day")
    return render(request, "training/agenda.html", {"training": training, "form": form, "items": items})


@require_POST
@requires(Cap.MANAGE_TRAINING)
def agenda_delete(request, pk: int, item_pk: int):
    training = _training(pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, day__training=training)
    services.agenda_item_delete(actor=request.user, item=item, ip=client_ip(request))
    messages.success(request, _("The agenda item was removed."))
    return redirect("training:agenda", pk=training.pk)


# --- Participants -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def participants(request, pk: int):
    training = _training(pk)
    members = selectors.kpad_members()
    search = CadreSearchForm(request.GET or None)
    bulk = CadreBulkAddForm(prefix="bulk")
    kpad = KpadAddForm(prefix="kpad", members=members)
    guest = GuestForm(prefix="guest")
    picking = selectors.cadres_for_picking(user=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cadres":
            ids = [i for i in request.POST.getlist("cadre") if i.isdigit()]
            added = services.participants_add_cadres(
                actor=request.user,
                training=training,
                cadres=picking.filter(pk__in=ids),
                ip=client_ip(request),
            )
            messages.success(
                request,
                ngettext("%(count)d cadre added.", "%(count)d cadres added.", added) % {"count": added},
            )
            return redirect(request.get_full_path())
        if action == "bulk":
            bulk = CadreBulkAddForm(request.POST, prefix="bulk")
            if bulk.is_valid():
                qs = picking
                if bulk.cleaned_data["kelurahan"] is not None:
                    qs = qs.filter(kelurahan=bulk.cleaned_data["kelurahan"])
                if bulk.cleaned_data["cohort"] is not None:
                    qs = qs.filter(cohort=bulk.cleaned_data["cohort"])
                added = services.participants_add_cadres(
                    actor=request.user, training=training, cadres=qs, ip=client_ip(request)
                )
                messages.success(
                    request,
                    ngettext("%(count)d cadre added.", "%(count)d cadres added.", added) % {"count": added},
                )
                return redirect("training:participants", pk=training.pk)
        elif action == "kpad":
            kpad = KpadAddForm(request.POST, prefix="kpad", members=members)
            if kpad.is_valid():
                services.participant_add_kpad(
                    actor=request.user,
                    training=training,
                    user=kpad.cleaned_data["user"],
                    ip=client_ip(request),
                )
                messages.success(request, _("The KPAD member was added."))
                return redirect("training:participants", pk=training.pk)
        elif action == "guest":
            guest = GuestForm(request.POST, prefix="guest")
            if guest.is_valid():
                services.participant_add_guest(
                    actor=request.user,
                    ip=client_ip(request),
                    training=training,
                    name=guest.cleaned_data["name"],
                    institution=guest.cleaned_data["institution"],
                )
                messages.success(request, _("The guest was added."))
                return redirect("training:participants", pk=training.pk)
    found = None
    if search.is_valid() and search.cleaned_data["q"]:
        in_training = training.participants.filter(cadre__isnull=False).values("cadre_id")
        found = list(
            picking.filter(name__icontains=search.cleaned_data["q"])
            .exclude(pk__in=in_training)
            .order_by("name")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "training/participants.html",
        {
            "training": training,
            "participants": selectors.participants_of(training=training),
            "search": search,
            "found": found,
            "bulk": bulk,
            "kpad": kpad,
            "guest": guest,
        },
    )


@require_POST
@requires(Cap.MANAGE_TRAINING)
def participant_remove(request, pk: int, participant_pk: int):
    training = _training(pk)
    participant = get_object_or_404(Participant, pk=participant_pk, training=training)
    try:
        services.participant_remove(actor=request.user, participant=participant, ip=client_ip(request))
    except services.TrainingError:
        messages.error(request, _("This participant attended already and stays on the list."))
    else:
        messages.success(request, _("The participant was removed."))
    return redirect("training:participants", pk=training.pk)


# --- Attendance -------------------------------------------------------------------------------


def _day(training: Training, day: str) -> TrainingDay:
    """A training day by its id or its date (YYYY-MM-DD)."""
    if day.isdigit():
        return get_object_or_404(TrainingDay, training=training, pk=int(day))
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(TrainingDay, training=training, date=date)


@require_GET
@requires(Cap.MANAGE_TRAINING)
def attendance(request, pk: int, day: str):
    training = _training(pk)
    the_day = _day(training, day)
    marks = {
        a.participant_id: a
        for a in Attendance.objects.filter(day=the_day, present=True).select_related("marked_by")
    }
    rows = []
    for participant in selectors.participants_of(training=training):
        rows.append({"participant": participant, "attendance": marks.get(participant.pk)})
    total = len(rows)
    q = (request.GET.get("q") or "").strip()[:60]
    if q:
        rows = [r for r in rows if q.lower() in r["participant"].name.lower()]
    return render(
        request,
        "training/attendance.html",
        {
            "training": training,
            "day": the_day,
            "days": training.days.all(),
            "rows": rows,
            "present_count": len(marks),
            "total": total,
            "q": q,
        },
    )


@require_POST
@requires(Cap.MANAGE_TRAINING)
def attendance_mark(request, pk: int, day: str, participant_pk: int):
    training = _training(pk)
    the_day = _day(training, day)
    participant = get_object_or_404(
        Participant.objects.select_related("cadre", "training"), pk=participant_pk, training=training
    )
    present = request.POST.get("present") == "1"
    record = services.attendance_mark(
        participant=participant, day=the_day, actor=request.user, present=present, ip=client_ip(request)
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        count = Attendance.objects.filter(day=the_day, present=True).count()
        return JsonResponse(
            {
                "participant": participant.pk,
                "present": record.present,
                "marked_by": str(record.marked_by),
                "marked_at": formats.date_format(timezone.localtime(record.marked_at), "H:i"),
                "present_count": count,
            }
        )
    url = reverse("training:attendance", kwargs={"pk": training.pk, "day": the_day.pk})
    q = (request.POST.get("q") or "").strip()[:60]
    return redirect(f"{url}?q={q}#p{participant.pk}" if q else f"{url}#p{participant.pk}")


# --- Scores -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def scores(request, pk: int):
    training = _training(pk)
    queryset = selectors.participants_of(training=training)
    formset = ScoreFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        services.training_scores_save(
            actor=request.user,
            training=training,
            scores=[
                (form.instance, form.cleaned_data.get("pre_score"), form.cleaned_data.get("post_score"))
                for form in formset.forms
                if form.has_changed()
            ],
            ip=client_ip(request),
        )
        messages.success(request, _("The scores were saved."))
        return redirect("training:detail", pk=training.pk)
    return render(request, "training/scores.html", {"training": training, "formset": formset})


# --- Certificates -----------------------------------------------------------------------------


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@requires(Cap.MANAGE_TRAINING)
def certificates(request, pk: int):
    training = _training(pk)
    holders = list(services.certificates_issue(actor=request.user, training=training, ip=client_ip(request)))
    return render(request, "training/certificates.html", {"training": training, "holders": holders})


@require_GET
@requires(Cap.MANAGE_TRAINING)
def certificates_all_pdf(request, pk: int):
    training = _training(pk)
    holders = list(services.certificates_issue(actor=request.user, training=training, ip=client_ip(request)))
    if not holders:
        messages.error(request, _("Nobody attended every day yet, so there is no certificate."))
        return redirect("training:certificates", pk=training.pk)
    return _pdf_response(
        certificates_pdf(training=training, participants=holders), f"sertifikat-pelatihan-{training.pk}.pdf"
    )


@require_GET
@requires(Cap.MANAGE_TRAINING)
def certificate_pdf(request, pk: int, participant_pk: int):
    training = _training(pk)
    holders = {
        p.pk: p
        for p in services.certificates_issue(actor=request.user, training=training, ip=client_ip(request))
    }
    if participant_pk not in holders:
        get_object_or_404(Participant, pk=participant_pk, training=training)
        messages.error(request, _("Only a participant who attended every day gets a certificate."))
        return redirect("training:certificates", pk=training.pk)
    holder = holders[participant_pk]
    return _pdf_response(
        certificates_pdf(training=training, participants=[holder]),
        f"sertifikat-{holder.certificate_code}.pdf",
    )


# --- New cohort -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_TRAINING)
def cohort(request, pk: int):
    training = _training(pk)
    form = CohortForm(request.POST or None, initial={"year": CohortForm.default_year(training)})
    eligible = list(
        selectors.full_attendance_participants(training=training)
        .filter(kind=Participant.Kind.CADRE)
        .select_related("cadre__kelurahan")
    )
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        count = services.training_form_cohort(
            training=training, year=year, actor=request.user, ip=client_ip(request)
        )
        messages.success(
            request,
            ngettext(
                "%(count)d cadre now belongs to the %(year)d cohort.",
                "%(count)d cadres now belong to the %(year)d cohort.",
                count,
            )
            % {"count": count, "year": year},
        )
        return redirect("training:detail", pk=training.pk)
    return render(request, "training/cohort.html", {"training": training, "form": form, "eligible": eligible})


urlpatterns = [
    path("", training_list, name="list"),
    path("baru/", training_create, name="create"),
    path("<int:pk>/", training_detail, name="detail"),
    path("<int:pk>/ubah/", training_edit, name="edit"),
    path("<int:pk>/agenda/", agenda, name="agenda"),
    path("<int:pk>/agenda/<int:item_pk>/hapus/", agenda_delete, name="agenda_delete"),
    path("<int:pk>/peserta/", participants, name="participants"),
    path("<int:pk>/peserta/<int:participant_pk>/hapus/", participant_remove, name="participant_remove"),
    path("<int:pk>/hadir/<str:day>/", attendance, name="attendance"),
    path("<int:pk>/hadir/<str:day>/<int:participant_pk>/", attendance_mark, name="attendance_mark"),
    path("<int:pk>/nilai/", scores, name="scores"),
    path("<int:pk>/sertifikat/", certificates, name="certificates"),
    path("<int:pk>/sertifikat/semua.pdf", certificates_all_pdf, name="certificates_pdf"),
    path("<int:pk>/sertifikat/<int:participant_pk>.pdf", certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/angkatan/", cohort, name="cohort"),
]
