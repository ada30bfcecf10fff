from .views import detail, escalation, intake, kpad, lists

app_name = "cases"

# Each views module declares its own routes; the order matters only for overlapping patterns.
urlpatterns = [
    *intake.urlpatterns,
    *lists.urlpatterns,
    *kpad.urlpatterns,
    *escalation.urlpatterns,
    *detail.urlpatterns,
]
