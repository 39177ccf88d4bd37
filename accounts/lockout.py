"""What django-axes keeps about a failed sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def username_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The attempted username as a keyed digest, never as typed.

    A failed username may be a password typed into the wrong box, and axes stores the
    username of every failure in its tables. The digest still lets it count failures
    per username and address, which is all the lockout needs.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(field)
    if not username:
        return None
    return salted_hmac("amparo.lockout.username", username, algorithm="sha256").hexdigest()
