"""What the board app writes in the audit log, by label (loaded from its AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions, register_detail_labels

register_actions(
    "board",
    _("Cadres' board"),
    {
        "board.term_create": _("Board term created"),
        "board.install": _("Board installed"),
        "board.election_create": _("Election created"),
        "board.election_open": _("Election opened"),
        "board.election_close": _("Election closed"),
        "board.candidate_add": _("Candidate added"),
        "board.candidate_remove": _("Candidate removed"),
        "board.vote": _("Vote cast"),
    },
)

register_detail_labels(
    {
        "election": _("Election"),
        "position": _("Position"),
        "previous": _("Previous holder"),
        "term": _("Term"),
        "electorate": _("Electorate"),
        "training_id": _("Training"),
        "voters": _("Voters"),
    }
)
