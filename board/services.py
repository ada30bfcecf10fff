"""Writes for the cadres' board. Each service owns its transaction and its audit row.

Audit rows about voting say that a cadre voted in an election, never for whom.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from cadres.models import Cadre, CadreStatus
from kelurahan.models import Kecamatan

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
from .selectors import election_tally, eligible_cadres

BOARD_ORDER = [
    BoardPosition.Kind.KETUA,
    BoardPosition.Kind.WAKIL_KETUA,
    BoardPosition.Kind.SEKRETARIS,
    BoardPosition.Kind.BENDAHARA,
]


class AlreadyVoted(Exception):
    """The database refused a second vote by the same voter for the same position."""


class NotEligible(Exception):
    """The voter is not on the election's roll, or no longer may vote."""


def board_positions_ensure() -> list[BoardPosition]:
    """Make sure the board's positions exist: the four officers and one coordinator per kecamatan."""
    for order, kind in enumerate(BOARD_ORDER):
        BoardPosition.objects.get_or_create(kind=kind, kecamatan=None, defaults={"sort_order": order})
    for kecamatan in Kecamatan.objects.order_by("code"):
        BoardPosition.objects.get_or_create(
            kind=BoardPosition.Kind.KOORDINATOR,
            kecamatan=kecamatan,
            defaults={"sort_order": len(BOARD_ORDER)},
        )
    return list(BoardPosition.objects.select_related("kecamatan"))


@transaction.atomic
def board_term_create(*, actor, start_year: int, end_year: int, ip: str | None = None) -> BoardTerm:
    if end_year < start_year:
        raise ValidationError({"end_year": _("The last year cannot come before the first year.")})
    if BoardTerm.objects.filter(start_year=start_year, end_year=end_year).exists():
        raise ValidationError({"start_year": _("This term already exists.")})
    board_positions_ensure()
    term = BoardTerm.objects.create(start_year=start_year, end_year=end_year)
    audit_record(actor=actor, action="board.term_create", target=term, ip=ip, details={"term": str(term)})
    return term


def _check_cadre_for_position(*, cadre: Cadre, position: BoardPosition, field: str = "cadre") -> None:
    if cadre.status == CadreStatus.BERHENTI:
        raise ValidationError({field: _("This cadre has stopped and cannot stand for the board.")})
    if position.is_coordinator and cadre.kelurahan.kecamatan_id != position.kecamatan_id:
        raise ValidationError({field: _("A kecamatan coordinator must be a cadre from that kecamatan.")})


# --- Elections -------------------------------------------------------------------------------


@transaction.atomic
def election_create(
    *,
    actor,
    term: BoardTerm,
    title: str,
    electorate: str = Election.Electorate.ACTIVE,
    training=None,
    ip: str | None = None,
) -> Election:
    if electorate == Election.Electorate.TRAINING and training is None:
        raise ValidationError({"training": _("Choose the training whose participants vote.")})
    board_positions_ensure()
    election = Election.objects.create(
        term=term,
        title=title,
        electorate=electorate,
        training=training if electorate == Election.Electorate.TRAINING else None,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="board.election_create",
        target=election,
        ip=ip,
        details={"term": str(term), "electorate": electorate, "training_id": election.training_id},
    )
    return election


