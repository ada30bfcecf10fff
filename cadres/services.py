"""Writes to the cadre roster and its activity. Each service owns its transaction and its audit row.

Other apps count a cadre's activity through ``cadre_activity_record`` (training attendance)
and ``cadre_activity_from_case`` (case reports and follow-ups): the cadres app owns that data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Role
from accounts.policy import Cap, bound_to_kelurahan
from accounts.selectors import users_covering
from accounts.services import AuditTarget, audit_record, notify, user_create, user_update
from core.time import at_local_time, local_date
from kelurahan.selectors import kelurahan_visible_to

from .importer import RowAction, match_rows, person_key, row_values
from .models import Cadre, CadreActivity, CadreStatus, Outreach
from .selectors import cadre_of_login


@transaction.atomic
def cadre_activity_record(
    *,
    cadre: Cadre,
    kind: str,
    at: dt.datetime | None = None,
    summary: str = "",
    source: tuple[str, str] | None = None,
) -> CadreActivity | None:
    """Record something a cadre did and keep their last activity current.

    With a ``source`` (e.g. ("cases.case", "42")) the same event is recorded once only,
    however often this is called. The inactive-cadre job lifts a flag on its next run once
    the cadre is active again, and records and reports that.
    Never put a child's identity in ``summary``.
    """
    at = at or timezone.now()
    source_type, source_id = (source[0], str(source[1])) if source else ("", "")
    try:
        with transaction.atomic():
            activity = CadreActivity.objects.create(
                cadre=cadre,
                kind=kind,
                at=at,
                summary=summary[:255],
                source_type=source_type,
                source_id=source_id,
            )
    except IntegrityError:
        return None  # already recorded
    # Only move last_activity_at forward (an old event recorded late must not move it back).
    Cadre.objects.filter(pk=cadre.pk).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
    ).update(last_activity_at=at)
    return activity


def cadre_activity_from_case(
    *, user, kind: str, at: dt.datetime, summary: str, source: tuple[str, str]
) -> CadreActivity | None:
    """Count something a user did on a case as their activity, if the user is a cadre on the roster.

    Called by the case services, which decide what counts (a report; a follow-up on a case the
    kader accompanies). ``summary`` names the case by its number only.
    """
    cadre = cadre_of_login(user)
    if cadre is None:
        return None
    return cadre_activity_record(cadre=cadre, kind=kind, at=at, summary=summary, source=source)


def _activity_time(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When an activity on ``day`` happened, as well as we know: now for today, else noon that day."""
    if day >= local_date(now):
        return now
    return at_local_time(day, dt.time(12, 0))


@transaction.atomic
def outreach_log(
    *,
    cadre: Cadre,
    actor,
    kind: str,
    date: dt.date,
    kelurahan,
    people_reached: int,
    note: str = "",
    now: dt.datetime | None = None,
):
    """Save an outreach a kader did and count it as their activity (once)."""
    now = now or timezone.now()
    errors = {}
    if date > local_date(now):
        errors["date"] = _("The date cannot be in the future.")
    if people_reached is None or people_reached < 0:
        errors["people_reached"] = _("The number of people reached cannot be negative.")
    if errors:
        raise ValidationError(errors)
    outreach = Outreach.objects.create(
        cadre=cadre,
        kind=kind,
        date=date,
        kelurahan=kelurahan,
        note=note[:500],
        people_reached=people_reached,
        created_by=actor,
    )
    with translation.override(settings.LANGUAGE_CODE):
        summary = gettext("%(kind)s in %(kelurahan)s, %(people)s people reached") % {
            "kind": outreach.get_kind_display(),
            "kelurahan": kelurahan.common_name,
            "people": people_reached,
        }
    cadre_activity_record(
        cadre=cadre,
        kind=CadreActivity.Kind.OUTREACH,
        at=_activity_time(date, now),
        summary=summary,
        source=("cadres.outreach", outreach.pk),
    )
    return outreach


@dataclass
class InactiveCheck:
    """What one run of the inactive-cadre job found (and, unless a dry run, did)."""

    flagged: int
    unflagged: int
    notified: int
    cutoff: dt.datetime


