"""roster views."""

urlpatterns: list = []
