"""Reporting a case: the kader's phone-first form and the petugas' full form, drafts, duplicates."""

urlpatterns: list = []
