"""What the training app writes in the audit log, by label (loaded from its AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from accounts.audit import register_actions, register_detail_labels

register_actions(
    "training",
    _("Training"),
    {
        "training.create": _("Training created"),
        "training.update": _("Training changed"),
        "training.agenda_add": _("Agenda item added"),
        "training.agenda_delete": _("Agenda item removed"),
        "training.participants_add": _("Participants added"),
        "training.participant_remove": _("Participant removed"),
        "training.attendance": _("Attendance recorded"),
        "training.scores": _("Scores recorded"),
        "training.certificates_issue": _("Certificates issued"),
        "training.form_cohort": _("Cohort formed from the training"),
    },
)

register_detail_labels(
    {
        "cadre_ids": _("Cadres"),
        "participant": _("Participant"),
        "participants": _("Participants"),
        "present": _("Present"),
        "day": _("Day"),
        "item": _("Agenda item"),
        "year": _("Year"),
    }
)
