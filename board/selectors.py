"""Reads for the cadres' board: terms and seats, elections, who may vote, and the tally.

Nothing here ever joins a ballot to a voter: the tally counts ballots per candidate
and counts voter marks per position, separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from cadres.models import Cadre, CadreStatus
from cadres.selectors import cadre_of_login
from training.selectors import cadres_present_at

from .models import (
    Ballot,
    BoardPosition,
    BoardSeat,
    BoardTerm,
    Candidate,
    Election,
    ElectionVoter,
    VoterMark,
)

# --- Positions and terms ---------------------------------------------------------------------


def positions_all() -> QuerySet[BoardPosition]:
    return BoardPosition.objects.select_related("kecamatan").order_by("sort_order", "kecamatan__code")


def terms_with_seats() -> QuerySet[BoardTerm]:
    seats = BoardSeat.objects.select_related("position__kecamatan", "cadre__kelurahan")
    return BoardTerm.objects.prefetch_related(Prefetch("seats", queryset=seats))


def current_term(*, terms=None, year: int | None = None) -> BoardTerm | None:
    """The term running this year (the latest to start, if several), else the latest one begun."""
    year = year or timezone.localdate().year
    terms = list(terms if terms is not None else BoardTerm.objects.all())
    running = [t for t in terms if t.start_year <= year <= t.end_year]
    if running:
        return max(running, key=lambda t: (t.start_year, t.end_year))
    begun = [t for t in terms if t.start_year <= year]
    return max(begun, key=lambda t: (t.start_year, t.end_year)) if begun else None


# --- Who may vote ----------------------------------------------------------------------------


def eligible_cadres(*, election: Election) -> QuerySet[Cadre]:
    """Who may vote in this election under its rule. A voter always has an active login.

    * active: status aktif and not flagged inactive by the job;
    * training: present at the election's training, and not stopped (berhenti).
    """
    qs = Cadre.objects.filter(user__isnull=False, user__is_active=True)
    if election.electorate == Election.Electorate.TRAINING:
        if election.training_id is None:
            return qs.none()
        present = cadres_present_at(training_id=election.training_id)
        return qs.filter(pk__in=present).exclude(status=CadreStatus.BERHENTI)
    return qs.filter(status=CadreStatus.AKTIF, inactive_since__isnull=True)


def voter_roll_count(*, election: Election) -> int:
    if election.state == Election.State.DRAFT:
        return eligible_cadres(election=election).count()
    return ElectionVoter.objects.filter(election=election).count()


def elections_open_for(*, user) -> list[Election]:
    """Open elections the user's cadre is on the roll of."""
    cadre = cadre_of_login(user)
    if cadre is None:
        return []
    return list(
        Election.objects.filter(state=Election.State.OPEN, roll__cadre=cadre)
        .select_related("term")
        .distinct()
    )


def elections_closed_for(*, user) -> list[Election]:
    """Closed elections the user's cadre was on the roll of: their results, the latest first."""
    cadre = cadre_of_login(user)
    if cadre is None:
        return []
    return list(
        Election.objects.filter(state=Election.State.CLOSED, roll__cadre=cadre)
        .select_related("term")
        .order_by("-closed_at", "-id")
        .distinct()
    )


def get_result_for_user(*, user, pk: int) -> Election:
    """A closed election whose roll the user's cadre was on; 404 otherwise (open, draft, not a voter),
    so the result is shown only to those who could vote, and only once no vote can change it."""
    cadre = cadre_of_login(user)
    if cadre is None:
        raise Http404
    election = Election.objects.select_related("term").filter(pk=pk, state=Election.State.CLOSED).first()
    if election is None or not ElectionVoter.objects.filter(election=election, cadre=cadre).exists():
        raise Http404
    return election


def get_ballot_for_user(*, user, pk: int) -> tuple[Election, Cadre]:
    """An open election the user may vote in; 404 when not open or not on its roll."""
    cadre = cadre_of_login(user)
    if cadre is None:
        raise Http404
    election = Election.objects.select_related("term").filter(pk=pk, state=Election.State.OPEN).first()
    if election is None or not ElectionVoter.objects.filter(election=election, cadre=cadre).exists():
        raise Http404
    return election, cadre


