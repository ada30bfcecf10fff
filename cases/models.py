"""Cases of violence against and exploitation of children, in SIMFONI-PPA's words.

A Case has children (victims), alleged perpetrators, jenis kekerasan (several),
a lifecycle (UPTD PPA service steps) whose every move is a CaseEvent, services,
referrals and attachments. Access is decided in cases.selectors, writes happen
in cases.services.

A child is a Person with a record of their own: each Child row is that person as a victim
in one case (what is true of them in that case: school level, disability, the guardian
named), so the same child in three cases is one Person with three Child rows. Parents,
guardians and other relatives are Persons too, tied by FamilyLink. Consent (who agreed to
what, and who must not be told) governs sharing, never reporting: see cases.consent.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.messages import MessageRegistry
from core.validators import age_on

# Code → message for what the system writes on a timeline and why a rule escalated a case;
# the entries are in cases/messages.py (see core.messages).
EVENT_MESSAGES = MessageRegistry("case event")
ESCALATION_REASONS = MessageRegistry("escalation reason")


class ViolenceType(models.TextChoices):
    FISIK = "fisik", _("Physical (fisik)")
    PSIKIS = "psikis", _("Psychological (psikis)")
    SEKSUAL = "seksual", _("Sexual (seksual)")
    EKSPLOITASI = "eksploitasi", _("Exploitation (eksploitasi)")
    TRAFFICKING = "trafficking", _("Trafficking (TPPO)")
    PENELANTARAN = "penelantaran", _("Neglect (penelantaran)")
    LAINNYA = "lainnya", _("Other")


class ProtectionCategory(models.TextChoices):
    """UU 35/2014 art. 59: anak yang memerlukan perlindungan khusus."""

    NONE = "", _("None / not yet known")
    ABH_KORBAN = "abh_korban", _("Child in contact with the law: victim")
    ABH_SAKSI = "abh_saksi", _("Child in contact with the law: witness")
    ABH_PELAKU = "abh_pelaku", _("Child in conflict with the law")
    HAK_ASUH = "hak_asuh", _("Custody dispute (hak asuh)")
    NAFKAH = "nafkah", _("Child support (nafkah)")
    PUTUS_SEKOLAH = "putus_sekolah", _("School drop-out")
    EKSPLOITASI_EKONOMI = "eksploitasi_ekonomi", _("Economic exploitation")
    EKSPLOITASI_SEKSUAL = "eksploitasi_seksual", _("Sexual exploitation")
    PORNOGRAFI = "pornografi", _("Victim of pornography")
    NARKOTIKA = "narkotika", _("Victim of narcotics")
    DISABILITAS = "disabilitas", _("Child with a disability")
    PERLAKUAN_SALAH = "perlakuan_salah", _("Maltreatment and neglect")


class PlaceType(models.TextChoices):
    RUMAH_TANGGA = "rumah_tangga", _("Household")
    SEKOLAH = "sekolah", _("School")
    FASILITAS_UMUM = "fasilitas_umum", _("Public facility")
    TEMPAT_KERJA = "tempat_kerja", _("Workplace")
    ONLINE = "online", _("Online / social media")
    LAINNYA = "lainnya", _("Other")


class Risk(models.TextChoices):
    # Where a case starts: a case nobody has assessed is not "medium" (it would count as such).
    BELUM_DINILAI = "belum_dinilai", _("Not yet assessed")
    RENDAH = "rendah", _("Low")
    SEDANG = "sedang", _("Medium")
    TINGGI = "tinggi", _("High")
    KRITIS = "kritis", _("Critical")


class Source(models.TextChoices):
    KADER = "kader", _("Cadre")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline / WhatsApp")
    SEKOLAH = "sekolah", _("School")
    POLISI = "polisi", _("Police")
    KPAD = "kpad", _("KPAD")
    RUJUKAN = "rujukan", _("Referral from another agency")


class Status(models.TextChoices):
    DILAPORKAN = "dilaporkan", _("Reported")
    DIVERIFIKASI = "diverifikasi", _("Verified")
    ASESMEN = "asesmen", _("Assessment & service plan")
    DITANGANI = "ditangani", _("Being handled")
    DIRUJUK = "dirujuk", _("Referred")
    SELESAI = "selesai", _("Completed")
    DITUTUP = "ditutup", _("Closed without follow-up")


OPEN_STATUSES = (Status.DILAPORKAN, Status.DIVERIFIKASI, Status.ASESMEN, Status.DITANGANI, Status.DIRUJUK)
CLOSED_STATUSES = (Status.SELESAI, Status.DITUTUP)


class ClosureReason(models.TextChoices):
    SERVICES_COMPLETE = "layanan_tuntas", _("Services completed")
    REINTEGRATED = "reintegrasi", _("Child reintegrated")
    HANDED_OVER = "dialihkan", _("Handed over to another agency")
    MOVED = "pindah", _("Family moved away")
    UNFOUNDED = "tidak_terbukti", _("Unfounded")
    DUPLICATE = "duplikat", _("Duplicate of another case")
    NO_CONTACT = "tidak_terjangkau", _("Cannot be reached")
    OTHER = "lainnya", _("Other")


class Sex(models.TextChoices):
    L = "L", _("Male")
    P = "P", _("Female")


class SchoolLevel(models.TextChoices):
    """The victim's education as SIMFONI-PPA counts it (PAUD and TK apart, Perguruan Tinggi).

    ``paud_tk`` and ``tidak_sekolah`` are the two values of the older, coarser list: records
    carried over keep them (nobody can tell now whether a "PAUD/TK" child was in PAUD or in TK,
    or whether "not in school" meant not yet or dropped out) and the SIMFONI entry sheet asks the
    petugas to make them precise. The form offers them only to a record that already has one."""

    NONE = "", _("Not filled in")
    PAUD = "paud", _("PAUD")
    TK = "tk", _("TK")
    SD = "sd", _("SD")
    SMP = "smp", _("SMP")
    SMA = "sma_smk", _("SMA/SMK")
    PERGURUAN_TINGGI = "perguruan_tinggi", _("Higher education (Perguruan Tinggi)")
    BELUM_SEKOLAH = "belum_sekolah", _("Not yet in school")
    PUTUS_SEKOLAH = "putus_sekolah", _("Dropped out of school")
    TIDAK_DIKETAHUI = "tidak_diketahui", _("Unknown")
    PAUD_TK = "paud_tk", _("PAUD/TK (old record: choose PAUD or TK)")
    TIDAK = "tidak_sekolah", _("Not in school (old record: not yet, or dropped out?)")


LEGACY_SCHOOL_LEVELS = (SchoolLevel.PAUD_TK, SchoolLevel.TIDAK)


class Occupation(models.TextChoices):
    NONE = "", _("Not filled in")
    PELAJAR = "pelajar", _("Pupil / student")
    TIDAK_BEKERJA = "tidak_bekerja", _("Not working")
    BURUH = "buruh", _("Labourer")
    PRT = "prt", _("Domestic worker")
    SWASTA = "swasta", _("Private employee")
    WIRASWASTA = "wiraswasta", _("Self-employed")
    PNS = "pns", _("Civil servant / TNI / Polri")
    PETANI_NELAYAN = "petani_nelayan", _("Farmer / fisher")
    IRT = "irt", _("Homemaker")
    LAINNYA = "lainnya", _("Other")
    TIDAK_DIKETAHUI = "tidak_diketahui", _("Unknown")


class MaritalStatus(models.TextChoices):
    NONE = "", _("Not filled in")
    BELUM_KAWIN = "belum_kawin", _("Not married")
    KAWIN = "kawin", _("Married")
    CERAI_HIDUP = "cerai_hidup", _("Divorced")
    CERAI_MATI = "cerai_mati", _("Widowed")


class Nationality(models.TextChoices):
    NONE = "", _("Not filled in")
    WNI = "wni", _("Indonesian citizen (WNI)")
    WNA = "wna", _("Foreign national (WNA)")


class YesNo(models.TextChoices):
    NONE = "", _("Not filled in")
    YA = "ya", _("Yes")
    TIDAK = "tidak", _("No")


class DisabilityType(models.TextChoices):
    NONE = "", _("Not filled in")
    FISIK = "fisik", _("Physical")
    INTELEKTUAL = "intelektual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    NETRA = "netra", _("Sensory: visual")
    RUNGU = "rungu", _("Sensory: hearing")
    WICARA = "wicara", _("Sensory: speech")
    GANDA = "ganda", _("Multiple")
    LAINNYA = "lainnya", _("Other")


class TppoRecruitment(models.TextChoices):
    """How a trafficked child was recruited (TPPO, UU 21/2007)."""

    NONE = "", _("Not filled in")
    JANJI_KERJA = "janji_kerja", _("Promise of work")
    ONLINE = "online", _("Through the internet / social media")
    PACAR = "pacar", _("By a boyfriend or girlfriend")
    JERATAN_UTANG = "jeratan_utang", _("Debt bondage")
    PENCULIKAN = "penculikan", _("Abduction")
    KELUARGA = "keluarga", _("Through the family")
    PERNIKAHAN = "pernikahan", _("Marriage")
    LAINNYA = "lainnya", _("Other")


class TppoDestination(models.TextChoices):
    NONE = "", _("Not filled in")
    DALAM_KOTA = "dalam_kota", _("Within the city")
    DALAM_PROVINSI = "dalam_provinsi", _("Elsewhere in the province")
    ANTAR_PROVINSI = "antar_provinsi", _("Another province")
    LUAR_NEGERI = "luar_negeri", _("Abroad")


class Relation(models.TextChoices):
    ORANG_TUA = "orang_tua", _("Parent")
    KELUARGA = "keluarga", _("Family / relative")
    TETANGGA = "tetangga", _("Neighbour")
    PACAR = "pacar_teman", _("Boyfriend/girlfriend / friend")
    GURU = "guru", _("Teacher")
    MAJIKAN = "majikan", _("Employer")
    SUAMI_ISTRI = "suami_istri", _("Husband / wife")  # a child marriage: SIMFONI counts it apart
    REKAN_KERJA = "rekan_kerja", _("Co-worker")
    TIDAK_DIKENAL = "tidak_dikenal", _("Stranger")
    LAINNYA = "lainnya", _("Other")


# KDRT (UU 23/2004 art. 2): violence within the household, by the relation and not by the place:
# husband or wife, parents, and relatives by blood or marriage who live in the household. SIGAP's
# "family / relative" does not say whether the relative lives with the child; it is counted as
# household (docs/SIMFONI.md says so), since most such reports are of relatives under one roof.
KDRT_RELATIONS = (Relation.ORANG_TUA, Relation.KELUARGA, Relation.SUAMI_ISTRI)


class ServiceType(models.TextChoices):
    PENGADUAN = "pengaduan", _("Complaint handling")
    KESEHATAN = "kesehatan", _("Health")
    BANTUAN_HUKUM = "bantuan_hukum", _("Legal aid")
    PENEGAKAN_HUKUM = "penegakan_hukum", _("Law enforcement")
    REHABILITASI = "rehabilitasi_sosial", _("Social rehabilitation")
    REINTEGRASI = "reintegrasi_sosial", _("Social reintegration")
    PEMULANGAN = "pemulangan", _("Repatriation")
    TOKOH_AGAMA = "tokoh_agama", _("Accompaniment by religious leaders")
    PSIKOLOGIS = "psikologis", _("Psychological")
    MEDIASI = "mediasi", _("Mediation")


class ReferralInstitution(models.TextChoices):
    UNIT_PPA = "unit_ppa", _("Unit PPA Polresta Pontianak")
    RSUD = "rsud", _("RSUD (regional hospital)")
    UPTD_PPA = "uptd_ppa", _("UPTD PPA")
    DINSOS = "dinas_sosial", _("Dinas Sosial")
    LBH = "lbh", _("LBH (legal aid institute)")
    SEKOLAH = "sekolah", _("School")
    LAINNYA = "lainnya", _("Other institution")


class ReferralStatus(models.TextChoices):
    SENT = "dikirim", _("Sent")
    ACCEPTED = "diterima", _("Accepted")
    REFUSED = "ditolak", _("Refused")
    DONE = "selesai", _("Completed")


class CaseNumberSequence(models.Model):
    """The last case number given out per year. Rows are locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DILAPORKAN)

    incident_date = models.DateField(_("incident date"))
    incident_time = models.TimeField(_("incident time"), null=True, blank=True)
    place_type = models.CharField(_("place of incident"), max_length=20, choices=PlaceType.choices)
    address = models.CharField(_("address of incident"), max_length=255, blank=True)
    kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan", on_delete=models.PROTECT, related_name="cases", verbose_name=_("kelurahan")
    )
    # Any child of the case marked so (Child.online, Child.online_prostitution): kept by
    # cases.services, for the list's filter and the case's facts.
    online = models.BooleanField(_("online (internet / social media)"), default=False)
    online_prostitution = models.BooleanField(_("online prostitution of children"), default=False)
    protection_category = models.CharField(
        _("special protection category"), max_length=25, choices=ProtectionCategory.choices, blank=True
    )
    risk = models.CharField(_("risk"), max_length=15, choices=Risk.choices, default=Risk.BELUM_DINILAI)
    narrative = models.TextField(_("what happened"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reporter_name = models.CharField(_("reporter's name"), max_length=120, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=60, blank=True)
    # Whether the family knows of the report, not whether it agreed: reporting needs nobody's
    # consent (UU 35/2014). Consent to share is a Consent record per child.
    family_informed = models.BooleanField(_("the family has been told of the report"), default=False)
    family_informed_who = models.CharField(_("who in the family was told"), max_length=120, blank=True)
    family_informed_on = models.DateField(_("when the family was told"), null=True, blank=True)

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_cases",
        verbose_name=_("reported by"),
    )
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("case worker"),
    )
    cadres = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseCadre",
        through_fields=("case", "user"),
        related_name="accompanied_cases",
        verbose_name=_("accompanying cadres"),
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated to KPAD"), null=True, blank=True)

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    triaged_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every edit of the report (cases.services.case_update): the edit form carries the
    # version it was opened at, and a save from an older one is refused, never overwrites.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="case_number_unique_per_year"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["selesai", "ditutup"]) | ~models.Q(closure_reason=""),
                name="case_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-reported_at"]),
            models.Index(fields=["kelurahan", "-reported_at"]),
            models.Index(fields=["risk", "-reported_at"]),
            models.Index(fields=["case_worker", "-reported_at"]),
            models.Index(fields=["escalated_at"]),
            models.Index(fields=["reported_by", "-reported_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseViolence(models.Model):
    """The types of violence in a case: the union of its children's (ChildViolence), kept by
    cases.services whenever a child's types change. The case list, KPAD's queue and the
    dashboard filter and count cases by it; whatever counts victims reads ChildViolence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="violences")
    kind = models.CharField(max_length=15, choices=ViolenceType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_violence_once")]
        indexes = [models.Index(fields=["kind", "case"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class CaseCadre(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cadre_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cadre_links")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_cadre_once")]
        indexes = [models.Index(fields=["user", "case"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class Person(models.Model):
    """A person with a record of their own, across cases: a child who is a victim in one or
    more cases (through Child rows), or a parent, guardian or other relative.

    Identity lives here and nowhere else. Two records of the same child are merged by a
    petugas (cases.person_services.person_merge): the merged record keeps its row, points at
    the one kept (``merged_into``) and takes part in nothing any more."""

    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # When only an age is known (a child "about 7" on the incident date), the year it implies.
    birth_year = models.PositiveSmallIntegerField(_("estimated year of birth"), null=True, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    contact = models.CharField(_("contact"), max_length=60, blank=True)  # adults: phone or WhatsApp
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_date__isnull=True) | models.Q(birth_year__isnull=True),
                name="person_birth_date_or_year",
            ),
        ]
        indexes = [
            models.Index(fields=["nik"], name="cases_person_nik_idx"),
            # The duplicate check's "same name and birth date" (iexact is UPPER() = UPPER()).
            models.Index(Upper("name"), "birth_date", name="cases_person_name_birth_idx"),
        ]

    def __str__(self) -> str:
        return f"person #{self.pk}"  # never the name: str() ends up in logs

    @property
    def reference(self) -> str:
        """How a record is named where its identity must not show (audit log, timeline)."""
        return f"#{self.pk}"

    def age_on(self, day: dt.date) -> int | None:
        """Age in whole years on ``day``: from the birth date when known, else from the
        estimated year of birth (exact for the day the age was given), else unknown."""
        if self.birth_date is not None:
            return max(age_on(self.birth_date, day), 0)
        if self.birth_year is not None:
            return max(day.year - self.birth_year, 0)
        return None


class FamilyLink(models.Model):
    """``relative`` is ``person``'s sibling, parent, guardian or other relative. One row per pair."""

    class Relation(models.TextChoices):
        SIBLING = "saudara", _("Sibling")
        PARENT = "orang_tua", _("Parent")
        GUARDIAN = "wali", _("Guardian")
        RELATIVE = "kerabat", _("Other relative")

    # Seen from the relative's side: a parent's link reads "child", a guardian's "ward".
    INVERSE_LABELS = {
        Relation.SIBLING: _("Sibling"),
        Relation.PARENT: _("Child"),
        Relation.GUARDIAN: _("Ward"),
        Relation.RELATIVE: _("Other relative"),
    }
    CARERS = (Relation.PARENT, Relation.GUARDIAN)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_links")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relative_links")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="family_link_once"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="family_link_not_self"
            ),
        ]
        indexes = [models.Index(fields=["relative", "person"])]

    def __str__(self) -> str:
        return f"{self.relative_id} is {self.relation} of {self.person_id}"


