"""One case: detail, timeline, lifecycle actions, services, referrals, assignment, attachments, print.

Every view loads the case through ``selectors.get_case_for_user`` (outside the
user's scope: 404) and asks ``selectors.case_permissions`` whether the action
is allowed (403). Every write goes through cases.services; every view of the
case's data, download and export is recorded by ``services.case_record_access``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.offline import offline_page
from accounts.policy import Cap, user_can
from accounts.services import client_ip
from cases import (
    action_forms,
    attachments,
    badges,
    casework_services,
    consent,
    consent_forms,
    consent_services,
    person_services,
    selectors,
    services,
    simfoni,
)
from cases.models import Case, CaseCadre, ConsentPurpose, Escalation, KpadMessage, Status


def _load(request, number: str, action: str | None = None):
    case = selectors.get_case_for_user(user=request.user, number=number)
    perms = selectors.case_permissions(user=request.user, case=case)
    perms.require(action or "view")
    return case, perms


def _forms(case: Case, perms, user: User, bound: dict, rows: list, cadre_search: str = "") -> dict:
    """The action forms this user may use on this case, unbound unless one came back with errors."""
    makers = {
        "status": (
            perms.change_status,
            lambda: action_forms.StatusForm(prefix="status", case=case, actor=user),
        ),
        "note": (perms.add_note, lambda: action_forms.NoteForm(prefix="note")),
        "visit": (perms.add_visit, lambda: action_forms.VisitForm(prefix="visit")),
        "service": (
            perms.add_service,
            lambda: action_forms.ServiceForm(prefix="service", case=case, children=rows),
        ),
        "refer": (perms.refer, lambda: action_forms.ReferralForm(prefix="refer")),
        "worker": (perms.assign, lambda: action_forms.AssignWorkerForm(prefix="worker", case=case)),
        "cadre": (
            perms.assign,
            lambda: action_forms.CadreAddForm(prefix="cadre", case=case, actor=user, search=cadre_search),
        ),
        "upload": (perms.upload, lambda: action_forms.AttachmentForm(prefix="upload")),
    }
    return {key: bound.get(key) or make() for key, (allowed, make) in makers.items() if allowed}


def escalation_panel(*, case: Case, user, bound: dict | None = None) -> dict:
    """What the case page's escalation panel needs: two queries (escalations, their messages)."""
    bound = bound or {}
    may_act = user_can(user, Cap.ESCALATE_CASES)
    visible = may_act or user_can(user, Cap.REVIEW_ESCALATIONS)
    if not visible:
        return {"visible": False}
    # Every escalation sets case.escalated_at: a case never escalated costs no query here.
    escalations = case.escalated_at and list(
        case.escalations.select_related("opened_by", "acknowledged_by", "resolved_by").prefetch_related(
            Prefetch("messages", queryset=KpadMessage.objects.select_related("author", "answered_by"))
        )
    )
    escalations = escalations or []
    for e in escalations:
        for m in e.messages.all():
            m.answer_form = None
            if may_act and m.kind == KpadMessage.Kind.REQUEST and not m.answered_at:
                m.answer_form = bound.get(f"answer{m.pk}") or action_forms.AnswerForm(prefix=f"answer{m.pk}")
    return {
        "visible": True,
        "escalations": escalations,
        "open_requests": sum(
            1
            for e in escalations
            for m in e.messages.all()
            if m.kind == KpadMessage.Kind.REQUEST and not m.answered_at
        ),
        "form": (bound.get("escalate") or action_forms.EscalateForm(prefix="escalate")) if may_act else None,
        "manual_open": any(
            e.rule == Escalation.Rule.MANUAL and e.state != Escalation.State.RESOLVED for e in escalations
        ),
    }


