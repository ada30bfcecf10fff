from .views import mine, sessions

app_name = "training"

urlpatterns = [*mine.urlpatterns, *sessions.urlpatterns]