class Child(models.Model):
    """A child (Person) as a victim in one case, with what the report says of them then.

    SIMFONI-PPA codes per victim, so this row carries the victim's coding: the types of
    violence (ChildViolence) with the online marks, the relation to each perpetrator
    (VictimPerpetrator), the services received (Service.children), the facts SIMFONI asks of
    a victim (most optional at intake, completed by the petugas), and where the child stands
    in the monthly double entry into SIMFONI (ready, entered with its register number)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_rows")
    online = models.BooleanField(_("online (internet / social media)"), default=False)
    online_prostitution = models.BooleanField(_("online prostitution of children"), default=False)
    school_level = models.CharField(_("education"), max_length=20, choices=SchoolLevel.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=15, choices=MaritalStatus.choices, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=3, choices=Nationality.choices, blank=True)
    has_disability = models.CharField(_("disability"), max_length=5, choices=YesNo.choices, blank=True)
    disability_type = models.CharField(
        _("type of disability"), max_length=15, choices=DisabilityType.choices, blank=True
    )
    disability = models.CharField(_("disability, in words"), max_length=120, blank=True)
    home_address = models.CharField(_("home address"), max_length=255, blank=True)
    home_kelurahan = models.ForeignKey(
        "kelurahan.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan of residence"),
    )
    # TPPO (trafficking) details, asked when the child's types include trafficking.
    tppo_recruitment = models.CharField(
        _("mode of recruitment"), max_length=15, choices=TppoRecruitment.choices, blank=True
    )
    tppo_destination = models.CharField(
        _("destination"), max_length=15, choices=TppoDestination.choices, blank=True
    )
    tppo_destination_detail = models.CharField(_("destination, in words"), max_length=120, blank=True)
    # The double entry into SIMFONI-PPA: checked complete ("ready"), then entered with its number.
    simfoni_ready_at = models.DateTimeField(_("ready for SIMFONI"), null=True, blank=True)
    simfoni_ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    simfoni_number = models.CharField(_("SIMFONI register number"), max_length=40, blank=True)
    simfoni_entered_at = models.DateTimeField(_("entered into SIMFONI"), null=True, blank=True)
    simfoni_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guardian = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian_rows",
        verbose_name=_("parent/guardian"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            # "The same child in another case": the repeat rule and a child's page go by person.
            models.Index(fields=["person", "case"], name="cases_child_person_case_idx"),
        ]

    def __str__(self) -> str:
        return f"child #{self.pk} of case {self.case_id}"  # never the name: str() ends up in logs

    def age_on(self, day: dt.date) -> int | None:
        """The child's age in whole years on ``day`` (load ``person`` with the row)."""
        return self.person.age_on(day)


