"""A small world for the break-in module: two rich cases in two kecamatan, and around them
every kind of record a URL can name, made through the services.

* ``case_t``: reported by charlie (kader, Bansir Laut, Pontianak Tenggara), escalated to KPAD
  by hand, with KPAD's request; a referral, an attachment, a perpetrator, who must not be told,
  a guardian (a family link) and two children.
* ``case_u``: the same, reported by carol (kader, Siantan Hulu, Pontianak Utara), not escalated.

bella (petugas of Pontianak Utara) sees ``case_u`` only; dave (KPAD) ``case_t`` only; bob
(petugas of the city) both; alice (admin) none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from board import services as board_services
from cadres.services import cadre_create
from cases import casework_services, kpad_services, services
from cases.casework_models import Approval, CaseTask
from cases.escalation import escalate_case
from cases.models import Case, CaseCadre, DoNotTell, Escalation, FamilyLink, KpadMessage, Perpetrator
from privacy import services as privacy_services
from privacy.models import DestructionList
from reports.models import ExportJob
from tests import factories as f
from tests import images
from training import services as training_services


@dataclass
class CaseRecords:
    case: Case
    kwargs: dict[str, dict] = field(default_factory=dict)  # URL name -> its arguments on this case


def _rich_case(*, reporter, petugas, kelurahan, names: tuple[str, str]) -> CaseRecords:
    case = f.make_case(
        actor=reporter,
        kelurahan=kelurahan,
        children=[
            services.ChildData(
                name=names[0], sex="P", birth_date=dt.date(2014, 3, 2), guardian_name=f"Ibu {names[0]}"
            ),
            services.ChildData(name=names[1], sex="L", estimated_age=9),
        ],
        perpetrators=[services.PerpetratorData(relation="orang_tua", sex="L", age=40)],
        do_not_tell="paman korban",
    )
    referral = services.case_refer(
        actor=petugas, case=case, institution="unit_ppa", date=timezone.localdate()
    )
    attachment = services.case_add_attachment(
        actor=reporter,
        case=case,
        upload=SimpleUploadedFile("foto.png", images.PNG),
        kind="dokumen",
        content_type="image/png",
    )
    today = timezone.localdate()
    action = casework_services.ActionData(
        title="Kunjungan rumah", owner_kind="petugas", owner_user=petugas, due_on=today
    )
    casework_services.plan_create(actor=petugas, case=case, goals="Anak aman di rumah", actions=[action])
    conference = casework_services.conference_record(
        actor=petugas, case=case, held_on=today, decisions=[action], summary="Rapat kasus"
    )
    task = CaseTask.objects.filter(case=case).order_by("pk").first()
    approval = Approval.objects.filter(case=case).order_by("pk").first()
    children = list(case.children.select_related("person").order_by("pk"))
    person = children[0].person
    link = FamilyLink.objects.filter(person=person).order_by("pk").first()
    number = {"number": case.number}
    records = CaseRecords(case=case)
    records.kwargs = {
        "cases:edit": number,
        "cases:detail": number,
        "cases:status": number,
        "cases:note": number,
        "cases:visit": number,
        "cases:service": number,
        "cases:refer": number,
        "cases:assign_worker": number,
        "cases:cadre_add": number,
        "cases:attachment_upload": number,
        "cases:print": number,
        "cases:escalate": number,
        "cases:consent": number,
        "cases:do_not_tell_add": number,
        "cases:attachment_download": {**number, "pk": attachment.pk},
        "cases:referral_status": {**number, "pk": referral.pk},
        "cases:cadre_remove": {**number, "user_id": CaseCadre.objects.filter(case=case).first().user_id},
        "cases:do_not_tell_remove": {**number, "pk": DoNotTell.objects.filter(case=case).first().pk},
        "cases:perpetrator_person": {**number, "pk": Perpetrator.objects.filter(case=case).first().pk},
        "cases:casework": number,
        "cases:assessment_add": number,
        "cases:plan_add": number,
        "cases:task_add": number,
        "cases:conference_add": number,
        "cases:transfer": number,
        "cases:conference_minutes": {**number, "pk": conference.pk},
        "cases:referral": {**number, "pk": referral.pk},
        "cases:referral_answer": {**number, "pk": referral.pk},
        "cases:referral_outcome": {**number, "pk": referral.pk},
        "cases:referral_letter": {**number, "pk": referral.pk},
        "cases:task_state": {"pk": task.pk},
        "cases:approval_decide": {"pk": approval.pk},
        "reports:simfoni_sheet": {**number, "child_id": children[0].pk},
        "reports:simfoni_sheet_print": {**number, "child_id": children[0].pk},
        "reports:simfoni_sheet_xlsx": {**number, "child_id": children[0].pk},
        "reports:simfoni_ready": {**number, "child_id": children[0].pk},
        "reports:simfoni_number": {**number, "child_id": children[0].pk},
        "people:detail": {"pk": person.pk},
        "people:family_add": {"pk": person.pk},
        "people:family_remove": {"pk": link.person_id, "link_pk": link.pk},
        "people:merge": {"pk": person.pk, "other": children[1].person.pk},
    }
    return records


@dataclass
class World:
    users: dict
    case_t: CaseRecords
    case_u: CaseRecords
    escalation: Escalation
    request: KpadMessage
    notifications: dict  # owner username -> a notification of theirs
    export_jobs: dict  # owner username -> an export job of theirs
    cadre_t: object  # a roster entry in Bansir Laut (Pontianak Tenggara)
    training: object
    participant: object
    day: str
    agenda_item: object
    term: object
    election: object
    candidate: object
    subject_request: object = None  # privacy: a data subject's request, a breach, a destruction list
    breach: object = None
    destruction_list: object = None


def build(users: dict) -> World:
    bob, charlie, carol, dave = users["bob"], users["charlie"], users["carol"], users["dave"]
    case_t = _rich_case(
        reporter=charlie, petugas=bob, kelurahan=f.kelurahan(f.BANSIR_LAUT), names=("Siti Aminah", "Budi")
    )
    case_u = _rich_case(
        reporter=carol, petugas=bob, kelurahan=f.kelurahan(f.SIANTAN_HULU), names=("Dewi Lestari", "Tono")
    )
    escalation, _created = escalate_case(case_t.case.pk, Escalation.Rule.MANUAL, "Perlu telaah", actor=bob)
    request = kpad_services.kpad_request_information(actor=dave, escalation=escalation, text="Mohon asesmen")
    case_t.kwargs["cases:answer_request"] = {"number": case_t.case.number, "pk": request.pk}
    # case_u has no KPAD request: its address names the request on case_t, which is no better.
    case_u.kwargs["cases:answer_request"] = {"number": case_u.case.number, "pk": request.pk}
    notifications = {
        name: Notification.objects.create(user=users[name], kind="test", title="Uji", url="/")
        for name in ("bob", "bella")
    }
    export_jobs = {
        name: ExportJob.objects.create(
            requested_by=users[name],
            kind="cases",
            format="csv",
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        for name in ("bob", "bella")
    }
    cadre_t = cadre_create(
        actor=bob, name="Kader Tenggara", sex="P", kelurahan=f.kelurahan(f.BANSIR_LAUT), cohort=2022
    )
    training = training_services.training_create(
        actor=bob, title="Pelatihan Uji", organiser="DP2KBP3A", venue="BAPPEDA", dates=[dt.date(2022, 11, 23)]
    )
    training_services.participants_add_cadres(actor=bob, training=training, cadres=[cadre_t])
    participant = training.participants.get()
    training_day = training.days.get()
    day = training_day.date.isoformat()
    agenda_item = training_services.agenda_item_add(
        actor=bob, day=training_day, start_time=dt.time(9, 0), topic="Pembukaan"
    )
    term = board_services.board_term_create(actor=bob, start_year=2026, end_year=2029)
    election = board_services.election_create(actor=bob, term=term, title="Pemilihan Uji")
    candidate = board_services.election_add_candidate(
        actor=bob, election=election, position=board_services.board_positions_ensure()[0], cadre=cadre_t
    )
    for records in (case_t, case_u):
        for name in ("privacy:case_hold", "privacy:case_hold_place", "privacy:case_hold_lift"):
            records.kwargs[name] = {"number": records.case.number}
    subject_request = privacy_services.subject_request_create(
        actor=bob,
        kind="akses",
        requester_name="Ibu Uji",
        requester_relation="orang_tua",
        details="Salinan data",
    )
    breach = privacy_services.breach_create(
        actor=bob, summary="Uji", found_at=timezone.now(), data_affected="Lampiran satu kasus"
    )
    destruction_list = DestructionList.objects.create(month=dt.date(2026, 1, 1), built_at=timezone.now())
    return World(
        subject_request=subject_request,
        breach=breach,
        destruction_list=destruction_list,
        users=users,
        case_t=case_t,
        case_u=case_u,
        escalation=escalation,
        request=request,
        notifications=notifications,
        export_jobs=export_jobs,
        cadre_t=cadre_t,
        training=training,
        participant=participant,
        day=day,
        agenda_item=agenda_item,
        term=term,
        election=election,
        candidate=candidate,
    )
