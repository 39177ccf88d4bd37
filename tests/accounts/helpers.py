"""Steps of the real sign-in, through the views, for tests that put the sign-in itself
under test. Tests that only need a signed-in person use ``client_for`` from conftest."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD


def password_step(
    client: Client, username: str, password: str = TEST_PASSWORD, **extra
) -> HttpResponse:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def code_step(client: Client, code: str) -> HttpResponse:
    return client.post(reverse("accounts:two_factor_verify"), {"token": code})


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_keys_of(user: User) -> set[str]:
    """Keys of the stored sessions that belong to ``user``."""
    return {
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    }


def password_only_client(user: User) -> Client:
    """A client past the password step but not the second factor."""
    from django.utils import timezone

    from accounts import sessions

    client = Client()
    client.force_login(user)
    session = client.session
    sessions.start(session, timezone.now())
    session.save()
    return client


def is_fully_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def in_english(client: Client) -> Client:
    """Ask for English pages, so that assertions can quote the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def enrolling_client(user: User) -> Client:
    """A client past the password step that may enrol a phone, as just after an
    invitation link (the only way a session without a phone may enrol one)."""
    from django.utils import timezone

    from accounts import sessions

    client = password_only_client(user)
    session = client.session
    sessions.allow_enrolment(session, user.pk, timezone.now())
    session.save()
    return client


def _current_code_of(user: User) -> str:
    from accounts.services import confirmed_totp_device
    from tests.factories import current_code

    return current_code(confirmed_totp_device(user))


def confirm_new_phone(client: Client, user: User, password: str = TEST_PASSWORD) -> HttpResponse:
    """Her password and a current code on the security page: the way to a new phone."""
    return client.post(
        reverse("accounts:new_phone"),
        {"phone-password": password, "phone-token": _current_code_of(user)},
    )


def new_recovery_codes(client: Client, user: User, password: str = TEST_PASSWORD) -> HttpResponse:
    """Her password and a current code: the way to new recovery codes."""
    return client.post(
        reverse("accounts:regenerate_recovery_codes"),
        {"codes-password": password, "codes-token": _current_code_of(user)},
    )


def allow_enrolment(client: Client, user: User) -> None:
    """Mark a client's session as just past an invitation link (see enrolling_client)."""
    from django.utils import timezone

    from accounts import sessions

    session = client.session
    sessions.allow_enrolment(session, user.pk, timezone.now())
    session.save()
