"""The production check's users and data, created with DEBUG off through SIGAP's own services.

Run by `make prodcheck` (scripts/prodcheck/__main__.py) with the production environment:

    python -m scripts.prodcheck.seed > seed.json

It refuses a database that has any user, so it cannot touch a database in use. Every
account gets a fresh random password (never the demo password, which production's
password policy refuses); with django-otp installed each also gets a confirmed TOTP
device, whose key the crawl uses to pass the second step of the login. It prints JSON:
the accounts, the settings the crawl must see at work, and one address for every URL
pattern (sample ids from the data made here).
"""

import datetime as dt
import json
import os
import secrets
import sys

import django
import time_machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import Notification, Role, User  # noqa: E402
from kelurahan.models import Kecamatan, Kelurahan  # noqa: E402

# username, role, kelurahan code (kader) or kecamatan code (petugas limited to it)
ACCOUNTS = (
    ("admin", Role.ADMIN, None),
    ("petugas", Role.PETUGAS, None),
    ("kasubid", Role.PETUGAS, None),  # the supervisor (Kasubid PP & PA): approves plans and closures
    ("petugas_utara", Role.PETUGAS, "61.71.04"),  # Pontianak Utara only
    ("kader", Role.KADER, "61.71.06.1001"),  # Bansir Laut, Pontianak Tenggara
    ("kader2", Role.KADER, "61.71.04.1001"),  # Siantan Hulu, Pontianak Utara
    ("kpad", Role.KPAD, None),
)
# Fewer cases than the demo's year (108), for a check that should take a minute.
CASES = 30
PNG = bytes.fromhex(  # a whole 1 x 1 PNG: SIGAP decodes every image it stores
    "89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
    "53de0000000c4944415478da63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)

# Headers the crawl asserts on every page once a setting or a middleware that produces them
# exists (Django's own SECURE_CSP, django-csp, django-permissions-policy, or SIGAP's).
POLICY_HEADERS = {
    "Content-Security-Policy": {
        "settings": ("SIGAP_CONTENT_SECURITY_POLICY", "SECURE_CSP", "CONTENT_SECURITY_POLICY"),
        "middleware": ("csp", "contentsecuritypolicy"),
    },
    "Permissions-Policy": {
        "settings": ("SIGAP_PERMISSIONS_POLICY", "PERMISSIONS_POLICY"),
        "middleware": ("permissionspolicy",),
    },
}


def create_accounts() -> dict[str, dict]:
    accounts = {}
    for username, role, area in ACCOUNTS:
        password = secrets.token_urlsafe(18)
        user = account_services.user_create(
            actor=None,
            username=username,
            password=password,
            role=role,
            first_name=username.replace("_", " ").title(),
            last_name="Prodcheck",
            email=f"{username}@prodcheck.invalid",
            kelurahan=Kelurahan.objects.get(code=area) if role == Role.KADER else None,
            kecamatan=Kecamatan.objects.get(code=area) if role == Role.PETUGAS and area else None,
            is_supervisor=username == "kasubid",
        )
        accounts[username] = {"username": username, "password": password, "role": role, "pk": user.pk}
        key = add_totp_device(user)
        if key:
            accounts[username]["totp"] = key
    return accounts


def add_totp_device(user: User) -> dict | None:
    """A confirmed TOTP device when django-otp is installed (the second factor production asks for)."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="prodcheck", confirmed=True)
    return {"key": device.key, "step": device.step, "t0": device.t0, "digits": device.digits}


def seed_demo_like_data(users: dict[str, User], *, end: dt.datetime) -> None:
    """The demo's roster, training and board, a shorter year of its cases, and what the demo
    leaves out (an attachment, an open election), so that every URL pattern has a real sample."""
    from board.demo import seed_demo_board
    from cadres.demo import seed_demo_cadres
    from demo import year
    from training.demo import seed_demo_training

    with time_machine.travel(end - dt.timedelta(days=year.YEAR_DAYS + 30), tick=False):
        seed_demo_cadres()
        seed_demo_training()
        seed_demo_board()
    year.seed_demo_cases(
        petugas=users["petugas"],
        kaders=[users["kader"], users["kader2"]],
        kpad_user=users["kpad"],
        supervisor=users["kasubid"],
        count=CASES,
        end=end,
    )
    add_attachment(users["kader"])
    add_do_not_tell(users["petugas"])
    add_kpad_request(users["kpad"])
    add_open_election(users["petugas"])
    add_conference(users["petugas"])
    add_privacy_records(users["petugas"])


def add_attachment(kader: User) -> None:
    from cases import services
    from cases.models import Case

    case = Case.objects.filter(reported_by=kader).order_by("pk").first()
    services.case_add_attachment(
        actor=kader,
        case=case,
        upload=SimpleUploadedFile("foto.png", PNG),
        kind="foto",
        content_type="image/png",
    )


def add_do_not_tell(petugas: User) -> None:
    """Someone who must not be told, on the case that has the attachment."""
    from cases import consent_services
    from cases.models import Attachment

    case = Attachment.objects.order_by("pk").first().case
    consent_services.do_not_tell_add(actor=petugas, case=case, note="Paman, teman dekat terduga pelaku")


def add_kpad_request(kpad: User) -> None:
    """A question from KPAD on an open review, unless the year made one already."""
    from cases import kpad_services
    from cases.models import Escalation, KpadMessage

    if KpadMessage.objects.filter(kind=KpadMessage.Kind.REQUEST).exists():
        return
    escalation = Escalation.objects.filter(resolved_at__isnull=True).order_by("pk").first()
    kpad_services.kpad_acknowledge(actor=kpad, escalation=escalation)
    kpad_services.kpad_request_information(
        actor=kpad, escalation=escalation, text="Mohon kabar pendampingan terakhir."
    )


def add_conference(petugas: User) -> None:
    """A case conference on an open case, whatever the shorter year held."""
    from django.utils import timezone

    from cases import casework_services
    from cases.models import OPEN_STATUSES, Case

    case = Case.objects.filter(status__in=OPEN_STATUSES).order_by("pk").first()
    casework_services.conference_record(
        actor=petugas,
        case=case,
        held_on=timezone.localdate(),
        institutions=["uptd_ppa"],
        decisions=[
            casework_services.ActionData(
                title="Koordinasi lanjutan",
                owner_kind="petugas",
                owner_user=petugas,
                due_on=timezone.localdate(),
            )
        ],
    )


def add_open_election(petugas: User) -> None:
    from board import services as board_services
    from board.models import BoardPosition
    from cadres.models import Cadre

    term = board_services.board_term_create(actor=petugas, start_year=2026, end_year=2029)
    election = board_services.election_create(actor=petugas, term=term, title="Pemilihan pengurus 2026")
    position = BoardPosition.objects.filter(kecamatan__isnull=True).order_by("sort_order").first()
    for cadre in Cadre.objects.filter(status="aktif").order_by("pk")[:2]:
        board_services.election_add_candidate(
            actor=petugas, election=election, position=position, cadre=cadre
        )
    board_services.election_open(actor=petugas, election=election)


def add_privacy_records(petugas: User) -> None:
    """A subject request, a breach and a destruction list waiting for a supervisor (privacy)."""
    from django.utils import timezone

    from privacy import services as privacy_services
    from privacy.models import DestructionList

    privacy_services.subject_request_create(
        actor=petugas,
        kind="akses",
        requester_name="Ibu Sintetis",
        requester_relation="orang_tua",
        details="Meminta salinan data anaknya.",
    )
    privacy_services.breach_create(
        actor=petugas, summary="Ponsel kader hilang", found_at=timezone.now(), data_affected="Draf laporan"
    )
    DestructionList.objects.get_or_create(
        month=timezone.localdate().replace(day=1), defaults={"built_at": timezone.now()}
    )


def url_samples() -> dict[str, dict]:
    """Keyword arguments for each URL pattern with parameters, from the data made above."""
    from board.models import BoardTerm, Candidate, Election
    from cadres.models import Cadre
    from cases.casework_models import Approval, CaseConference, CaseTask
    from cases.models import (
        Attachment,
        CaseCadre,
        Child,
        DoNotTell,
        Escalation,
        FamilyLink,
        KpadMessage,
        Perpetrator,
        Referral,
    )
    from privacy.models import Breach, DestructionList, SubjectRequest
    from training.models import AgendaItem, Participant, Training

    case = Attachment.objects.order_by("pk").first().case
    referral = Referral.objects.order_by("pk").first()
    accompanied = CaseCadre.objects.select_related("case").order_by("pk").first()
    request = (
        KpadMessage.objects.filter(kind=KpadMessage.Kind.REQUEST).select_related("escalation__case").first()
    )
    training = Training.objects.order_by("pk").first()
    participant = Participant.objects.filter(training=training).order_by("pk").first()
    certified = Participant.objects.filter(certificate_code__isnull=False).order_by("pk").first()
    election = Election.objects.filter(state=Election.State.OPEN).order_by("pk").first()
    candidate = Candidate.objects.filter(election=election).order_by("pk").first()
    escalation = Escalation.objects.order_by("pk").first()
    cadre = Cadre.objects.order_by("pk").first()
    day = training.days.order_by("date").first().date.isoformat()
    notification = Notification.objects.order_by("pk").first()
    number = {"number": case.number}
    child = Child.objects.filter(case=case).order_by("pk").first().person
    other = Child.objects.exclude(person=child).order_by("pk").first().person
    link = FamilyLink.objects.order_by("pk").first()
    perpetrator = Perpetrator.objects.select_related("case").order_by("pk").first()
    victim = {"number": case.number, "child_id": Child.objects.filter(case=case).order_by("pk").first().pk}
    conference = CaseConference.objects.select_related("case").order_by("pk").first()
    task = CaseTask.objects.order_by("pk").first()
    approval = Approval.objects.order_by("pk").first()
    on_referral = {"number": referral.case.number, "pk": referral.pk}
    return {
        "cases:casework": number,
        "cases:assessment_add": number,
        "cases:plan_add": number,
        "cases:task_add": number,
        "cases:conference_add": number,
        "cases:transfer": number,
        "cases:conference_minutes": {"number": conference.case.number, "pk": conference.pk},
        "cases:referral": on_referral,
        "cases:referral_answer": on_referral,
        "cases:referral_outcome": on_referral,
        "cases:referral_letter": on_referral,
        "cases:task_state": {"pk": task.pk},
        "cases:approval_decide": {"pk": approval.pk},
        "accounts:user_edit": {"pk": User.objects.get(username="kader").pk},
        "accounts:user_set_password": {"pk": User.objects.get(username="kader").pk},
        "accounts:user_unlock": {"pk": User.objects.get(username="kader").pk},
        "accounts:user_reset_2fa": {"pk": User.objects.get(username="kader").pk},
        "accounts:notification_open": {"pk": notification.pk},
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
        "cases:attachment_download": {**number, "pk": Attachment.objects.filter(case=case).first().pk},
        "cases:referral_status": {"number": referral.case.number, "pk": referral.pk},
        "cases:cadre_remove": {"number": accompanied.case.number, "user_id": accompanied.user_id},
        "cases:answer_request": {"number": request.escalation.case.number, "pk": request.pk},
        "cases:consent": number,
        "cases:do_not_tell_add": number,
        "cases:do_not_tell_remove": {**number, "pk": DoNotTell.objects.filter(case=case).first().pk},
        "cases:perpetrator_person": {"number": perpetrator.case.number, "pk": perpetrator.pk},
        "reports:simfoni_sheet": victim,
        "reports:simfoni_sheet_print": victim,
        "reports:simfoni_sheet_xlsx": victim,
        "reports:simfoni_ready": victim,
        "reports:simfoni_number": victim,
        "people:detail": {"pk": child.pk},
        "people:family_add": {"pk": child.pk},
        "people:family_remove": {"pk": link.person_id, "link_pk": link.pk},
        "people:merge": {"pk": child.pk, "other": other.pk},
        "cases:kpad_review": {"pk": escalation.pk},
        "cases:kpad_reveal": {"pk": escalation.pk},
        "cases:kpad_acknowledge": {"pk": escalation.pk},
        "cases:kpad_request": {"pk": escalation.pk},
        "cases:kpad_recommend": {"pk": escalation.pk},
        "cases:kpad_resolve": {"pk": escalation.pk},
        "cadres:detail": {"pk": cadre.pk},
        "cadres:edit": {"pk": cadre.pk},
        "cadres:create_login": {"pk": cadre.pk},
        "board:paper_result": {"pk": BoardTerm.objects.order_by("-pk").first().pk},
        "board:election": {"pk": election.pk},
        "board:candidate_add": {"pk": election.pk},
        "board:candidate_remove": {"pk": election.pk, "candidate_pk": candidate.pk},
        "board:election_open": {"pk": election.pk},
        "board:election_close": {"pk": election.pk},
        "board:install": {"pk": election.pk},
        "board:ballot": {"pk": election.pk},
        "board:result": {"pk": election.pk},
        "training:detail": {"pk": training.pk},
        "training:edit": {"pk": training.pk},
        "training:agenda": {"pk": training.pk},
        "training:agenda_delete": {
            "pk": training.pk,
            "item_pk": AgendaItem.objects.filter(day__training=training).first().pk,
        },
        "training:participants": {"pk": training.pk},
        "training:participant_remove": {"pk": training.pk, "participant_pk": participant.pk},
        "training:attendance": {"pk": training.pk, "day": day},
        "training:attendance_mark": {"pk": training.pk, "day": day, "participant_pk": participant.pk},
        "training:scores": {"pk": training.pk},
        "training:certificates": {"pk": training.pk},
        "training:certificates_pdf": {"pk": training.pk},
        "training:certificate_pdf": {"pk": training.pk, "participant_pk": certified.pk},
        "training:cohort": {"pk": training.pk},
        "training:my_certificate": {"pk": training.pk},
        "certificate:verify": {"code": certified.certificate_code},
        "privacy:case_hold": number,
        "privacy:case_hold_place": number,
        "privacy:case_hold_lift": number,
        "privacy:destruction_detail": {"pk": DestructionList.objects.order_by("pk").first().pk},
        "privacy:destruction_decide": {"pk": DestructionList.objects.order_by("pk").first().pk},
        "privacy:request_detail": {"pk": SubjectRequest.objects.order_by("pk").first().pk},
        "privacy:breach_detail": {"pk": Breach.objects.order_by("pk").first().pk},
    }


def url_patterns(samples: dict[str, dict]) -> tuple[dict[str, str], list[str]]:
    """Every named URL pattern outside Django's admin (crawled through its links instead):
    its address, with the sample arguments where it has parameters. Returns (addresses, unsampled)."""
    addresses, unsampled = {}, []

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if pattern.pattern.converters:
                    if name not in samples:
                        unsampled.append(name)
                        continue
                    addresses[name] = reverse(name, kwargs=samples[name])
                else:
                    addresses[name] = reverse(name)

    walk(get_resolver().url_patterns)
    return addresses, unsampled


def expected_headers() -> dict:
    hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        hsts += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        hsts += "; preload"
    headers = {
        "X-Content-Type-Options": "nosniff" if settings.SECURE_CONTENT_TYPE_NOSNIFF else None,
        "X-Frame-Options": settings.X_FRAME_OPTIONS,
        "Referrer-Policy": settings.SECURE_REFERRER_POLICY,
        "Strict-Transport-Security": hsts if settings.SECURE_HSTS_SECONDS else None,
    }
    middleware = [name.lower().replace("_", "") for name in settings.MIDDLEWARE]
    for header, sources in POLICY_HEADERS.items():
        values = [
            getattr(settings, name)
            for name in sources["settings"]
            if isinstance(getattr(settings, name, None), str)
        ]
        if values:
            headers[header] = values[0]  # SIGAP's policies are one constant string each
        elif any(marker in name for name in middleware for marker in sources["middleware"]):
            headers[header] = ""  # present; its value is the library's business
    return headers


def main() -> int:
    if settings.DEBUG:
        sys.exit("prodcheck seed: DEBUG is on; the production check runs with DEBUG off.")
    if User.objects.exists():
        sys.exit("prodcheck seed: this database has users already; it seeds only an empty database.")
    # The demo's notifications would email each step of its case histories: their emails are
    # not what the check is about (the worker's own emails are).
    end = timezone.now()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        # As the demo does: the accounts exist from before the year its cases live through.
        with time_machine.travel(end - dt.timedelta(days=400), tick=False), transaction.atomic():
            accounts = create_accounts()
        users = {u.username: u for u in User.objects.all()}
        seed_demo_like_data(users, end=end)
    samples = url_samples()
    addresses, unsampled = url_patterns(samples)
    json.dump(
        {
            "accounts": accounts,
            "urls": addresses,
            "unsampled": unsampled,
            "login": reverse("accounts:login"),
            "logout": reverse("accounts:logout"),
            "skip": [reverse("accounts:logout"), reverse("set_language")],
            "headers": expected_headers(),
            "cookies": {
                "session": settings.SESSION_COOKIE_NAME,
                "csrf": settings.CSRF_COOKIE_NAME,
                "csrf_httponly": settings.CSRF_COOKIE_HTTPONLY,
            },
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
