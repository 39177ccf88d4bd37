from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django.views.i18n import set_language


def _admin_login(request, extra_context=None):
    # One sign-in door for everyone, with its two factors and lockout.
    return redirect("accounts:login")


admin.site.login = _admin_login
admin.site.has_permission = lambda request: (
    request.user.is_active and request.user.is_superuser and request.user.is_verified()
)

urlpatterns = [
    path("", include("workspace.urls")),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("cases/", include("plans.urls")),
    path("referrals/", include("referrals.urls")),
    path("audit/exports/", include("reports.audit_urls")),
    path("audit/", include("oversight.urls")),
    path("statistics/", include("reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
    path("health/", include("operations.urls")),
]