def positions_voted(*, election: Election, cadre: Cadre) -> set[int]:
    """The positions this cadre has voted for: THAT they voted, never what."""
    return set(VoterMark.objects.filter(election=election, voter=cadre).values_list("position_id", flat=True))


# --- Candidates ------------------------------------------------------------------------------


@dataclass
class PositionCandidates:
    position: BoardPosition
    candidates: list[Candidate] = field(default_factory=list)


def candidates_by_position(*, election: Election) -> list[PositionCandidates]:
    """The election's positions (those with candidates) in board order, each with its candidates."""
    rows: dict[int, PositionCandidates] = {}
    qs = Candidate.objects.filter(election=election).select_related(
        "position__kecamatan", "cadre__kelurahan__kecamatan"
    )
    for candidate in qs:
        rows.setdefault(candidate.position_id, PositionCandidates(position=candidate.position))
        rows[candidate.position_id].candidates.append(candidate)
    return list(rows.values())


# --- The tally -------------------------------------------------------------------------------


@dataclass
class CandidateCount:
    candidate: Candidate
    votes: int
    leading: bool = False


@dataclass
class PositionTally:
    position: BoardPosition
    counts: list[CandidateCount]
    abstentions: int
    voters: int  # voters who voted for this position (including abstentions)
    winners: list[Candidate]
    seat: BoardSeat | None = None

    @property
    def tie(self) -> bool:
        return len(self.winners) > 1

    @property
    def single_winner(self) -> Candidate | None:
        return self.winners[0] if len(self.winners) == 1 else None


@dataclass
class Tally:
    election: Election
    positions: list[PositionTally]
    eligible: int
    voted: int  # voters who voted for at least one position

    @property
    def turnout_percent(self) -> int:
        return round(100 * self.voted / self.eligible) if self.eligible else 0

    @property
    def has_tie(self) -> bool:
        return any(p.tie for p in self.positions)


def election_tally(*, election: Election) -> Tally:
    """Votes per candidate per position, abstentions, turnout and the leader(s). A fixed number of queries."""
    by_position = candidates_by_position(election=election)
    # While the election is open nothing of the ballots is read: a running count (or an order
    # by votes) watched as a known voter votes would give their choice away.
    closed = election.state == Election.State.CLOSED
    votes = (
        {
            (row["position_id"], row["candidate_id"]): row["n"]
            for row in Ballot.objects.filter(election=election)
            .values("position_id", "candidate_id")
            .annotate(n=Count("id"))
            .order_by()
        }
        if closed
        else {}
    )
    marks = {
        row["position_id"]: row["n"]
        for row in VoterMark.objects.filter(election=election)
        .values("position_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    voted = VoterMark.objects.filter(election=election).values("voter_id").distinct().count()
    seats = {
        s.position_id: s
        for s in BoardSeat.objects.filter(term_id=election.term_id, election=election).select_related("cadre")
    }
    positions = []
    for row in by_position:
        pid = row.position.pk
        counts = [CandidateCount(candidate=c, votes=votes.get((pid, c.pk), 0)) for c in row.candidates]
        top = max((c.votes for c in counts), default=0)
        winners = [c.candidate for c in counts if top > 0 and c.votes == top]
        for c in counts:
            c.leading = top > 0 and c.votes == top
        counts.sort(key=lambda c: (-c.votes, c.candidate.cadre.name))
        positions.append(
            PositionTally(
                position=row.position,
                counts=counts,
                abstentions=votes.get((pid, None), 0),
                voters=marks.get(pid, 0),
                winners=winners,
                seat=seats.get(pid),
            )
        )
    return Tally(
        election=election, positions=positions, eligible=voter_roll_count(election=election), voted=voted
    )


def elections_all() -> QuerySet[Election]:
    return Election.objects.select_related("term").annotate(
        candidate_count=Count("candidates", distinct=True),
    )


def cadres_for_position(*, position: BoardPosition | None = None) -> QuerySet[Cadre]:
    """Cadres who may stand for (or hold) a position: not stopped; a coordinator from that
    kecamatan. Without a position: everyone who may stand for some position."""
    qs = Cadre.objects.exclude(status=CadreStatus.BERHENTI).select_related("kelurahan__kecamatan")
    if position is not None and position.is_coordinator:
        qs = qs.filter(kelurahan__kecamatan_id=position.kecamatan_id)
    return qs.order_by("name")