def _lock_election(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("term").get(pk=election.pk)


@transaction.atomic
def election_add_candidate(
    *, actor, election: Election, position: BoardPosition, cadre: Cadre, ip: str | None = None
) -> Candidate:
    election = _lock_election(election)
    if election.state != Election.State.DRAFT:
        raise ValidationError(_("Candidates can only change while the election is a draft."))
    _check_cadre_for_position(cadre=cadre, position=position)
    if Candidate.objects.filter(election=election, position=position, cadre=cadre).exists():
        raise ValidationError({"cadre": _("This cadre is already a candidate for this position.")})
    candidate = Candidate.objects.create(election=election, position=position, cadre=cadre)
    audit_record(
        actor=actor,
        action="board.candidate_add",
        target=election,
        ip=ip,
        details={"position": position.pk, "cadre": cadre.pk},
    )
    return candidate


@transaction.atomic
def election_remove_candidate(*, actor, candidate: Candidate, ip: str | None = None) -> None:
    election = _lock_election(candidate.election)
    if election.state != Election.State.DRAFT:
        raise ValidationError(_("Candidates can only change while the election is a draft."))
    details = {"position": candidate.position_id, "cadre": candidate.cadre_id}
    candidate.delete()
    audit_record(actor=actor, action="board.candidate_remove", target=election, ip=ip, details=details)


@transaction.atomic
def election_open(*, actor, election: Election, ip: str | None = None) -> Election:
    """Open the vote: freeze the roll (who may vote) and the candidates."""
    election = _lock_election(election)
    if election.state != Election.State.DRAFT:
        raise ValidationError(_("Only a draft election can be opened."))
    if not Candidate.objects.filter(election=election).exists():
        raise ValidationError(_("Add at least one candidate before opening the election."))
    voter_ids = list(eligible_cadres(election=election).values_list("pk", flat=True))
    if not voter_ids:
        raise ValidationError(_("Nobody may vote under this rule: no eligible cadre has a login."))
    ElectionVoter.objects.bulk_create([ElectionVoter(election=election, cadre_id=pk) for pk in voter_ids])
    election.state = Election.State.OPEN
    election.opened_at = timezone.now()
    election.save(update_fields=["state", "opened_at"])
    audit_record(
        actor=actor, action="board.election_open", target=election, ip=ip, details={"voters": len(voter_ids)}
    )
    return election


@transaction.atomic
def election_close(*, actor, election: Election, ip: str | None = None) -> Election:
    election = _lock_election(election)
    if election.state != Election.State.OPEN:
        raise ValidationError(_("Only an open election can be closed."))
    election.state = Election.State.CLOSED
    election.closed_at = timezone.now()
    election.save(update_fields=["state", "closed_at"])
    audit_record(actor=actor, action="board.election_close", target=election, ip=ip)
    return election


# --- Voting ----------------------------------------------------------------------------------


def ballot_cast(
    *, user, election: Election, cadre: Cadre, choices: dict[int, int | None], ip: str | None = None
) -> int:
    """Cast a voter's choices: {position id: candidate id, or None to abstain}. All or nothing.

    For each position a VoterMark (THAT the cadre voted, unique) and a Ballot (WHAT was
    chosen, without the voter) are written in one transaction. A second vote for a
    position hits the unique constraint: AlreadyVoted is raised and nothing is kept.
    """
    if not choices:
        raise ValidationError(_("Choose a candidate, or abstain, for at least one position."))
    try:
        with transaction.atomic():
            election = _lock_election(election)
            if election.state != Election.State.OPEN:
                raise ValidationError(_("This election is not open for voting."))
            if not ElectionVoter.objects.filter(election=election, cadre=cadre).exists():
                raise NotEligible
            if cadre.status == CadreStatus.BERHENTI or cadre.user_id != user.pk:
                raise NotEligible
            allowed = {
                (c.position_id, c.pk)
                for c in Candidate.objects.filter(election=election).only("pk", "position_id")
            }
            positions = {pid for pid, _cid in allowed}
            for position_id, candidate_id in choices.items():
                if position_id not in positions or (
                    candidate_id is not None and (position_id, candidate_id) not in allowed
                ):
                    raise ValidationError(_("This choice is not on the ballot."))
            # Written in a fixed order (by position), not in the order chosen.
            for position_id in sorted(choices):
                VoterMark.objects.create(election=election, position_id=position_id, voter=cadre)
                Ballot.objects.create(
                    election=election, position_id=position_id, candidate_id=choices[position_id]
                )
            audit_record(actor=user, action="board.vote", target=election, ip=ip)
    except IntegrityError as exc:
        raise AlreadyVoted from exc
    return len(choices)


# --- Installing the board --------------------------------------------------------------------


def _install(
    *,
    actor,
    term: BoardTerm,
    position: BoardPosition,
    cadre: Cadre,
    source: str,
    election: Election | None,
    votes: int | None,
    votes_cast: int | None,
    note: str,
    ip: str | None,
) -> BoardSeat:
    seat = BoardSeat.objects.select_for_update().filter(term=term, position=position).order_by().first()
    previous = seat.cadre_id if seat else None
    if seat is None:
        seat = BoardSeat(term=term, position=position)
    seat.cadre = cadre
    seat.source = source
    seat.election = election
    seat.votes = votes
    seat.votes_cast = votes_cast
    seat.note = note
    seat.installed_by = actor
    seat.save()
    audit_record(
        actor=actor,
        action="board.install",
        target=seat,
        ip=ip,
        details={
            "term": str(term),
            "position": position.pk,
            "cadre": cadre.pk,
            "previous": previous,
            "source": source,
            "election": election.pk if election else None,
        },
    )
    return seat


@transaction.atomic
def board_install_from_election(
    *, actor, election: Election, position: BoardPosition, cadre: Cadre, note: str = "", ip: str | None = None
) -> BoardSeat:
    """Install the winner of a position. A tie needs a choice among the tied and a note (runoff)."""
    election = _lock_election(election)
    if election.state != Election.State.CLOSED:
        raise ValidationError(_("The board is installed from an election once it is closed."))
    tally = election_tally(election=election)
    row = next((p for p in tally.positions if p.position.pk == position.pk), None)
    if row is None:
        raise ValidationError(_("This position was not on the ballot."))
    if not row.winners:
        raise ValidationError(_("Nobody received a vote for this position; record a paper result instead."))
    winner_ids = {c.cadre_id for c in row.winners}
    if cadre.pk not in winner_ids:
        raise ValidationError({"cadre": _("Choose the candidate with the most votes.")})
    note = note.strip()
    if row.tie and not note:
        raise ValidationError({"note": _("A tie: record how it was decided (runoff or agreement).")})
    votes = next(c.votes for c in row.counts if c.candidate.cadre_id == cadre.pk)
    return _install(
        actor=actor,
        term=election.term,
        position=position,
        cadre=cadre,
        source=BoardSeat.Source.ELECTION,
        election=election,
        votes=votes,
        votes_cast=row.voters,
        note=note,
        ip=ip,
    )


@transaction.atomic
def board_record_paper_result(
    *,
    actor,
    term: BoardTerm,
    position: BoardPosition,
    cadre: Cadre,
    note: str,
    votes: int | None = None,
    votes_cast: int | None = None,
    ip: str | None = None,
) -> BoardSeat:
    """Record who won a position in an election held on paper, and install them."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say where and when the paper election was held.")})
    _check_cadre_for_position(cadre=cadre, position=position)
    if votes is not None and votes_cast is not None and votes > votes_cast:
        raise ValidationError({"votes": _("The votes received cannot exceed the votes cast.")})
    return _install(
        actor=actor,
        term=term,
        position=position,
        cadre=cadre,
        source=BoardSeat.Source.PAPER,
        election=None,
        votes=votes,
        votes_cast=votes_cast,
        note=note,
        ip=ip,
    )