def flag_inactive_cadres(*, now: dt.datetime, dry_run: bool = False) -> InactiveCheck:
    """Flag active cadres with no activity for CADRE_INACTIVE_DAYS; un-flag those active again.

    Set-based: a fixed handful of queries whatever the number of cadres (two locking
    reads, two UPDATEs, one bulk insert of audit rows, one read of the petugas, and one
    notification insert per group of recipients with the same counts, i.e. at most one
    per kecamatan plus one for the city). Idempotent: a second run at the same time finds
    nothing to change and sends nothing.

    ``Cadre.status`` stays the Dinas' own administrative status; the job only sets and
    clears ``inactive_since`` (when) and writes an audit row per cadre (why).
    """
    days = settings.CADRE_INACTIVE_DAYS
    cutoff = now - dt.timedelta(days=days)
    to_flag = Cadre.objects.filter(status="aktif", inactive_since__isnull=True).filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )
    to_unflag = Cadre.objects.filter(inactive_since__isnull=False, last_activity_at__gte=cutoff)
    columns = ("pk", "last_activity_at", "created_at", "kelurahan__kecamatan_id")
    with transaction.atomic():
        flag_rows = list(to_flag.select_for_update(of=("self",)).values_list(*columns))
        unflag_rows = list(to_unflag.select_for_update(of=("self",)).values_list(*columns))
        if dry_run or not (flag_rows or unflag_rows):
            return InactiveCheck(
                flagged=len(flag_rows), unflagged=len(unflag_rows), notified=0, cutoff=cutoff
            )
        if flag_rows:
            to_flag.filter(pk__in=[r[0] for r in flag_rows]).update(inactive_since=now)
        if unflag_rows:
            to_unflag.filter(pk__in=[r[0] for r in unflag_rows]).update(inactive_since=None)
        audit = []
        for pk, last, created, _kec in flag_rows:
            since = last or created
            audit.append(
                AuditEvent(
                    action="cadre.flag_inactive",
                    target_type="cadres.cadre",
                    target_id=str(pk),
                    details={
                        "reason": f"no activity for {days} days since {timezone.localdate(since):%Y-%m-%d}",
                        "last_activity_at": last.isoformat() if last else None,
                        "cutoff": cutoff.isoformat(),
                    },
                )
            )
        for pk, last, _created, _kec in unflag_rows:
            audit.append(
                AuditEvent(
                    action="cadre.unflag_inactive",
                    target_type="cadres.cadre",
                    target_id=str(pk),
                    details={
                        "reason": f"activity again on {timezone.localdate(last).isoformat()}",
                        "last_activity_at": last.isoformat(),
                    },
                )
            )
        AuditEvent.objects.bulk_create(audit)
        notified = _inactive_digest(now=now, days=days, flag_rows=flag_rows, unflag_rows=unflag_rows)
    return InactiveCheck(flagged=len(flag_rows), unflagged=len(unflag_rows), notified=notified, cutoff=cutoff)


def _inactive_digest(*, now, days: int, flag_rows, unflag_rows) -> int:
    """One digest per petugas: city-wide staff get the city's counts, a petugas limited to a
    kecamatan gets that kecamatan's counts, and only if something changed there."""
    flagged_by_kec = Counter(r[3] for r in flag_rows)
    unflagged_by_kec = Counter(r[3] for r in unflag_rows)
    changed = set(flagged_by_kec) | set(unflagged_by_kec)
    recipients = list(users_covering(Cap.MANAGE_CADRES, kecamatan_ids=changed))
    groups: dict[tuple[int, int], list] = {}
    for user in recipients:
        if user.kecamatan_id is None:
            counts = (len(flag_rows), len(unflag_rows))
        else:
            counts = (flagged_by_kec[user.kecamatan_id], unflagged_by_kec[user.kecamatan_id])
        groups.setdefault(counts, []).append(user)
    url = reverse("cadres:list") + "?status=flagged"
    sent = 0
    for (flagged, unflagged), users in groups.items():
        sent += len(
            notify(
                users=users,
                kind="cadres.inactive",
                params={"flagged": flagged, "unflagged": unflagged, "days": days},
                url=url,
            )
        )
    return sent


# --- The roster: create, edit, give a login, import, export -------------------------------------

ROSTER_FIELDS = ("name", "nik", "sex", "birth_date", "phone", "address", "kelurahan", "cohort", "status")


# Imports and exports are about the roster as a whole.
ROSTER = AuditTarget(Cadre._meta.label_lower, "roster")


class CadreHasLogin(Exception):
    """The cadre already has a login."""


class ImportConflict(Exception):
    """Between preview and commit, someone put one of the file's NIKs on the roster."""

    def __init__(self, lines: list[int]):
        super().__init__(lines)
        self.lines = lines


@transaction.atomic
def cadre_create(*, actor, ip: str | None = None, **values) -> Cadre:
    unknown = set(values) - set(ROSTER_FIELDS)
    if unknown:
        raise TypeError(f"cadre_create() got unexpected fields {sorted(unknown)}")
    values["nik"] = values.get("nik") or None
    cadre = Cadre(**values)
    cadre.full_clean()
    cadre.save()
    audit_record(actor=actor, action="cadre.create", target=cadre, ip=ip, details={"source": "form"})
    return cadre


