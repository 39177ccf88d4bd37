"""Session rules that stand between a stolen password and survivor records."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import sessions
from audit.models import Action
from audit.services import record_event


class SessionLimitsMiddleware:
    """End a session after the idle timeout and, in any case, after the absolute limit.

    Shelters share computers: a caseworker who walks away must not leave a case open for
    the next person. Both limits are settings (AMPARO_SESSION_IDLE_TIMEOUT and
    AMPARO_SESSION_ABSOLUTE_LIMIT).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = sessions.expiry_reason(request.session, timezone.now())
            if expired:
                user = request.user
                record_event(action=Action.SESSION_EXPIRED, actor=user, purpose=expired)
                logout(request)
                if expired == sessions.IDLE:
                    messages.info(
                        request, _("You were signed out after a period without activity.")
                    )
                else:
                    messages.info(
                        request, _("Your session reached its time limit. Please sign in again.")
                    )
                login_url = reverse(settings.LOGIN_URL)
                return redirect(f"{login_url}?{urlencode({'next': request.path})}")
            sessions.touch(request.session, timezone.now())
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """With only a password, a session may reach the second-factor pages and nothing else."""

    allowed_url_names = {
        "accounts:login",
        "accounts:logout",
        "accounts:two_factor_verify",
        "accounts:two_factor_enrol",
        "accounts:invitation",
        "accounts:invitation_password",
        "set_language",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or two_factor_exempt(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.allowed_url_names:
            return None
        return redirect("accounts:two_factor_verify")


def two_factor_exempt(user) -> bool:
    """Only demo accounts, and only while the demo flag is on, may skip the second factor."""
    return bool(settings.AMPARO_DEMO and user.demo_account)


class NoStoreMiddleware:
    """Pages may hold survivor data and shelters share computers: browsers keep no copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
