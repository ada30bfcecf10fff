from .views import activity, roster

app_name = "cadres"

# Each views module declares its own routes.
urlpatterns = [*roster.urlpatterns, *activity.urlpatterns]
