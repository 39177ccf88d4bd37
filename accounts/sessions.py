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


# Enrolling a second factor is allowed only to a session that just proved it may: through
# an invitation link, or with the password and a current code. A password alone (stolen
# with the phone, or after an administrator's reset) never enrols a phone.
ENROLMENT_ALLOWED = "amparo_enrolment_allowed"
ENROLMENT_WINDOW_SECONDS = 15 * 60


def allow_enrolment(session: SessionBase, user_id: int, now: datetime) -> None:
    until = now.timestamp() + ENROLMENT_WINDOW_SECONDS
    session[ENROLMENT_ALLOWED] = {"user": user_id, "until": until}


def enrolment_allowed(session: SessionBase, user_id: int, now: datetime) -> bool:
    grant = session.get(ENROLMENT_ALLOWED)
    return bool(grant) and grant.get("user") == user_id and now.timestamp() < grant.get("until", 0)


def end_enrolment(session: SessionBase) -> None:
    session.pop(ENROLMENT_ALLOWED, None)
