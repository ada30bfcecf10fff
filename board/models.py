"""The cadres' board (pengurus): terms, positions, who holds them, and the election that fills them.

Secrecy of the vote is kept by the shape of the tables, not by discipline alone:

* ``VoterMark`` records THAT a cadre voted for a position (unique per election,
  position and voter: the database refuses a second vote), never what.
* ``Ballot`` records WHAT was chosen (a candidate, or nothing for an abstention)
  with no link to the voter, no time, and a random primary key, so neither a
  column nor the order of ids ties a ballot to the mark written with it.

Both are written in one transaction by ``board.services.ballot_cast``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class BoardTerm(models.Model):
    """A term of office (periode), e.g. 2022–2025."""

    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_year", "-end_year"]
        verbose_name = _("board term")
        verbose_name_plural = _("board terms")
        constraints = [
            models.UniqueConstraint(fields=["start_year", "end_year"], name="board_term_unique_years"),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="board_term_years_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def label(self) -> str:
        return str(self)


class BoardPosition(models.Model):
    """A seat on the board: ketua, wakil ketua, sekretaris, bendahara, or the coordinator of one kecamatan."""

    class Kind(models.TextChoices):
        KETUA = "ketua", _("Chair")
        WAKIL_KETUA = "wakil_ketua", _("Vice chair")
        SEKRETARIS = "sekretaris", _("Secretary")
        BENDAHARA = "bendahara", _("Treasurer")
        KOORDINATOR = "koordinator", _("Kecamatan coordinator")

    kind = models.CharField(_("position"), max_length=20, choices=Kind.choices)
    kecamatan = models.ForeignKey(
        "kelurahan.Kecamatan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_positions",
        verbose_name=_("kecamatan"),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "kecamatan__code"]
        verbose_name = _("board position")
        verbose_name_plural = _("board positions")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kecamatan__isnull=True), name="board_position_unique_kind"
            ),
            models.UniqueConstraint(
                fields=["kind", "kecamatan"],
                condition=Q(kecamatan__isnull=False),
                name="board_position_unique_kind_kecamatan",
            ),
            # A coordinator always belongs to a kecamatan; the other positions never do.
            models.CheckConstraint(
                condition=(
                    Q(kind="koordinator", kecamatan__isnull=False)
                    | (~Q(kind="koordinator") & Q(kecamatan__isnull=True))
                ),
                name="board_position_kecamatan_iff_coordinator",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.KOORDINATOR and self.kecamatan_id:
            return gettext("Coordinator, Kecamatan %(kecamatan)s") % {"kecamatan": self.kecamatan.common_name}
        return str(self.get_kind_display())

    @property
    def is_coordinator(self) -> bool:
        return self.kind == self.Kind.KOORDINATOR


class Election(models.Model):
    """An election of the board for a term. Draft -> open (votes accepted) -> closed (tally)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Electorate(models.TextChoices):
        ACTIVE = "active", _("All active cadres with a login")
        TRAINING = "training", _("Cadres present at a training")

    term = models.ForeignKey(
        BoardTerm, on_delete=models.PROTECT, related_name="elections", verbose_name=_("term")
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    electorate = models.CharField(
        _("who may vote"), max_length=10, choices=Electorate.choices, default=Electorate.ACTIVE
    )
    # The training whose participants vote (Electorate.TRAINING): those present on at least one day.
    training = models.ForeignKey(
        "training.Training",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_elections",
        verbose_name=_("training"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("board election")
        verbose_name_plural = _("board elections")

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    position = models.ForeignKey(BoardPosition, on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="candidacies")

    class Meta:
        ordering = ["position__sort_order", "position__kecamatan__code", "cadre__name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "position", "cadre"], name="board_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} ({self.position})"


class ElectionVoter(models.Model):
    """The roll: who may vote, frozen when the election opens."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "cadre"], name="board_roll_once")]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.cadre_id}"


class VoterMark(models.Model):
    """THAT a cadre voted for a position. Never what: no candidate, no ballot, no time."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey(BoardPosition, on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "position", "voter"], name="board_one_vote_per_voter_and_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.position_id}/{self.voter_id}"


class Ballot(models.Model):
    """WHAT was chosen for a position: a candidate, or none (an abstention). Never who chose it.

    No voter, no time, and a random id, so the order of rows says nothing either.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey(BoardPosition, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["election", "position"])]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.position_id}"


class BoardSeat(models.Model):
    """Who holds a position for a term, and how they got it (an election in SIGAP or on paper)."""

    class Source(models.TextChoices):
        ELECTION = "election", _("Election in SIGAP")
        PAPER = "paper", _("Paper election")

    term = models.ForeignKey(BoardTerm, on_delete=models.CASCADE, related_name="seats")
    position = models.ForeignKey(BoardPosition, on_delete=models.PROTECT, related_name="seats")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="board_seats")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    election = models.ForeignKey(
        Election, on_delete=models.SET_NULL, null=True, blank=True, related_name="seats"
    )
    votes = models.PositiveIntegerField(_("votes received"), null=True, blank=True)
    votes_cast = models.PositiveIntegerField(_("votes cast"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    installed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position__sort_order", "position__kecamatan__code"]
        constraints = [models.UniqueConstraint(fields=["term", "position"], name="board_seat_once_per_term")]

    def __str__(self) -> str:
        return f"{self.term}: {self.position} – {self.cadre}"
