from .views import detail, intake, lists

app_name = "cases"

# Each views module declares its own routes; the order matters only for overlapping patterns.
urlpatterns = [*intake.urlpatterns, *lists.urlpatterns, *detail.urlpatterns]