class ChildViolence(models.Model):
    """One type of violence a child suffered in the case (SIMFONI codes it per victim)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="violences")
    kind = models.CharField(max_length=15, choices=ViolenceType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "kind"], name="child_violence_once")]
        indexes = [models.Index(fields=["kind", "child"])]

    def __str__(self) -> str:
        return f"child #{self.child_id}: {self.kind}"


class Perpetrator(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    # The relation to the case's (first) child, as the reporter gives it; with several children
    # each child's own relation is a VictimPerpetrator row, which is what SIMFONI counts.
    relation = models.CharField(_("relation to the child"), max_length=15, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    is_child = models.BooleanField(_("is a child"), default=False)
    education = models.CharField(_("education"), max_length=20, choices=SchoolLevel.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, choices=Nationality.choices, blank=True)
    # Who the alleged perpetrator is, when staff know it is a person of the child's family:
    # that person then cannot give consent and is named among those who must not be told.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="perpetrator_rows"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"perpetrator #{self.pk} of case {self.case_id}"


class VictimPerpetrator(models.Model):
    """A victim–perpetrator pair: how this child is related to this alleged perpetrator
    (SIMFONI's relation is per pair: one man may be one child's father and another's uncle)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="perpetrator_links")
    perpetrator = models.ForeignKey(Perpetrator, on_delete=models.CASCADE, related_name="victim_links")
    relation = models.CharField(_("relation to the child"), max_length=15, choices=Relation.choices)

    class Meta:
        ordering = ["perpetrator_id", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "perpetrator"], name="victim_perpetrator_once")
        ]
        indexes = [models.Index(fields=["perpetrator", "child"])]

    def __str__(self) -> str:
        return f"child #{self.child_id} – perpetrator #{self.perpetrator_id}: {self.relation}"

    @property
    def is_kdrt(self) -> bool:
        return self.relation in KDRT_RELATIONS


