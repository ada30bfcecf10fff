from .views import dashboard, exports, recap, simfoni

app_name = "reports"

urlpatterns = [*dashboard.urlpatterns, *recap.urlpatterns, *exports.urlpatterns, *simfoni.urlpatterns]
