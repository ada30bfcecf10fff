from .views import dashboard, exports, recap

app_name = "reports"

urlpatterns = [*dashboard.urlpatterns, *recap.urlpatterns, *exports.urlpatterns]
