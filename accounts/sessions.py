"""Timestamps kept in the session to enforce the idle and absolute limits."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

AUTHENTICATED_AT = "amparo_authenticated_at"
LAST_SEEN = "amparo_last_seen"
IDLE = "idle"
ABSOLUTE = "absolute"


def start(session: SessionBase, now: datetime) -> None:
    session[AUTHENTICATED_AT] = now.timestamp()
    session[LAST_SEEN] = now.timestamp()


def touch(session: SessionBase, now: datetime) -> None:
    session[LAST_SEEN] = now.timestamp()


def expiry_reason(session: SessionBase, now: datetime) -> str:
    """``IDLE``, ``ABSOLUTE`` or an empty string while the session may go on."""
    authenticated_at = session.get(AUTHENTICATED_AT)
    last_seen = session.get(LAST_SEEN)
    if authenticated_at is None or last_seen is None:
        # A session without our stamps was not made by our login view: end it.
        return ABSOLUTE
    stamp = now.timestamp()
    if stamp - authenticated_at > settings.AMPARO_SESSION_ABSOLUTE_LIMIT.total_seconds():
        return ABSOLUTE
    if stamp - last_seen > settings.AMPARO_SESSION_IDLE_TIMEOUT.total_seconds():
        return IDLE
    return ""