@transaction.atomic
def cadre_update(*, actor, cadre: Cadre, ip: str | None = None, **changes) -> Cadre:
    """Change a roster entry. A cadre's login follows their kelurahan. The audit row names the
    fields that changed, not their values."""
    unknown = set(changes) - set(ROSTER_FIELDS)
    if unknown:
        raise TypeError(f"cadre_update() got unexpected fields {sorted(unknown)}")
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("user").get(pk=cadre.pk)
    if "nik" in changes:
        changes["nik"] = changes["nik"] or None
    changed = sorted(name for name, value in changes.items() if getattr(cadre, name) != value)
    for name, value in changes.items():
        setattr(cadre, name, value)
    cadre.full_clean()
    cadre.save()
    if "kelurahan" in changed and cadre.user_id and bound_to_kelurahan(cadre.user):
        user_update(actor=actor, user=cadre.user, ip=ip, kelurahan=cadre.kelurahan)
    audit_record(actor=actor, action="cadre.update", target=cadre, ip=ip, details={"fields": changed})
    return cadre


@transaction.atomic
def cadre_create_login(*, actor, cadre: Cadre, username: str, password: str, ip: str | None = None):
    """Give a cadre a SIGAP login: a user with role kader bound to the cadre's kelurahan."""
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if cadre.user_id:
        raise CadreHasLogin
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        role=Role.KADER,
        first_name=cadre.name[:150],
        phone=cadre.phone,
        kelurahan=cadre.kelurahan,
        roster={"cadre_id": cadre.pk},  # linked by cadre_link_account through accounts' signal
        ip=ip,
    )
    audit_record(actor=actor, action="cadre.create_login", target=cadre, ip=ip, details={"user": user.pk})
    return user


# --- A kader account created (or made a kader) by the admin is a cadre on the roster -------------


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _one(candidates) -> Cadre | None:
    found = list(candidates[:2])
    return found[0] if len(found) == 1 else None


def roster_match_for_account(*, user, nik: str = "") -> tuple[Cadre | None, str]:
    """The roster entry without a login that a kader account is: by NIK when given, else by name
    in the account's kelurahan, else by phone; only a single candidate counts (two namesakes
    are not guessed between). Returns (cadre, how) or (None, "")."""
    free = Cadre.objects.filter(user__isnull=True).select_for_update()
    if nik:
        cadre = _one(free.filter(nik=nik))
        if cadre is not None:
            return cadre, "nik"
        free = free.filter(Q(nik__isnull=True) | Q(nik=""))  # another NIK is another person
    # Names and phones compared as the importer compares them (case, spacing, +62): in Python,
    # over one kelurahan's cadres, or the roster's entries with a phone (a city's roster is small).
    key = person_key(user.get_full_name(), user.kelurahan_id)
    if key[0] and user.kelurahan_id:
        same = [
            c
            for c in free.filter(kelurahan_id=user.kelurahan_id)
            if person_key(c.name, c.kelurahan_id) == key
        ]
        if len(same) == 1:
            return same[0], "name"
    phone = _digits(user.phone)
    if len(phone) >= 8:
        same = [c for c in free.exclude(phone="") if _digits(c.phone) == phone]
        if len(same) == 1:
            return same[0], "phone"
    return None, ""


@transaction.atomic
def cadre_link_account(
    *,
    actor,
    user,
    nik: str = "",
    sex: str = "",
    cohort: int | None = None,
    cadre_id: int | None = None,
    ip: str | None = None,
) -> Cadre:
    """Link a kader account to its roster entry, or put the cadre on the roster, so they can vote
    and their activity counts. Called when the admin creates a kader account or makes an account
    a kader (accounts' ``roster_account_saved`` signal); idempotent."""
    linked = Cadre.objects.filter(user=user).first()
    if linked is not None:
        return linked
    if cadre_id is not None:
        cadre, how = Cadre.objects.select_for_update().get(pk=cadre_id, user__isnull=True), "roster"
    else:
        cadre, how = roster_match_for_account(user=user, nik=nik)
    if cadre is None:
        # Nobody on the roster is this account: put the cadre on it with what is known. A sex
        # not given stays blank and a cohort not given is this year's, for staff to correct.
        cadre = Cadre(
            name=(user.get_full_name() or user.username)[:120],
            nik=nik or None,
            sex=sex,
            phone=user.phone[:20],
            kelurahan_id=user.kelurahan_id,
            cohort=cohort or timezone.localdate().year,
            user=user,
        )
        cadre.full_clean()
        cadre.save()
        audit_record(actor=actor, action="cadre.create", target=cadre, ip=ip, details={"source": "account"})
    else:
        cadre.user = user
        filled = []
        if nik and not cadre.nik:
            cadre.nik = nik
            filled.append("nik")
        if user.phone and not cadre.phone:
            cadre.phone = user.phone[:20]
            filled.append("phone")
        cadre.save(update_fields=["user", "updated_at", *filled])
    audit_record(
        actor=actor,
        action="cadre.link_login",
        target=cadre,
        ip=ip,
        details={"user": user.pk, "matched_by": how or "new"},
    )
    return cadre


