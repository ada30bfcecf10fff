"""Receivers of other apps' signals (connected in CadresConfig.ready)."""

from django.dispatch import receiver

from accounts.signals import roster_account_saved

from .services import cadre_link_account


@receiver(roster_account_saved, dispatch_uid="cadres-link-account")
def _link_account(sender, user, actor, ip=None, nik="", sex="", cohort=None, cadre_id=None, **kwargs):
    """A cadre's account made by the admin is the cadre's login on the roster: they can vote and
    what they do counts as their activity."""
    cadre_link_account(actor=actor, user=user, nik=nik, sex=sex, cohort=cohort, cadre_id=cadre_id, ip=ip)
