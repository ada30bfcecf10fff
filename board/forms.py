"""Forms for the cadres' board: terms, elections, candidates, the ballot, installing the board."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from training.selectors import trainings_for_choice

from .models import BoardPosition, BoardTerm, Election
from .selectors import PositionCandidates, cadres_for_position, positions_all

ABSTAIN = "abstain"


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        return f"{obj.name} — {obj.kelurahan.common_name}"


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BoardPosition) -> str:
        return obj.label


class TermForm(forms.Form):
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year cannot come before the first year."))
        return data


class ElectionForm(forms.Form):
    term = forms.ModelChoiceField(label=_("Term"), queryset=BoardTerm.objects.all())
    title = forms.CharField(label=_("Title"), max_length=200)
    electorate = forms.ChoiceField(
        label=_("Who may vote"), choices=Election.Electorate.choices, widget=forms.RadioSelect
    )
    training = forms.ModelChoiceField(
        label=_("Training (when its participants vote)"),
        queryset=None,
        required=False,
        help_text=_("Cadres present on at least one day of this training may vote."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = trainings_for_choice()
        self.fields["electorate"].initial = Election.Electorate.ACTIVE
        if not self.is_bound:
            self.fields["title"].initial = _("Board election %(year)s") % {"year": timezone.localdate().year}

    def clean(self):
        data = super().clean()
        if data.get("electorate") == Election.Electorate.TRAINING and not data.get("training"):
            self.add_error("training", _("Choose the training whose participants vote."))
        return data


class CandidateForm(forms.Form):
    position = PositionChoiceField(label=_("Position"), queryset=None)
    cadre = CadreChoiceField(
        label=_("Cadre"),
        queryset=None,
        help_text=_("A kecamatan coordinator must be a cadre from that kecamatan."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions_all()
        self.fields["cadre"].queryset = cadres_for_position()


class InstallForm(forms.Form):
    """Install the winner of one position; with a tie, choose among the tied and say how it was decided."""

    cadre = forms.TypedChoiceField(label=_("Holder"), coerce=int)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, winners=(), tie: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [(c.cadre_id, c.cadre.name) for c in winners]
        if tie:
            self.fields["note"].required = True
            self.fields["note"].label = _("How the tie was decided (runoff or agreement)")
        else:
            self.fields["cadre"].widget = forms.HiddenInput()


class PaperResultForm(forms.Form):
    position = PositionChoiceField(label=_("Position"), queryset=None)
    cadre = CadreChoiceField(label=_("Elected cadre"), queryset=None)
    votes = forms.IntegerField(label=_("Votes received (optional)"), min_value=0, required=False)
    votes_cast = forms.IntegerField(label=_("Votes cast (optional)"), min_value=0, required=False)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where and when the paper election was held, and who counted the votes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions_all()
        self.fields["cadre"].queryset = cadres_for_position()

    def clean(self):
        data = super().clean()
        position, cadre = data.get("position"), data.get("cadre")
        if (
            position
            and cadre
            and position.is_coordinator
            and cadre.kelurahan.kecamatan_id != position.kecamatan_id
        ):
            self.add_error("cadre", _("A kecamatan coordinator must be a cadre from that kecamatan."))
        votes, cast = data.get("votes"), data.get("votes_cast")
        if votes is not None and cast is not None and votes > cast:
            self.add_error("votes", _("The votes received cannot exceed the votes cast."))
        return data


class BallotForm(forms.Form):
    """One choice per position: a candidate, or abstain.

    Every position of the election is a field, so a stale page that sends a choice for
    a position already voted for reaches the database, which refuses it. Only the
    positions not yet voted for are required (and shown).
    """

    def __init__(self, *args, positions: list[PositionCandidates], voted: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in positions:
            name = f"position_{row.position.pk}"
            choices = [(str(c.pk), c.cadre.name) for c in row.candidates]
            choices.append((ABSTAIN, _("Abstain")))
            self.fields[name] = forms.ChoiceField(
                label=row.position.label,
                choices=choices,
                widget=forms.RadioSelect,
                required=row.position.pk not in voted,
                error_messages={"required": _("Choose a candidate, or abstain.")},
            )
            self.rows.append((row, name, row.position.pk in voted))

    def choices(self) -> dict[int, int | None]:
        """{position id: candidate id or None (abstain)} for every position given a choice."""
        result: dict[int, int | None] = {}
        for row, name, _voted in self.rows:
            value = self.cleaned_data.get(name)
            if value:
                result[row.position.pk] = None if value == ABSTAIN else int(value)
        return result

    def bound_rows(self):
        for row, name, voted in self.rows:
            yield {
                "position": row.position,
                "candidates": row.candidates,
                "field": self[name],
                "voted": voted,
            }