class ConsentGiver(models.TextChoices):
    CHILD = "anak", _("The child themselves")
    CARER = "orang_tua_wali", _("A parent or guardian")
    UNKNOWN = "tidak_diketahui", _("Not recorded")  # only on records carried over from before


class ConsentPurpose(models.TextChoices):
    FOLLOW_UP = "tindak_lanjut", _("Follow-up by the Dinas")
    SHARING = "berbagi", _("Sharing with an institution")
    PHOTOS = "foto", _("Photos of the child")


class ConsentAnswer(models.TextChoices):
    GIVEN = "diberikan", _("Given")
    REFUSED = "ditolak", _("Refused")


class ConsentInstitution(models.TextChoices):
    """Who the child's data may be shared with: the referral institutions and KPAD."""

    UNIT_PPA = "unit_ppa", _("Unit PPA Polresta Pontianak")
    RSUD = "rsud", _("RSUD (regional hospital)")
    UPTD_PPA = "uptd_ppa", _("UPTD PPA")
    DINSOS = "dinas_sosial", _("Dinas Sosial")
    LBH = "lbh", _("LBH (legal aid institute)")
    SEKOLAH = "sekolah", _("School")
    LAINNYA = "lainnya", _("Other institution")
    KPAD = "kpad", _("KPAD")


