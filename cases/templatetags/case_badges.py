"""Template filters for the badges of cases.badges: ``{{ case.risk|risk_badge }}``."""

from django import template

from cases import badges

register = template.Library()

register.filter("risk_badge", badges.risk_badge)
register.filter("status_badge", badges.status_badge)
register.filter("escalation_badge", badges.escalation_badge)
