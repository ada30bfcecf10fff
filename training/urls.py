from .views import sessions

app_name = "training"

urlpatterns = [*sessions.urlpatterns]
