"""exports views."""

urlpatterns: list = []
