"""The cadres' board (pengurus): terms and holders, elections run by petugas, and the kader's ballot.

Petugas (Cap.MANAGE_CADRES) manage terms, elections and results; a kader (Cap.VOTE) votes in
the open elections whose roll they are on. No page here shows which voter chose what: the
ballot page after voting says only THAT the kader voted for a position.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Cap, requires
from accounts.services import client_ip
from cadres.models import Cadre, CadreStatus
from cadres.selectors import cadre_of_login, cadres_visible_to

from . import selectors, services
from .forms import BallotForm, CandidateForm, ElectionForm, InstallForm, PaperResultForm, TermForm
from .models import BoardPosition, BoardTerm, Candidate, Election


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: at its field when it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- The board page -----------------------------------------------------------------------------


@require_GET
@requires(Cap.MANAGE_CADRES)
def board(request):
    terms = list(selectors.terms_with_seats())
    current = selectors.current_term(terms=terms)
    positions = list(selectors.positions_all())
    seats = {s.position_id: s for s in current.seats.all()} if current else {}
    # The board is the city's, but a holder's roster page only for a petugas who may open it
    # (one limited to a kecamatan sees the other kecamatan's holders by name, without a link).
    holders = {s.cadre_id for t in terms for s in t.seats.all()}
    linkable = set(cadres_visible_to(user=request.user).filter(pk__in=holders).values_list("pk", flat=True))
    return render(
        request,
        "board/board.html",
        {
            "linkable": linkable,
            "current": current,
            "current_rows": [{"position": p, "seat": seats.get(p.pk)} for p in positions],
            "past_terms": [t for t in terms if t != current],
            "elections": selectors.elections_all(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def term_create(request):
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_term_create(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The term has been created."))
            return redirect("board:index")
    return render(request, "board/term_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def paper_result(request, pk: int):
    term = get_object_or_404(BoardTerm, pk=pk)
    services.board_positions_ensure()
    form = PaperResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.board_record_paper_result(
                actor=request.user,
                term=term,
                position=data["position"],
                cadre=data["cadre"],
                votes=data["votes"],
                votes_cast=data["votes_cast"],
                note=data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The paper result has been recorded and the holder installed."))
            return redirect("board:index")
    return render(request, "board/paper_form.html", {"form": form, "term": term})


# --- Elections (petugas) ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires(Cap.MANAGE_CADRES)
def election_create(request):
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_create(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The election has been created. Add the candidates, then open it."))
            return redirect("board:election", pk=election.pk)
    return render(request, "board/election_form.html", {"form": form})


def _election_page(request, election: Election, *, candidate_form=None, install_forms=None, status=200):
    tally = selectors.election_tally(election=election)
    install_forms = install_forms or {}
    rows = []
    for row in tally.positions:
        form = None
        if election.state == Election.State.CLOSED and row.winners and (row.seat is None or row.tie):
            form = install_forms.get(row.position.pk) or InstallForm(
                initial={"cadre": row.winners[0].cadre_id},
                winners=row.winners,
                tie=row.tie,
                prefix=f"p{row.position.pk}",
            )
        rows.append({"tally": row, "install_form": form})
    context = {
        "election": election,
        "tally": tally,
        "rows": rows,
        "candidate_form": candidate_form
        or (CandidateForm() if election.state == Election.State.DRAFT else None),
    }
    return render(request, "board/election.html", context, status=status)


@require_GET
@requires(Cap.MANAGE_CADRES)
def election_detail(request, pk: int):
    election = get_object_or_404(Election.objects.select_related("term", "training"), pk=pk)
    return _election_page(request, election)


@require_POST
@requires(Cap.MANAGE_CADRES)
def candidate_add(request, pk: int):
    election = get_object_or_404(Election.objects.select_related("term", "training"), pk=pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        try:
            services.election_add_candidate(
                actor=request.user,
                election=election,
                position=form.cleaned_data["position"],
                cadre=form.cleaned_data["cadre"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate has been added."))
            return redirect("board:election", pk=election.pk)
    return _election_page(request, election, candidate_form=form, status=400)


@require_POST
@requires(Cap.MANAGE_CADRES)
def candidate_remove(request, pk: int, candidate_pk: int):
    candidate = get_object_or_404(
        Candidate.objects.select_related("election"), pk=candidate_pk, election_id=pk
    )
    try:
        services.election_remove_candidate(actor=request.user, candidate=candidate, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The candidate has been removed."))
    return redirect("board:election", pk=pk)


@require_POST
@requires(Cap.MANAGE_CADRES)
def election_open(request, pk: int):
    election = get_object_or_404(Election, pk=pk)
    try:
        services.election_open(actor=request.user, election=election, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The election is open: eligible cadres can now vote in SIGAP."))
    return redirect("board:election", pk=pk)


@require_POST
@requires(Cap.MANAGE_CADRES)
def election_close(request, pk: int):
    election = get_object_or_404(Election, pk=pk)
    try:
        services.election_close(actor=request.user, election=election, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The election is closed. Check the tally and install the board."))
    return redirect("board:election", pk=pk)


@require_POST
@requires(Cap.MANAGE_CADRES)
def install(request, pk: int):
    election = get_object_or_404(Election.objects.select_related("term", "training"), pk=pk)
    position_pk = request.POST.get("position_pk", "")
    position = get_object_or_404(BoardPosition, pk=int(position_pk) if position_pk.isdigit() else 0)
    tally = selectors.election_tally(election=election)
    row = next((p for p in tally.positions if p.position.pk == position.pk), None)
    if row is None or not row.winners:
        messages.error(request, _("There is no result to install for this position."))
        return redirect("board:election", pk=pk)
    form = InstallForm(request.POST, winners=row.winners, tie=row.tie, prefix=f"p{position.pk}")
    if form.is_valid():
        cadre = get_object_or_404(Cadre, pk=form.cleaned_data["cadre"])
        try:
            services.board_install_from_election(
                actor=request.user,
                election=election,
                position=position,
                cadre=cadre,
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The holder has been installed for this term."))
            return redirect("board:election", pk=pk)
    return _election_page(request, election, install_forms={position.pk: form}, status=400)


# --- Voting (kader) -----------------------------------------------------------------------------


@require_GET
@requires(Cap.VOTE)
def my_elections(request):
    cadre = cadre_of_login(request.user)
    elections = selectors.elections_open_for(user=request.user)
    rows = []
    for election in elections:
        positions = selectors.candidates_by_position(election=election)
        voted = selectors.positions_voted(election=election, cadre=cadre)
        rows.append(
            {
                "election": election,
                "positions": len(positions),
                "voted": len(voted & {p.position.pk for p in positions}),
            }
        )
    closed = selectors.elections_closed_for(user=request.user)
    return render(request, "board/my_elections.html", {"cadre": cadre, "rows": rows, "closed": closed})


@require_GET
@requires(Cap.VOTE)
def election_result(request, pk: int):
    """The result of a closed election, for those on its roll: votes per candidate, never per voter."""
    election = selectors.get_result_for_user(user=request.user, pk=pk)
    tally = selectors.election_tally(election=election)
    return render(request, "board/result.html", {"election": election, "tally": tally})


@require_http_methods(["GET", "POST"])
@requires(Cap.VOTE)
def ballot(request, pk: int):
    election, cadre = selectors.get_ballot_for_user(user=request.user, pk=pk)
    if cadre.status == CadreStatus.BERHENTI:
        raise PermissionDenied
    positions = selectors.candidates_by_position(election=election)
    voted = selectors.positions_voted(election=election, cadre=cadre)
    form = BallotForm(request.POST or None, positions=positions, voted=voted)
    if request.method == "POST" and form.is_valid():
        choices = form.choices()
        try:
            services.ballot_cast(
                user=request.user, election=election, cadre=cadre, choices=choices, ip=client_ip(request)
            )
        except services.AlreadyVoted:
            messages.error(request, _("You have already voted for this position. Your earlier vote stands."))
            return redirect("board:ballot", pk=election.pk)
        except services.NotEligible as exc:
            raise PermissionDenied from exc
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Thank you: your vote has been recorded. It is secret."))
            return redirect("board:ballot", pk=election.pk)
    all_voted = bool(positions) and all(p.position.pk in voted for p in positions)
    return render(
        request,
        "board/ballot.html",
        {"election": election, "form": form, "all_voted": all_voted},
        status=400 if form.errors else 200,
    )