@dataclass
class ImportResult:
    created: list[Cadre]
    updated: list[Cadre]
    unchanged: int


# pg_advisory_xact_lock key taken by every roster import ("SIGAPROS").
IMPORT_LOCK_KEY = 0x5349_4741_5052_4F53


@transaction.atomic
def cadre_import(*, actor, rows: list[dict], ip: str | None = None, file_type: str = "") -> ImportResult:
    """Put checked rows (from cadres.importer.check_table) on the roster: all of them or none.

    The rows are matched to the roster again, under lock, and must still be what the preview
    said (the same cadre, or new); otherwise ImportConflict names the lines. Imports run one
    at a time (an advisory lock on PostgreSQL), so the same file sent twice at once, or a
    double tap on the button, updates once and adds nobody twice. New cadres are created, the
    fields of updated ones set (a login follows its cadre's kelurahan), unchanged ones left
    alone. Each updated cadre gets an audit row naming the changed fields; the import gets one."""
    _lock_roster_imports()
    allowed = set(kelurahan_visible_to(user=actor).values_list("pk", flat=True))
    fresh = [{k: v for k, v in row.items() if k not in ("action", "cadre_id", "changes")} for row in rows]
    problems = match_rows(fresh, allowed_ids=allowed, lock=True)
    moved = sorted(
        old["line"]
        for old, new in zip(rows, fresh, strict=True)
        if old["line"] in problems or new.get("cadre_id") != old.get("cadre_id")
    )
    if moved:
        raise ImportConflict(moved)
    new_rows = [row for row in fresh if row["action"] == RowAction.NEW]
    changed_rows = [row for row in fresh if row["action"] == RowAction.UPDATED]
    try:
        with transaction.atomic():
            created = Cadre.objects.bulk_create(
                [Cadre(**{"status": CadreStatus.AKTIF, **row_values(row)}) for row in new_rows]
            )
            updated = _import_updates(actor=actor, rows=changed_rows, ip=ip)
    except IntegrityError as exc:  # a NIK put on the roster by a form at this very moment
        raise ImportConflict([]) from exc
    audit_record(
        actor=actor,
        action="cadre.import",
        target=ROSTER,
        ip=ip,
        details={
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(fresh) - len(created) - len(updated),
            "file_type": file_type,
            "ids": [c.pk for c in created],
        },
    )
    return ImportResult(created=created, updated=updated, unchanged=len(fresh) - len(created) - len(updated))


def _lock_roster_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _import_updates(*, actor, rows: list[dict], ip: str | None) -> list[Cadre]:
    if not rows:
        return []
    cadres = Cadre.objects.select_related("user").in_bulk([row["cadre_id"] for row in rows])
    now = timezone.now()
    changed, fields, audits = [], {"updated_at"}, []
    for row in rows:
        cadre = cadres[row["cadre_id"]]
        values = row_values(row)
        for name in row["changes"]:
            setattr(cadre, name, values[name])
        cadre.updated_at = now
        fields.update(row["changes"])
        changed.append(cadre)
        audits.append(
            AuditEvent(
                actor=actor if actor is not None and actor.is_authenticated else None,
                action="cadre.update",
                target_type=Cadre._meta.label_lower,
                target_id=str(cadre.pk),
                ip_address=ip,
                details={
                    "fields": sorted(name.removesuffix("_id") for name in row["changes"]),
                    "source": "import",
                },
            )
        )
    Cadre.objects.bulk_update(changed, sorted(fields))
    for cadre in changed:
        if cadre.user_id and bound_to_kelurahan(cadre.user) and cadre.user.kelurahan_id != cadre.kelurahan_id:
            user_update(actor=actor, user=cadre.user, ip=ip, kelurahan=cadre.kelurahan)
    AuditEvent.objects.bulk_create(audits)
    return changed


def cadre_record_export(*, actor, count: int, filters: dict, ip: str | None = None) -> None:
    """Record an export of the roster (who, when, from where, how many; the filters, never a
    search text)."""
    audit_record(
        actor=actor, action="cadre.export", target=ROSTER, ip=ip, details={"count": count, **filters}
    )
