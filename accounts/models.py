from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notifications
from .policy import Role, area_errors, supervisor_errors, user_area_constraints


class SigapUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A SIGAP user: one role, and for a kader (optionally a petugas) an area."""

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PETUGAS)
    kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("kelurahan"),
        help_text=_("Required for a cadre: the kelurahan they serve."),
    )
    kecamatan = models.ForeignKey(
        "kelurahan.Kecamatan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("kecamatan"),
        help_text=_("Optional for staff: limits them to one kecamatan. Empty means the whole city."),
    )
    phone = models.CharField(_("phone (WhatsApp)"), max_length=20, blank=True)
    is_supervisor = models.BooleanField(
        _("supervisor"),
        default=False,
        # Rows written by code that predates the mark (old migrations' models) get False too.
        db_default=False,
        help_text=_(
            "Staff only: approves service plans, closures and destruction lists "
            "(Kasubid PP & PA, koordinator)."
        ),
    )

    objects = SigapUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = user_area_constraints()

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        errors = area_errors(self.role, kelurahan_id=self.kelurahan_id, kecamatan_id=self.kecamatan_id)
        errors.update(supervisor_errors(self.role, self.is_supervisor))
        if errors:
            raise ValidationError(errors)

    @property
    def roster_entry(self):
        """The cadre on the roster this account is the login of (the cadres app links them,
        through its ``cadre`` relation), or None."""
        try:
            return self.cadre
        except ObjectDoesNotExist:
            return None

    @property
    def area_label(self) -> str:
        if self.kelurahan_id:
            return str(self.kelurahan)
        if self.kecamatan_id:
            return str(self.kecamatan)
        return ""


class AuditEventQuerySet(models.QuerySet):
    """Bulk changes would go around the model's append-only guard; refuse them too."""

    def update(self, **kwargs):
        raise ValueError("Audit events are append-only.")

    def delete(self):
        raise ValueError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only record of who did what, when and from where.

    Written only by services (never edited or deleted through the app).
    `target_type`/`target_id` name the record; `details` never holds a
    child's identity.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=40, db_index=True)
    target_type = models.CharField(_("record type"), max_length=40)
    target_id = models.CharField(_("record id"), max_length=40)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class Notification(models.Model):
    """An in-app message to one user (the inbox), optionally also sent by email.

    The title and body never carry a child's identity: they name the case by
    its number and link to it; the case page applies the access policy.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)  # a code of accounts.notifications
    params = models.JSONField(default=dict, blank=True)
    # The text stored before kinds had messages; shown only when the kind has none.
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"

    @property
    def display_title(self) -> str:
        """The title in the active language (a row stored as text before kinds had messages: that
        text)."""
        if self.title and not self.params:
            return self.title
        return notifications.TITLES.render(self.kind, self.params, fallback=self.title)

    @property
    def display_body(self) -> str:
        if self.title and not self.params:
            return self.body
        return notifications.BODIES.render(self.kind, self.params, fallback=self.body)


class OutboxJob(models.Model):
    """Work that must follow a commit (an email, an escalation, an export), written in the same
    transaction as what caused it, so that it is neither lost when the broker is down nor done
    for a write that rolled back. `accounts.outbox` runs it: a runner claims the row with a lease
    (until ``lease_until``), runs the Celery task named ``task`` in-process with ``args`` and
    marks it done; a failure waits for ``run_after`` (backoff) and is tried again.

    ``args`` holds record ids only: never a child's data. ``last_error`` holds the exception's
    class name only, never its message (which may quote data).
    """

    task = models.CharField(max_length=100)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    run_after = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            # The drain asks for the pending jobs that are due; done ones are most rows.
            models.Index(
                fields=["run_after"],
                name="accounts_outbox_pending_idx",
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
            ),
            # Done jobs are deleted after a week (accounts.outbox.outbox_forget_done).
            models.Index(
                fields=["done_at"], name="accounts_outbox_done_idx", condition=models.Q(done_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"outbox #{self.pk} {self.task}"


class IdempotencyKey(models.Model):
    """One state-changing request a user sent, by the key their browser made for it
    (accounts.idempotency). The unique (user, key) index is what makes a repeat harmless: the
    row is written in the same transaction as the view's own writes, so a second request with
    the key either waits for the first to commit and then replays its answer, or finds that
    the first failed and did nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(db_index=True)
    # The first successful answer: its status, its Location (a redirect) or JSON body, and the
    # plain cookies it set (intake's "report sent" cookie), replayed as they were.
    status = models.PositiveSmallIntegerField(null=True)
    location = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    cookies = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
