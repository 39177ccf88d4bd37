"""Django's admin is for superusers who run the installation; never for survivor content."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organization, Team, User

# django-otp's admin pages show each user's authenticator secret and QR code: anyone who
# reaches them could clone a caseworker's second factor. Nobody needs them.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    filter_horizontal = ["members", "supervisors"]


@admin.register(User)
class AmparoUserAdmin(UserAdmin):
    list_display = ["username", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Amparo", {"fields": ["organization", "role"]})]
