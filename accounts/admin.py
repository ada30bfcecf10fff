from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "kelurahan", "kecamatan", "is_active")
    list_filter = ("role", "is_active", "kecamatan")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("SIGAP", {"fields": ("role", "kelurahan", "kecamatan", "phone")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action", "target_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Authenticator keys and recovery codes are secrets: SIGAP's own user pages reset them (audited);
# nobody reads them in Django's admin.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
