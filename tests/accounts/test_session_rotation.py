"""The session key changes whenever the session gains or changes what it may do.

A key planted before sign-in (session fixation) or seen before a change of password or
authenticator must not carry over.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import (
    code_step,
    confirm_new_phone,
    enrolling_client,
    new_recovery_codes,
    password_step,
    session_key,
)
from tests.factories import TEST_PASSWORD, current_code, enrol_totp

NOW = "2026-03-02 14:00:00+00:00"


def _assert_rotated(client: Client, old_key: str) -> None:
    assert session_key(client) != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_session_key_rotates_on_login(caseworker):
    client = Client()
    planted = client.session  # a session that exists before signing in
    planted["planted"] = True
    planted.save()
    old_key = session_key(client)

    response = password_step(client, "caseworker")

    assert response.status_code == 302
    _assert_rotated(client, old_key)


@time_machine.travel(NOW, tick=False)
def test_session_key_rotates_on_two_factor_verification(caseworker):
    device = enrol_totp(caseworker)
    client = Client()
    password_step(client, "caseworker")
    old_key = session_key(client)

    code_step(client, current_code(device))

    _assert_rotated(client, old_key)
    assert client.get(reverse("home")).status_code == 200


def test_session_key_rotates_on_password_change(client_for, caseworker):
    client = client_for(caseworker)
    old_key = session_key(client)
    new_password = "a-brand-new-long-passphrase"

    response = client.post(
        reverse("accounts:security"),
        {"old_password": TEST_PASSWORD, "new_password1": new_password,
         "new_password2": new_password},
    )

    assert response.status_code == 302
    _assert_rotated(client, old_key)
    assert client.get(reverse("home")).status_code == 200  # still signed in here


@time_machine.travel(NOW, tick=False)
def test_session_key_rotates_on_enrolment(caseworker):
    client = enrolling_client(caseworker)
    client.get(reverse("accounts:two_factor_enrol"))
    old_key = session_key(client)
    device = TOTPDevice.objects.get(user=caseworker)

    response = client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})

    assert response.status_code == 200
    _assert_rotated(client, old_key)


def test_session_key_rotates_on_moving_to_a_new_phone(client_for, caseworker):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(caseworker)
        confirm_new_phone(client, caseworker)
        client.get(reverse("accounts:two_factor_enrol"))
        old_key = session_key(client)
        device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
        clock.shift(timedelta(seconds=1))

        client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})

        _assert_rotated(client, old_key)


def test_session_key_rotates_on_recovery_code_regeneration(client_for, caseworker):
    client = client_for(caseworker)
    old_key = session_key(client)

    response = new_recovery_codes(client, caseworker)

    assert response.status_code == 200
    _assert_rotated(client, old_key)
    assert client.get(reverse("home")).status_code == 200


def test_a_password_change_signs_out_her_other_sessions(client_for, caseworker):
    elsewhere = client_for(caseworker)
    client = client_for(caseworker)
    new_password = "a-brand-new-long-passphrase"

    client.post(
        reverse("accounts:security"),
        {"old_password": TEST_PASSWORD, "new_password1": new_password,
         "new_password2": new_password},
    )

    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
