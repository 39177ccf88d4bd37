"""Sessions end after 15 minutes without a request and, in any case, 8 hours after sign-in.

Shelters share computers: a caseworker who walks away must not leave her session to the
next person at the keyboard.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.urls import reverse

from audit.models import AccessEvent, Action

START = datetime.fromisoformat("2026-03-02 08:00:00+00:00")


def _signed_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_request_within_the_idle_limit_keeps_the_session(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        clock.shift(timedelta(minutes=14, seconds=59))

        assert client.get(reverse("home")).status_code == 200


def test_fifteen_idle_minutes_end_the_session(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))

        response = client.get(reverse("accounts:security"))

        assert _signed_out(response)
        assert "next=%2Faccounts%2Fsecurity%2F" in response.url
        # Signed out for good: coming back at once does not revive the session.
        assert _signed_out(client.get(reverse("home")))


def test_activity_moves_the_idle_limit(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        for _ in range(4):  # an hour of work, a request every 14 minutes
            clock.shift(timedelta(minutes=14))
            assert client.get(reverse("home")).status_code == 200


def test_eight_hours_after_sign_in_the_session_ends_however_active(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        elapsed = timedelta()
        while elapsed + timedelta(minutes=14) < timedelta(hours=8):
            clock.shift(timedelta(minutes=14))
            elapsed += timedelta(minutes=14)
            assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(hours=8) - elapsed + timedelta(seconds=1))

        assert _signed_out(client.get(reverse("home")))


def test_the_expiry_is_audited_with_its_reason(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        clock.shift(timedelta(minutes=16))
        client.get(reverse("home"))

    event = AccessEvent.objects.get(action=Action.SESSION_EXPIRED)
    assert event.actor == caseworker
    assert event.purpose == "idle"


def test_the_person_is_told_why_she_was_signed_out(client_for, caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(caseworker)
        clock.shift(timedelta(minutes=16))

        response = client.get(reverse("home"), follow=True, headers={"accept-language": "en"})

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "You were signed out after a period without activity." in response.content.decode()