class Consent(models.Model):
    """One statement of consent for one child of a case: who gave or refused it, when, and
    for what (its items). Never edited: a newer statement for the child replaces it, and the
    older ones stay as the history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("given or refused by"), max_length=16, choices=ConsentGiver.choices)
    given_by_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_given",
        verbose_name=_("parent or guardian"),
    )
    decided_on = models.DateField(_("date"), null=True, blank=True)  # empty only when carried over
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(given_by="orang_tua_wali") | models.Q(given_by_person__isnull=False),
                name="consent_carer_is_a_person",
            ),
        ]
        indexes = [models.Index(fields=["child", "-recorded_at", "-id"], name="cases_consent_latest_idx")]

    def __str__(self) -> str:
        return f"consent #{self.pk} for child #{self.child_id}"


class ConsentItem(models.Model):
    """One purpose of a statement (and, for sharing, one institution), given or refused."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="items")
    purpose = models.CharField(_("purpose"), max_length=15, choices=ConsentPurpose.choices)
    institution = models.CharField(
        _("institution"), max_length=20, choices=ConsentInstitution.choices, blank=True
    )
    answer = models.CharField(_("answer"), max_length=10, choices=ConsentAnswer.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "purpose", "institution"], name="consent_item_once"),
            models.CheckConstraint(
                condition=models.Q(purpose="berbagi", institution__gt="")
                | (~models.Q(purpose="berbagi") & models.Q(institution="")),
                name="consent_item_institution_only_for_sharing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} {self.purpose} {self.institution} {self.answer}"


class DoNotTell(models.Model):
    """Someone who must not be told about the case (a person of the family, a relation such
    as "the parent", or a few words), beyond the alleged perpetrators, who never are."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="do_not_tell")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="do_not_tell_rows"
    )
    relation = models.CharField(
        _("relation to the child"), max_length=15, choices=Relation.choices, blank=True
    )
    note = models.CharField(_("who, in a few words"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(relation="") | ~models.Q(note=""),
                name="do_not_tell_says_who",
            ),
        ]

    def __str__(self) -> str:
        return f"do-not-tell #{self.pk} of case {self.case_id}"


class CaseEvent(models.Model):
    """One entry on a case's timeline: who did what, when. Never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        VISIT = "visit", _("Visit")
        SERVICE = "service", _("Service")
        REFERRAL = "referral", _("Referral")
        REFERRAL_UPDATE = "referral_update", _("Referral updated")
        ASSIGNMENT = "assignment", _("Assignment")
        ATTACHMENT = "attachment", _("Attachment")
        EDIT = "edit", _("Case edited")
        ESCALATION = "escalation", _("Escalated to KPAD")
        KPAD = "kpad", _("KPAD review")
        CONSENT = "consent", _("Consent")
        PERSON = "person", _("Child's record")
        SIMFONI = "simfoni", _("SIMFONI-PPA")
        ASSESSMENT = "assessment", _("Assessment")
        PLAN = "plan", _("Service plan")
        TASK = "task", _("Task")
        APPROVAL = "approval", _("Approval")
        CONFERENCE = "conference", _("Case conference")
        TRANSFER = "transfer", _("Transfer")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=Status.choices, blank=True)
    # What the system says happened, as a code of EVENT_MESSAGES and its parameters (shown in
    # the reader's language); ``note`` is what the person typed (or, for rows older than codes,
    # the text stored then).
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        """What happened, in the active language (empty when the person's note says it all)."""
        return EVENT_MESSAGES.render(self.code, self.params) if self.code else ""


