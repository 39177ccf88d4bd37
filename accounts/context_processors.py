from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

# Navigation per role. Later modules add their entries here.
_NAVIGATION = {
    Role.ORG_ADMIN: [("accounts:user_list", _("People")), ("accounts:team_list", _("Teams"))],
}


def amparo(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    navigation = []
    if user is not None and user.is_authenticated and getattr(user, "role", ""):
        navigation = [("home", _("Home")), *_NAVIGATION.get(user.role, [])]
    return {"amparo_demo": settings.AMPARO_DEMO, "navigation": navigation}
