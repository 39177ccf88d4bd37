"""What django-axes keeps about a failed sign-in, and how its limits are applied."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
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


class AmparoLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter.

    ``AXES_LOCKOUT_PARAMETERS`` lists (username and address) then (address alone), and
    ``AMPARO_LOCKOUT_LIMITS`` their limits in the same order: five failures for one
    username from one address, a higher number from one address whatever the usernames.
    Axes itself compares the largest count with one limit; here each count meets its own.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        limit = settings.AXES_FAILURE_LIMIT
        if any(count >= own for count, own in zip(counts, settings.AMPARO_LOCKOUT_LIMITS,
                                                  strict=False)):
            return max(limit, counts[0] if counts else 0)
        # Below every limit: report the per-username count, never reaching axes' limit.
        return min(counts[0] if counts else 0, limit - 1)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful sign-in clears her own failures only, not the whole address's:
        otherwise signing in to one's own account would reset the count of an address
        that is guessing at everybody else's."""
        attempts = self.filter_user_attempts(request, credentials)[:1]
        return sum(queryset.delete()[0] for queryset in attempts)


def unlock(username: str) -> int:
    """Clear the failed sign-ins recorded for ``username`` (as typed) at every address."""
    return AccessAttempt.objects.filter(
        username=username_key(None, {settings.AXES_USERNAME_FORM_FIELD: username})
    ).delete()[0]
