"""Public pages of the training app (no login): certificate verification, at /sertifikat/."""

from .views import public

app_name = "certificate"

urlpatterns = [*public.urlpatterns]
