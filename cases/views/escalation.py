"""Escalation by hand and answers to KPAD on the case page."""

urlpatterns: list = []
