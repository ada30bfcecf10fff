from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import home

from . import offline_views, views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("akun/", include("accounts.urls")),
    path("wilayah/", include("kelurahan.urls")),
    path("kasus/", include("cases.urls")),
    path("anak/", include("cases.views.people")),
    path("beranda/", include("cases.views.start")),
    path("kader/", include("cadres.urls")),
    path("kader/", include("board.urls")),
    path("pelatihan/", include("training.urls")),
    path("laporan/", include("reports.urls")),
    path("privasi/", include("privacy.urls")),
    path("sertifikat/", include("training.public_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
]
