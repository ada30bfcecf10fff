from django.urls import path

from . import views

app_name = "kelurahan"

urlpatterns = [
    path("", views.kelurahan_list, name="list"),
]
