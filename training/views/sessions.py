"""Training sessions, attendance, assessments, certificates."""

urlpatterns: list = []
