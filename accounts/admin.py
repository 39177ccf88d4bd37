"""Django's admin is for superusers who run the installation; never for survivor content.

Everything a superuser adds, changes or deletes here is an access event, like any other
change in Amparo. Nobody is created here: an account made here would have a password
that someone other than its person knows. Organisations and their first administrators
come from ``manage.py create_organization``; colleagues are invited by their
organisation's administrator.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Organization, Team, User
from audit.models import Action
from audit.services import record_event

# django-otp's admin pages show each user's authenticator secret and QR code: anyone who
# reaches them could clone a caseworker's second factor. Nobody needs them.
# Groups grant nothing in Amparo (a person's role does): no page for them either.
for _model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class AuditedAdminMixin:
    """Record each add, change and delete of the admin as an access event.

    Django's admin writes a LogEntry for each of them, inside the transaction of the
    change (bulk deletes too, through ``log_deletions``): the event is written there, so
    the change and its event are committed together or not at all.
    """

    def _record(self, request: HttpRequest, action: Action, obj: models.Model) -> None:
        record_event(
            action=action,
            actor=request.user,
            target_type=obj._meta.model_name,
            target_id=obj.pk,
            organization=_organization_of(obj),
        )

    def log_addition(self, request, obj, message):
        self._record(request, Action.ADMIN_ADDED, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, Action.ADMIN_CHANGED, obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self._record(request, Action.ADMIN_DELETED, obj)
            return super().log_deletions(request, queryset)


def _organization_of(obj: models.Model) -> Organization | None:
    if isinstance(obj, Organization):
        return obj if obj.pk else None
    organization_id = getattr(obj, "organization_id", None)
    return Organization.objects.filter(pk=organization_id).first() if organization_id else None


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An organisation without an administrator cannot be run: the command makes both.
        return False


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization"]
    filter_horizontal = ["members", "supervisors"]


class AmparoUserChangeForm(UserChangeForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        disabled=True,
        widget=forms.HiddenInput,
        help_text=_(
            "Only the person herself chooses her password, through a one-time link. Her "
            "organisation's administrator can reset it, or run: manage.py send_invitation."
        ),
    )

    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class AmparoUserAdmin(AuditedAdminMixin, UserAdmin):
    form = AmparoUserChangeForm
    list_display = ["username", "organization", "role", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Amparo", {"fields": ["organization", "role"]})]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New people are invited (manage.py create_organization, or their organisation's
        # administrator), so that nobody but the person ever knows her password.
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self.message_user(
                request,
                _(
                    "People are not added here. A new organisation and its first "
                    "administrator: manage.py create_organization. Her colleagues are "
                    "invited by her in Amparo. A new link for someone: manage.py "
                    "send_invitation."
                ),
                messages.INFO,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        previous_role = form.initial.get("role", "") if change else ""
        super().save_model(request, obj, form, change)
        if change:
            # Mailed to the organisation's auditors, as when its administrator grants it.
            services.note_role_grant(actor=request.user, user=obj, previous_role=previous_role)


def audit_every_model_admin(site: admin.AdminSite = admin.site) -> None:
    """Give every page of the admin the access events, those of other apps too.

    Called from AccountsConfig.ready(): by then the admin has imported every app's
    admin module (django.contrib.admin comes first in INSTALLED_APPS).
    """
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        audited = type(
            f"Audited{type(model_admin).__name__}", (AuditedAdminMixin, type(model_admin)), {}
        )
        site.unregister(model)
        site.register(model, audited)
