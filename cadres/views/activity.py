"""activity views."""

urlpatterns: list = []
