"""Managing a case: the assessment of each child, the service plan and its actions (everyone's
"Tugas saya"), approvals by a supervisor, case conferences and transfers.

Imported at the end of cases.models, so these are the cases app's models like any other.
Writes happen in cases.casework_services; who may see and do what in cases.casework_selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case, Child, Referral, ReferralInstitution, Risk


class NeedLevel(models.TextChoices):
    NONE = "tidak_ada", _("No need")
    LOW = "rendah", _("Low")
    MEDIUM = "sedang", _("Medium")
    HIGH = "tinggi", _("High")


# The needs areas a UPTD PPA worker checks, in the order of the form: (field prefix, label).
NEED_AREAS: tuple[tuple[str, str], ...] = (
    ("safety", _("Safety")),
    ("health", _("Health")),
    ("psychosocial", _("Psychosocial")),
    ("education", _("Education")),
    ("family", _("Family and care")),
    ("legal", _("Legal")),
)


def _level(label):
    return models.CharField(label, max_length=10, choices=NeedLevel.choices, default=NeedLevel.NONE)


def _finding(label):
    return models.TextField(label, blank=True)


class Assessment(models.Model):
    """One assessment of one child of a case. A later assessment of the child replaces it as
    the current one; the older ones stay as the history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessment date"))
    safety_level = _level(_("safety: level"))
    safety_finding = _finding(_("safety: finding"))
    health_level = _level(_("health: level"))
    health_finding = _finding(_("health: finding"))
    psychosocial_level = _level(_("psychosocial: level"))
    psychosocial_finding = _finding(_("psychosocial: finding"))
    education_level = _level(_("education: level"))
    education_finding = _finding(_("education: finding"))
    family_level = _level(_("family and care: level"))
    family_finding = _finding(_("family and care: finding"))
    legal_level = _level(_("legal: level"))
    legal_finding = _finding(_("legal: finding"))
    # An assessment is what makes a risk known: "not yet assessed" is no answer to it.
    overall_risk = models.CharField(
        _("overall risk"), max_length=20, choices=[c for c in Risk.choices if c[0] != Risk.BELUM_DINILAI]
    )
    risk_reason = models.TextField(_("why this risk"))
    child_view = models.TextField(_("the child's own view"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["case", "child", "-created_at"], name="cases_assessment_latest_idx")]

    def __str__(self) -> str:
        return f"assessment #{self.pk} of child #{self.child_id}"

    def areas(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": label,
                "level": getattr(self, f"{key}_level"),
                "level_label": NeedLevel(getattr(self, f"{key}_level")).label,
                "finding": getattr(self, f"{key}_finding"),
            }
            for key, label in NEED_AREAS
        ]