def people_panel(*, case: Case, perms, rows: list, perpetrators: list, bound: dict) -> dict:
    """Consent and who must not be told, and the forms for them: four queries, plus one for
    the family when the user may record or link."""
    do_not_tell = list(case.do_not_tell.select_related("person"))
    excluded = consent.excluded_persons(case=case, perpetrators=perpetrators, do_not_tell=do_not_tell)
    family = selectors.case_family(children=rows) if (perms.record_consent or perms.manage_people) else []
    panel = {
        "must_not_be_told": consent.must_not_be_told(
            case=case, perpetrators=perpetrators, do_not_tell=do_not_tell
        ),
        "consents": consent.consent_overview(case=case, children=rows, excluded=excluded),
        "giver_labels": consent.GIVER_LABELS,
        "forms": {},
    }
    if perms.record_consent:
        carers = [m for m in family if m.carer and m.person.pk not in excluded]
        panel["forms"]["consent"] = bound.get("consent") or consent_forms.ConsentForm(
            prefix="consent",
            children=rows,
            carers=carers,
            ask_confirm=any(p.relation == "orang_tua" and p.person_id is None for p in perpetrators),
        )
        panel["forms"]["do_not_tell"] = bound.get("do_not_tell") or consent_forms.DoNotTellForm(
            prefix="dnt", family=[m for m in family if m.person.pk not in excluded]
        )
    if perms.manage_people:
        for p in perpetrators:
            key = f"perpetrator{p.pk}"
            p.person_form = bound.get(key) or consent_forms.PerpetratorPersonForm(
                prefix=key, family=family, initial={"person": p.person_id}
            )
        for row in panel["must_not_be_told"]:
            if row.entry is not None:
                key = f"dnt_remove{row.entry.pk}"
                row.remove_form = bound.get(key) or consent_forms.DoNotTellRemoveForm(prefix=key)
    return panel


def render_case_page(request, case: Case, perms, *, bound: dict | None = None, referral_form=None):
    """The case page. Also used to show an action's form again, with its errors and typed values."""
    bound = bound or {}
    # A cadre's name or phone, to find a cadre from another kelurahan (never a child's data).
    cadre_search = request.GET.get("kader", "")[:60] if request.method == "GET" else ""
    services.case_record_access(actor=request.user, case=case, action="case.view", ip=client_ip(request))
    rows = list(simfoni.with_coding(case.children.select_related("guardian")))
    for row in rows:
        row.case = case  # the same case: its facts are what the child's coding reads
    children = [
        {
            "child": record.child,
            "age": record.age,
            "initials": selectors.initials(record.child.person.name),
            "coding": record,
        }
        for record in simfoni.victim_records(rows)
    ]
    perpetrators = list(case.perpetrators.select_related("person"))
    referrals = list(case.referrals.all())
    if perms.refer:
        for referral in referrals:
            if referral_form is not None and referral_form.referral_pk == referral.pk:
                referral.status_form = referral_form
            else:
                referral.status_form = action_forms.ReferralStatusForm(
                    prefix=f"referral{referral.pk}",
                    initial={"status": referral.status, "note": referral.status_note},
                )
    context = {
        "case": case,
        "perms": perms,
        "forms": _forms(case, perms, request.user, bound, rows, cadre_search),
        "open_panel": next(iter(bound), None) if bound else ("cadre" if cadre_search else None),
        "status_badge": badges.status_badge(case.status),
        "risk_badge": badges.risk_badge(case.risk),
        "violences": [v.get_kind_display() for v in case.violences.all()],
        "children": children,
        "perpetrators": perpetrators,
        "people": people_panel(case=case, perms=perms, rows=rows, perpetrators=perpetrators, bound=bound),
        "services_list": list(case.services.all()),
        "referrals": referrals,
        "attachments": selectors.case_attachments(case=case, perms=perms),
        "cadre_links": list(case.cadre_links.select_related("user__kelurahan").order_by("assigned_at", "id")),
        "events": selectors.case_timeline(case=case, perms=perms),
        "escalation_panel": escalation_panel(case=case, user=request.user, bound=bound),
        "closing_reasons": {
            str(target): [str(r) for r in reasons] for target, reasons in action_forms.CLOSING_REASONS.items()
        },
    }
    status = 400 if bound or referral_form is not None else 200
    return render(request, "cases/detail/detail.html", context, status=status)


def _done(case: Case, message: str, request, anchor: str = "timeline"):
    messages.success(request, message)
    return redirect(reverse("cases:detail", args=[case.number]) + f"#{anchor}")


