"""Writes to accounts. Each service owns its transaction and its audit row."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import AuditEvent, Notification, User
from .outbox import outbox_add
from .policy import Cap, area_for_role, on_the_roster, role_can, uses_django_admin
from .signals import roster_account_saved


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind SIGAP_PROXY_COUNT reverse proxies the address
    the outermost of them saw. Each proxy appends to X-Forwarded-For, so that address is the
    entry that many from the right; anything to its left was written by the client and is not
    believed (the audit log and the login throttle both rest on this address)."""
    if request is None:
        return None
    proxies = getattr(settings, "SIGAP_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class AuditTarget:
    """What an audit row is about when it is not one record: the roster as a whole, say."""

    target_type: str  # named like a model's label, e.g. "cadres.cadre"
    target_id: str


def audit_record(
    *, actor: User | None, action: str, target, ip: str | None = None, details: dict | None = None
) -> AuditEvent:
    """One audit row about ``target``: a model instance or an AuditTarget."""
    if isinstance(target, AuditTarget):
        target_type, target_id = target.target_type, target.target_id
    else:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip_address=ip,
        details=details or {},
    )


USER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "kelurahan",
    "kecamatan",
    "is_supervisor",
    "is_active",
)


def _describe(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "kelurahan": user.kelurahan.code if user.kelurahan_id else None,
        "kecamatan": user.kecamatan.code if user.kecamatan_id else None,
        "is_supervisor": user.is_supervisor,
        "is_active": user.is_active,
    }


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    kelurahan=None,
    kecamatan=None,
    is_supervisor: bool = False,
    roster: dict | None = None,
    ip: str | None = None,
) -> User:
    """A new account. A cadre's account is linked to the roster (``roster``: what is known of
    the cadre, see ``signals.roster_account_saved``)."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        role=role,
        **area_for_role(role, kelurahan=kelurahan, kecamatan=kecamatan),
        is_supervisor=is_supervisor,
        is_staff=uses_django_admin(role),
        is_superuser=False,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.create", target=user, ip=ip, details=_describe(user))
    _roster_link(user, actor=actor, ip=ip, roster=roster)
    return user


def _roster_link(user: User, *, actor, ip, roster: dict | None) -> None:
    if on_the_roster(user.role):
        roster_account_saved.send(sender=User, user=user, actor=actor, ip=ip, **(roster or {}))


@transaction.atomic
def user_update(
    *, actor: User, user: User, ip: str | None = None, roster: dict | None = None, **changes
) -> User:
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"user_update() got unexpected fields {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk and (
        not role_can(changes.get("role", user.role), Cap.MANAGE_USERS) or changes.get("is_active") is False
    ):
        # An admin locking themselves out would leave nobody to manage accounts.
        raise PermissionError("An administrator cannot demote or deactivate themselves.")
    before = _describe(user)
    # Name, email and phone: record which changed, not their values.
    plain = [k for k in changes if k not in ("role", "kelurahan", "kecamatan", "is_supervisor", "is_active")]
    plain_before = {k: getattr(user, k) for k in plain}
    for name, value in changes.items():
        setattr(user, name, value)
    area = area_for_role(user.role, kelurahan=user.kelurahan, kecamatan=user.kecamatan)
    user.kelurahan, user.kecamatan = area["kelurahan"], area["kecamatan"]
    user.is_staff = uses_django_admin(user.role)
    user.full_clean()
    user.save()
    after = _describe(user)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    other = sorted(k for k in plain if getattr(user, k) != plain_before[k])
    audit_record(
        actor=actor, action="user.update", target=user, ip=ip, details={"changed": changed, "fields": other}
    )
    _roster_link(user, actor=actor, ip=ip, roster=roster)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, ip: str | None = None) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.set_password", target=user, ip=ip)
    return user


def notify(*, users, kind: str, params: dict | None = None, url: str = "", email: bool = True) -> list:
    """Put a message in each user's inbox and, if asked, send it by email after the commit
    (through the outbox: the email job commits with the messages, and is sent by a worker).

    ``kind`` is a code registered with ``accounts.notifications.register_notification``; the
    title and body are rendered from it and ``params`` in the reader's language. Never pass a
    child's identity in ``params``: name the case by its number and link to it.
    """
    return notify_many([Notice(users=users, kind=kind, params=params or {}, url=url)], email=email)


@dataclass(frozen=True)
class Notice:
    """One message for some users (see ``notify``)."""

    users: list
    kind: str
    params: dict
    url: str = ""


def notify_many(notices: list[Notice], *, email: bool = True) -> list:
    """``notify`` for many messages at once: one INSERT for all of them and one email job, which
    sends each user ONE email listing their messages (a sweep that opens a thousand escalations
    mails each commissioner a digest, not a thousand emails)."""
    for notice in notices:
        notifications.TITLES.check(notice.kind)
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(user=u, kind=n.kind, params=n.params, url=n.url)
                for n in notices
                for u in n.users
                if u.is_active
            ],
            batch_size=2000,
        )
        ids = [n.pk for n in rows if n.user.email]
        if email and ids:
            outbox_add(task="accounts.tasks.send_notification_emails_task", args=[ids])
    return rows


def notification_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- Logins: failures, unlocks, second factors ----------------------------------------------------


def login_failure_record(*, username: str, ip: str | None, path: str, locked: bool) -> None:
    """One failed login in the audit log, and a second row when it started a lockout.

    The user name is recorded as typed (it may name nobody); the row points at the account
    when one has that name."""
    user = User.objects.filter(username=username).only("pk").first() if username else None
    details = {"username": username[:150], "path": path[:100]}
    rows = [AuditEvent(action="login.failed", details={**details, "locked": locked})]
    if locked:
        rows.append(AuditEvent(action="login.locked", details=details))
    for row in rows:
        row.target_type = User._meta.label_lower
        row.target_id = str(user.pk) if user else ""
        row.ip_address = ip
    AuditEvent.objects.bulk_create(rows)


@transaction.atomic
def user_unlock_login(*, actor: User, user: User, ip: str | None = None) -> int:
    """Clear the failed logins that lock a user name (from every address); audited."""
    from axes.utils import reset

    cleared = reset(username=user.username)
    audit_record(actor=actor, action="user.unlock", target=user, ip=ip, details={"attempts": cleared})
    return cleared


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User, ip: str | None = None) -> int:
    """Remove a user's authenticator and recovery codes (a lost phone); audited. A role that
    must use a second factor enrols again at the next login; sessions verified with the removed
    device are no longer verified."""
    from django_otp import devices_for_user

    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    audit_record(actor=actor, action="user.reset_2fa", target=user, ip=ip, details={"devices": removed})
    return removed
