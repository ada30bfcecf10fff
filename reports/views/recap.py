"""recap views."""

urlpatterns: list = []