class Service(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=25, choices=ServiceType.choices)
    provider = models.CharField(_("provider"), max_length=120)
    date = models.DateField(_("date"))
    outcome = models.TextField(_("outcome"), blank=True)
    # The victims served (SIMFONI counts services by victims served): with one child, that child.
    children = models.ManyToManyField(
        Child, related_name="services_received", blank=True, verbose_name=_("children served")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["service_type", "date"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.service_type} {self.date}"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    institution = models.CharField(_("institution"), max_length=20, choices=ReferralInstitution.choices)
    institution_detail = models.CharField(_("institution name / unit"), max_length=120, blank=True)
    date = models.DateField(_("referral date"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_note = models.CharField(_("status note"), max_length=255, blank=True)
    # The receiving institution's answer (accepted or refused, with the refusal's reason in
    # status_note) and the outcome they report, each with its date: the referral's loop.
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["status", "date"], name="cases_referral_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.institution} {self.status}"


def _attachment_path(instance, filename: str) -> str:
    # The stored name carries no part of the uploaded name: that may hold a child's name.
    return f"attachments/{instance.case.year}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "dokumen", _("Document")
        PHOTO = "foto", _("Photo")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"attachment #{self.pk} of case {self.case_id}"


class IntakeDraft(models.Model):
    """An unfinished report kept on the server until it is sent or discarded (one per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_draft"
    )
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of user {self.user_id}"


class Escalation(models.Model):
    """A case put before KPAD, by a rule of DESIGN.md or by hand. One open escalation per
    case and rule, whatever the number of workers or runs: the database enforces it."""

    class Rule(models.TextChoices):
        IMMEDIATE = "immediate", _("At once: sexual violence, trafficking, exploitation or critical risk")
        UNTRIAGED = "untriaged", _("Not triaged in time")
        STALLED = "stalled", _("No activity for too long")
        REPEAT = "repeat", _("The same child in another recent case")
        MANUAL = "manual", _("Escalated by staff")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for KPAD")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by KPAD")
        RESOLVED = "resolved", _("Review closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices)
    # A rule's reason is the rule (a code of ESCALATION_REASONS) and these parameters, shown in
    # the reader's language; ``reason`` is what staff typed for a manual escalation (or, for rows
    # older than codes, the text stored then).
    reason_params = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("escalated at"), db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # empty when a rule escalated it
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=~models.Q(state="resolved"),
                name="escalation_one_open_per_case_and_rule",
            )
        ]
        indexes = [models.Index(fields=["state", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule} {self.state}"

    @property
    def reason_text(self) -> str:
        """Why the case was escalated, in the active language."""
        if self.reason_params:
            return ESCALATION_REASONS.render(self.rule, self.reason_params, fallback=self.reason)
        return self.reason


class KpadMessage(models.Model):
    """KPAD's side of a review: a request for information (answered by the Dinas on the
    case) or a recommendation. Shown on the case's timeline too."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request for information")
        RECOMMENDATION = "recommendation", _("Recommendation")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.kind}"


# The case-work models (assessment, plan, tasks, approvals, conferences, transfers) live in
# their own module; importing them here makes them this app's models.
from .casework_models import *  # noqa: E402, F403
