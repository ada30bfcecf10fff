from .views import casework, detail, escalation, intake, kpad, lists

app_name = "cases"

# Each views module declares its own routes; the order matters only for overlapping patterns.
urlpatterns = [
    *intake.urlpatterns,
    *lists.urlpatterns,
    *kpad.urlpatterns,
    *escalation.urlpatterns,
    *casework.urlpatterns,
    *detail.urlpatterns,
]
