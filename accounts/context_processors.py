from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.middleware import two_factor_exempt
from accounts.models import Role

# Navigation per role. Later modules add their entries here.
_CASE_WORK = [
    ("cases:case_list", _("Cases")),
    ("cases:intake_start", _("New intake")),
    ("cases:emergency_access", _("Emergency access")),
]
_DIRECTORY = ("referrals:directory", _("Service directory"))
_OUR_SERVICES = ("referrals:own_services", _("Our services"))
_NAVIGATION = {
    Role.CASEWORKER: [*_CASE_WORK, _DIRECTORY],
    Role.SUPERVISOR: [*_CASE_WORK, _DIRECTORY, ("reports:statistics", _("Statistics"))],
    Role.PARTNER: [("referrals:inbox", _("Inbox")), _DIRECTORY, _OUR_SERVICES],
    Role.AUDITOR: [
        ("oversight:search", _("Access log")),
        ("oversight:case_access", _("Who accessed a case")),
        ("oversight:grants", _("Emergency access reviews")),
        ("oversight:anomalies", _("Anomalies")),
        ("export_audit:list", _("Exports")),
    ],
    Role.ORG_ADMIN: [
        ("accounts:user_list", _("People")),
        ("accounts:team_list", _("Teams")),
        ("cases:shred_requests", _("Shredding requests")),
        _OUR_SERVICES,
        _DIRECTORY,
        ("reports:statistics", _("Statistics")),
    ],
}


def amparo(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    # With only the password, every link but "sign out" would bounce to the second step:
    # the header offers navigation and the account link only after both factors.
    signed_in = bool(
        user is not None
        and user.is_authenticated
        and (getattr(user, "is_verified", lambda: False)() or two_factor_exempt(user))
    )
    navigation = []
    if signed_in and getattr(user, "role", ""):
        navigation = [("home", _("Home")), *_NAVIGATION.get(user.role, [])]
    return {
        "amparo_demo": settings.AMPARO_DEMO,
        "amparo_signed_in": signed_in,
        "navigation": navigation,
    }
