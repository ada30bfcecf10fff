"""One case: detail, timeline, edit, lifecycle actions, services, referrals, assignment, attachments."""

urlpatterns: list = []