@never_cache  # a child's identity must not stay in a shared phone's browser cache
@require_GET
@login_required
@offline_page
def case_detail(request, number: str):
    case, perms = _load(request, number)
    return render_case_page(request, case, perms)


@require_POST
@login_required
def case_status(request, number: str):
    case, perms = _load(request, number, "change_status")
    form = action_forms.StatusForm(request.POST, prefix="status", case=case, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["to"] == Status.SELESAI and not user_can(request.user, Cap.SUPERVISE):
                # Completing a case is a supervisor's decision: anyone else asks for it.
                casework_services.closure_request(
                    actor=request.user,
                    case=case,
                    closure_reason=data.get("closure_reason") or "",
                    note=data["note"],
                    ip=client_ip(request),
                )
                return _done(case, _("A supervisor was asked to approve the completion."), request)
            services.case_change_status(
                actor=request.user,
                case=case,
                to=data["to"],
                note=data["note"],
                closure_reason=data.get("closure_reason") or "",
                case_worker=data.get("case_worker") if data["to"] == Status.DIVERIFIKASI else None,
                override_reason=data.get("override_reason") or "",
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            return _done(case, _("The status was changed."), request)
    return render_case_page(request, case, perms, bound={"status": form})


@require_POST
@login_required
def case_note(request, number: str):
    case, perms = _load(request, number, "add_note")
    form = action_forms.NoteForm(request.POST, prefix="note")
    if form.is_valid():
        services.case_add_note(
            actor=request.user, case=case, note=form.cleaned_data["note"], ip=client_ip(request)
        )
        return _done(case, _("The note was added."), request)
    return render_case_page(request, case, perms, bound={"note": form})


@require_POST
@login_required
def case_visit(request, number: str):
    case, perms = _load(request, number, "add_visit")
    form = action_forms.VisitForm(request.POST, prefix="visit")
    if form.is_valid():
        try:
            services.case_add_visit(
                actor=request.user,
                case=case,
                visit_date=form.cleaned_data["visit_date"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The visit was recorded."), request)
    return render_case_page(request, case, perms, bound={"visit": form})


@require_POST
@login_required
def case_service(request, number: str):
    case, perms = _load(request, number, "add_service")
    form = action_forms.ServiceForm(request.POST, prefix="service", case=case)
    if form.is_valid():
        try:
            services.case_add_service(
                actor=request.user, case=case, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The service was added."), request, "services")
    return render_case_page(request, case, perms, bound={"service": form})


@require_POST
@login_required
def case_refer(request, number: str):
    case, perms = _load(request, number, "refer")
    form = action_forms.ReferralForm(request.POST, prefix="refer")
    if form.is_valid():
        check = consent.consent_allows(
            case=case, purpose=ConsentPurpose.SHARING, institution=form.cleaned_data["institution"]
        )
        try:
            services.case_refer(actor=request.user, case=case, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            if check.warning:
                messages.warning(request, check.message)
            return _done(case, _("The referral was recorded."), request, "referrals")
    return render_case_page(request, case, perms, bound={"refer": form})


@require_POST
@login_required
def referral_status(request, number: str, pk: int):
    case, perms = _load(request, number)
    referral = get_object_or_404(case.referrals, pk=pk)
    perms.require("refer")
    form = action_forms.ReferralStatusForm(request.POST, prefix=f"referral{referral.pk}")
    form.referral_pk = referral.pk
    if form.is_valid():
        services.referral_update_status(
            actor=request.user,
            referral=referral,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
        return _done(case, _("The referral status was updated."), request, "referrals")
    return render_case_page(request, case, perms, referral_form=form)


@require_POST
@login_required
def case_consent(request, number: str):
    case, perms = _load(request, number, "record_consent")
    rows = list(case.children.select_related("person", "guardian"))
    perpetrators = list(case.perpetrators.all())
    excluded = consent.excluded_persons(case=case, perpetrators=perpetrators)
    form = consent_forms.ConsentForm(
        request.POST,
        prefix="consent",
        children=rows,
        carers=[m for m in selectors.case_family(children=rows) if m.carer and m.person.pk not in excluded],
        ask_confirm=any(p.relation == "orang_tua" and p.person_id is None for p in perpetrators),
    )
    if form.is_valid():
        try:
            consent_services.consent_record(
                actor=request.user, case=case, ip=client_ip(request), **form.service_kwargs()
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The consent was recorded."), request, "consent")
    return render_case_page(request, case, perms, bound={"consent": form})


@require_POST
@login_required
def do_not_tell_add(request, number: str):
    case, perms = _load(request, number, "record_consent")
    rows = list(case.children.select_related("person", "guardian"))
    excluded = consent.excluded_persons(case=case)
    family = [m for m in selectors.case_family(children=rows) if m.person.pk not in excluded]
    form = consent_forms.DoNotTellForm(request.POST, prefix="dnt", family=family)
    if form.is_valid():
        try:
            consent_services.do_not_tell_add(
                actor=request.user,
                case=case,
                person=form.chosen_person(),
                relation=form.cleaned_data.get("relation") or "",
                note=form.cleaned_data.get("note") or "",
                ip=client_ip(request),
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("Added to who must not be told."), request, "do-not-tell")
    return render_case_page(request, case, perms, bound={"do_not_tell": form})


@require_POST
@login_required
def do_not_tell_remove(request, number: str, pk: int):
    case, perms = _load(request, number)
    entry = get_object_or_404(case.do_not_tell, pk=pk)
    perms.require("manage_people")
    key = f"dnt_remove{entry.pk}"
    form = consent_forms.DoNotTellRemoveForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            consent_services.do_not_tell_remove(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("Taken off who must not be told."), request, "do-not-tell")
    return render_case_page(request, case, perms, bound={key: form})


@require_POST
@login_required
def perpetrator_person(request, number: str, pk: int):
    case, perms = _load(request, number)
    perpetrator = get_object_or_404(case.perpetrators, pk=pk)
    perms.require("manage_people")
    rows = list(case.children.select_related("person", "guardian"))
    key = f"perpetrator{perpetrator.pk}"
    form = consent_forms.PerpetratorPersonForm(
        request.POST, prefix=key, family=selectors.case_family(children=rows)
    )
    if form.is_valid():
        person_services.perpetrator_link_person(
            actor=request.user, perpetrator=perpetrator, person=form.chosen_person(), ip=client_ip(request)
        )
        return _done(case, _("The alleged perpetrator was recorded."), request, "perpetrators")
    return render_case_page(request, case, perms, bound={key: form})


@require_POST
@login_required
def assign_worker(request, number: str):
    case, perms = _load(request, number, "assign")
    form = action_forms.AssignWorkerForm(request.POST, prefix="worker", case=case)
    if form.is_valid():
        try:
            services.case_assign_worker(
                actor=request.user, case=case, worker=form.cleaned_data["worker"], ip=client_ip(request)
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The case worker was assigned."), request, "people")
    return render_case_page(request, case, perms, bound={"worker": form})


@require_POST
@login_required
def cadre_add(request, number: str):
    case, perms = _load(request, number, "assign")
    form = action_forms.CadreAddForm(request.POST, prefix="cadre", case=case, actor=request.user)
    if form.is_valid():
        try:
            services.case_assign_cadre(
                actor=request.user, case=case, cadre=form.cleaned_data["cadre"], ip=client_ip(request)
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The cadre now accompanies the case."), request, "people")
    return render_case_page(request, case, perms, bound={"cadre": form})


@require_POST
@login_required
def cadre_remove(request, number: str, user_id: int):
    case, perms = _load(request, number)
    link = get_object_or_404(CaseCadre.objects.select_related("user"), case=case, user_id=user_id)
    perms.require("assign")
    services.case_remove_cadre(actor=request.user, case=case, cadre=link.user, ip=client_ip(request))
    return _done(case, _("The cadre no longer accompanies the case."), request, "people")


@require_POST
@login_required
def attachment_upload(request, number: str):
    case, perms = _load(request, number, "upload")
    form = action_forms.AttachmentForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        try:
            services.case_add_attachment(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                content_type=form.content_type,
                description=form.cleaned_data["description"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            action_forms.apply_service_error(form, error)
        else:
            return _done(case, _("The file was attached."), request, "attachments")
    return render_case_page(request, case, perms, bound={"upload": form})


@require_GET
@login_required
def attachment_download(request, number: str, pk: int):
    case, perms = _load(request, number)
    attachment = get_object_or_404(case.attachments, pk=pk)
    perms.require("download")
    if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    services.case_record_access(
        actor=request.user,
        case=case,
        action="case.attachment_download",
        ip=client_ip(request),
        attachment=attachment.pk,
    )
    # A neutral name (the original may hold the child's name) unless staff asked for it.
    filename = selectors.attachment_download_name(
        case=case, attachment=attachment, perms=perms, original=request.GET.get("nama") == "asli"
    )
    return attachments.attachment_response(attachment, filename=filename)


@never_cache
@require_GET
@login_required
def case_print(request, number: str):
    """A one-page summary of the case to print or save as PDF. Children are anonymised
    unless a staff member who may see their identity asks for it (recorded)."""
    case, perms = _load(request, number, "export")
    with_identity = perms.see_identity and request.GET.get("identitas") == "1"
    # A print with identities is an identity export: a child whose follow-up was refused stays masked.
    checks = consent.consent_checks(case=case, purpose=ConsentPurpose.FOLLOW_UP) if with_identity else {}
    withheld = (
        {"withheld_by_consent": [pk for pk, c in checks.items() if not c.allowed]} if with_identity else {}
    )
    services.case_record_access(
        actor=request.user,
        case=case,
        action="case.export",
        ip=client_ip(request),
        format="print",
        identity=with_identity,
        **withheld,
    )
    context = {
        "case": case,
        "with_identity": with_identity,
        "can_reveal": perms.see_identity,
        "violences": [v.get_kind_display() for v in case.violences.all()],
        "children": [
            {
                "child": c,
                "age": c.age_on(case.incident_date),
                "initials": selectors.initials(c.person.name),
                "identity": with_identity and checks[c.pk].allowed,
                "consent_message": checks[c.pk].message if with_identity else "",
            }
            for c in case.children.select_related("person", "guardian")
        ],
        "perpetrators": list(case.perpetrators.all()),
        "services_list": list(case.services.all()),
        "referrals": list(case.referrals.all()),
        "cadres": [link.user for link in case.cadre_links.select_related("user")],
        "events": list(case.events.select_related("actor")[:30]),
        "printed_at": timezone.now(),
        "printed_by": request.user,
    }
    return render(request, "cases/detail/print.html", context)


urlpatterns: list = [
    path("<str:number>/", case_detail, name="detail"),
    path("<str:number>/status/", case_status, name="status"),
    path("<str:number>/catatan/", case_note, name="note"),
    path("<str:number>/kunjungan/", case_visit, name="visit"),
    path("<str:number>/layanan/", case_service, name="service"),
    path("<str:number>/rujukan/", case_refer, name="refer"),
    path("<str:number>/rujukan/<int:pk>/status/", referral_status, name="referral_status"),
    path("<str:number>/petugas/", assign_worker, name="assign_worker"),
    path("<str:number>/kader/", cadre_add, name="cadre_add"),
    path("<str:number>/kader/<int:user_id>/hapus/", cadre_remove, name="cadre_remove"),
    path("<str:number>/lampiran/", attachment_upload, name="attachment_upload"),
    path("<str:number>/lampiran/<int:pk>/", attachment_download, name="attachment_download"),
    path("<str:number>/cetak/", case_print, name="print"),
    path("<str:number>/persetujuan/", case_consent, name="consent"),
    path("<str:number>/jangan-diberi-tahu/", do_not_tell_add, name="do_not_tell_add"),
    path("<str:number>/jangan-diberi-tahu/<int:pk>/hapus/", do_not_tell_remove, name="do_not_tell_remove"),
    path("<str:number>/pelaku/<int:pk>/", perpetrator_person, name="perpetrator_person"),
]
