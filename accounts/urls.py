from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import security_views, views

app_name = "accounts"

urlpatterns = [
    path("masuk/", security_views.LoginView.as_view(), name="login"),
    path("masuk/kode/", security_views.otp_verify, name="otp_verify"),
    path("masuk-gagal/", security_views.failed_logins, name="failed_logins"),
    path("keamanan/", security_views.security, name="security"),
    path("keamanan/pasang/", security_views.otp_enrol, name="otp_enrol"),
    path("keamanan/kode-pemulihan/", security_views.recovery_codes_new, name="recovery_codes_new"),
    path("keamanan/matikan/", security_views.second_factor_off, name="second_factor_off"),
    path("keluar/", security_views.LogoutView.as_view(), name="logout"),
    path(
        "kata-sandi/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/<int:pk>/", views.user_edit, name="user_edit"),
    path("pengguna/<int:pk>/kata-sandi/", views.user_set_password, name="user_set_password"),
    path("pengguna/<int:pk>/buka-kunci/", security_views.user_unlock, name="user_unlock"),
    path("pengguna/<int:pk>/atur-ulang-2fa/", security_views.user_reset_second_factor, name="user_reset_2fa"),
    path("audit/", views.audit_list, name="audit_list"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/<int:pk>/buka/", views.notification_open, name="notification_open"),
    path("notifikasi/baca-semua/", views.notification_read_all, name="notifications_read_all"),
]
