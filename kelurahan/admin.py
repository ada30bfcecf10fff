from django.contrib import admin

from .models import Kecamatan, Kelurahan


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ("code", "common_name", "name", "bps_code")
    search_fields = ("code", "name", "common_name")


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ("code", "common_name", "name", "kecamatan", "postal_code", "bps_code")
    list_filter = ("kecamatan",)
    search_fields = ("code", "name", "common_name", "postal_code")
