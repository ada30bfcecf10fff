"""The KPAD review queue and its actions."""

urlpatterns: list = []
