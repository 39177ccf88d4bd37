"""Django's admin is for superusers who run the installation; never for survivor content."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Organization, Team, User


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