class ServicePlan(models.Model):
    """One version of a case's service plan: its goals and when it is to be reviewed. The
    actions hang on the case (a new version keeps the open ones); each names the version
    that added it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    goals = models.TextField(_("goals"), help_text=_("One goal per line."))
    review_on = models.DateField(_("review by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="service_plan_version_once")]

    def __str__(self) -> str:
        return f"plan v{self.version} of case {self.case_id}"

    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class CaseConference(models.Model):
    """A case conference: who sat at the table and what they decided (each decision a task)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("date"))
    institutions = models.JSONField(_("institutions present"), default=list)  # ReferralInstitution values
    kpad_present = models.BooleanField(_("KPAD was present"), default=False)
    cadres = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("cadres present")
    )
    other_attendees = models.CharField(_("others present"), max_length=255, blank=True)
    summary = models.TextField(_("discussion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")

    def __str__(self) -> str:
        return f"conference #{self.pk} of case {self.case_id}"

    def institution_labels(self) -> list[str]:
        return [
            str(ReferralInstitution(v).label) for v in self.institutions if v in ReferralInstitution.values
        ]


class CaseTask(models.Model):
    """An action with an owner and a due date: a plan's action, a conference's decision, or
    a reminder the system sets (a referral without an answer). Everyone's "Tugas saya"."""

    class Owner(models.TextChoices):
        PETUGAS = "petugas", _("Staff member")
        KADER = "kader", _("Cadre")
        INSTITUTION = "lembaga", _("Institution")

    class State(models.TextChoices):
        OPEN = "terbuka", _("To do")
        IN_PROGRESS = "berjalan", _("In progress")
        DONE = "selesai", _("Done")
        CANCELLED = "batal", _("Cancelled")

    class Source(models.TextChoices):
        PLAN = "rencana", _("Service plan")
        CONFERENCE = "konferensi", _("Case conference")
        REFERRAL = "rujukan", _("Referral reminder")
        TRANSFER = "pindah", _("Transfer")

    OPEN_STATES = (State.OPEN, State.IN_PROGRESS)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    source = models.CharField(_("from"), max_length=10, choices=Source.choices, default=Source.PLAN)
    plan = models.ForeignKey(
        ServicePlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    conference = models.ForeignKey(
        CaseConference, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("action"), max_length=255)
    owner_kind = models.CharField(_("owner"), max_length=10, choices=Owner.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("staff member or cadre"),
    )
    owner_institution = models.CharField(
        _("institution"), max_length=20, choices=ReferralInstitution.choices, blank=True
    )
    due_on = models.DateField(_("due date"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    done_note = models.CharField(_("note"), max_length=255, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(owner_kind="lembaga") & ~models.Q(owner_institution=""))
                | (~models.Q(owner_kind="lembaga") & models.Q(owner_user__isnull=False)),
                name="case_task_has_an_owner",
            ),
            # One reminder per referral, however many sweeps run.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(source="rujukan"),
                name="case_task_one_referral_reminder",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_user", "state", "due_on"], name="cases_task_owner_due_idx"),
            models.Index(fields=["case", "state", "due_on"], name="cases_task_case_due_idx"),
        ]

    def __str__(self) -> str:
        return f"task #{self.pk} of case {self.case_id}"  # never the title: it may name the child

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def owner_label(self) -> str:
        if self.owner_kind == self.Owner.INSTITUTION:
            return str(ReferralInstitution(self.owner_institution).label)
        return str(self.owner_user) if self.owner_user_id else ""


class Approval(models.Model):
    """A plan or a closure put before a supervisor, and their answer: approved, or sent back
    with a note. A closure approved while referrals were unanswered or tasks open carries the
    supervisor's reason for overriding."""

    class Kind(models.TextChoices):
        PLAN = "rencana", _("Service plan")
        CLOSURE = "penutupan", _("Closure")

    class State(models.TextChoices):
        PENDING = "menunggu", _("Waiting for approval")
        APPROVED = "disetujui", _("Approved")
        RETURNED = "dikembalikan", _("Sent back")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(
        ServicePlan, on_delete=models.CASCADE, null=True, blank=True, related_name="approvals"
    )
    closure_reason = models.CharField(_("closure reason"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("asked at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("supervisor's note"), blank=True)
    override_reason = models.TextField(_("reason for closing despite what is still open"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(state="menunggu"),
                name="approval_one_pending_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="cases_approval_state_idx")]

    def __str__(self) -> str:
        return f"{self.kind} approval #{self.pk} of case {self.case_id}"


class Transfer(models.Model):
    """The case moved with the family: to another kelurahan of the city, or to another city
    (then handed over to its services). Not a closure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_kelurahan = models.ForeignKey("kelurahan.Kelurahan", on_delete=models.PROTECT, related_name="+")
    to_kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_city = models.CharField(_("other city or regency"), max_length=120, blank=True)
    receiving = models.CharField(_("receiving service"), max_length=200, blank=True)
    handover_note = models.TextField(_("handover note"))
    transferred_on = models.DateField(_("date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_kelurahan__isnull=False) | ~models.Q(to_city=""),
                name="transfer_says_where",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer #{self.pk} of case {self.case_id}"
