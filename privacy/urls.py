from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("kasus/<str:number>/penahanan/", views.case_hold, name="case_hold"),
    path("kasus/<str:number>/penahanan/pasang/", views.case_hold_place, name="case_hold_place"),
    path("kasus/<str:number>/penahanan/cabut/", views.case_hold_lift, name="case_hold_lift"),
    path("retensi/", views.retention, name="retention"),
    path("retensi/susun/", views.destruction_build, name="destruction_build"),
    path("retensi/daftar/<int:pk>/", views.destruction_detail, name="destruction_detail"),
    path("retensi/daftar/<int:pk>/putuskan/", views.destruction_decide, name="destruction_decide"),
    path("permintaan/", views.request_list, name="request_list"),
    path("permintaan/baru/", views.request_new, name="request_new"),
    path("permintaan/<int:pk>/", views.request_detail, name="request_detail"),
    path("pelanggaran/", views.breach_list, name="breach_list"),
    path("pelanggaran/baru/", views.breach_new, name="breach_new"),
    path("pelanggaran/<int:pk>/", views.breach_detail, name="breach_detail"),
]
