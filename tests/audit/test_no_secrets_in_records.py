"""No password, authenticator code or recovery code is ever stored by the sign-in.

Not in the access log, and not in django-axes' tables either. A password typed into the
username box by mistake is a password too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessEvent
from tests.accounts.helpers import allow_enrolment, code_step, new_recovery_codes, password_step
from tests.factories import UserFactory, current_code

PASSWORD = "Quechua-Llama-Sunrise-42"
NEW_PASSWORD = "Andes-Condor-Evening-97"
GUESSES = ["Guess-Password-Alpha-1", "Guess-Password-Bravo-2"]
TYPED_AS_USERNAME = "Mistyped-Password-In-Username-Box"

RECORD_MODELS = [AccessEvent, AccessAttempt, AccessFailureLog, AccessLog]


def _stored_text() -> list[str]:
    """Every text value of every row of the models that record sign-ins."""
    values = []
    for model in RECORD_MODELS:
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.GenericIPAddressField))
        ]
        for row in model.objects.values_list(*text_fields):
            values.extend(str(value) for value in row if value)
    return values


def _assert_never_stored(secrets: list[str]) -> None:
    stored = _stored_text()
    assert stored, "the sign-in recorded nothing at all"
    for secret in secrets:
        leaks = [value for value in stored if secret.lower() in value.lower()]
        assert not leaks, f"{secret!r} is stored: {leaks}"


@pytest.fixture
def person(organization):
    user = UserFactory(username="ana", organization=organization)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def test_passwords_are_never_stored(person):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for guess in GUESSES:
        password_step(client, "ana", guess)
    password_step(client, "nobody-by-this-name", GUESSES[0])
    password_step(client, TYPED_AS_USERNAME, PASSWORD)
    password_step(client, "ana", PASSWORD)

    _assert_never_stored([PASSWORD, *GUESSES, TYPED_AS_USERNAME])


def test_passwords_of_a_locked_out_attempt_are_never_stored(person):
    client = Client(REMOTE_ADDR="10.1.1.2")
    guesses = [f"Lockout-Guess-{n}-Xyz" for n in range(settings.AXES_FAILURE_LIMIT + 1)]
    for guess in guesses:
        password_step(client, "ana", guess)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        password_step(client, TYPED_AS_USERNAME, "whatever-else-1")
    password_step(client, "ana", PASSWORD)  # refused: the address is locked for her

    assert AccessEvent.objects.filter(action="login.locked_out").exists()
    _assert_never_stored([PASSWORD, *guesses, TYPED_AS_USERNAME])


def test_a_changed_password_is_never_stored(client_for, person):
    client = client_for(person)
    client.post(
        reverse("accounts:security"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.post(
        reverse("accounts:security"),
        {"old_password": GUESSES[0], "new_password1": GUESSES[1], "new_password2": GUESSES[1]},
    )

    assert AccessEvent.objects.filter(action="password.changed").count() == 1
    _assert_never_stored([PASSWORD, NEW_PASSWORD, *GUESSES])


def test_codes_are_never_stored(person):
    with time_machine.travel("2026-03-02 14:00:00+00:00", tick=False) as clock:
        # Enrolment, with a wrong first code and then the right one.
        client = Client()
        password_step(client, "ana", PASSWORD)
        allow_enrolment(client, person)  # as after her invitation link
        client.get(reverse("accounts:two_factor_enrol"))
        device = TOTPDevice.objects.get(user=person)
        enrolment_code = current_code(device)
        wrong_enrolment_code = f"{(int(enrolment_code) + 7) % 1_000_000:06d}"
        client.post(reverse("accounts:two_factor_enrol"), {"token": wrong_enrolment_code})
        clock.shift(timedelta(seconds=3))
        response = client.post(reverse("accounts:two_factor_enrol"), {"token": enrolment_code})
        recovery_codes = response.context["codes"]
        client.post(reverse("accounts:logout"))

        # A later sign-in: a wrong code, then a right one.
        clock.shift(timedelta(minutes=1))
        client = Client()
        password_step(client, "ana", PASSWORD)
        code = current_code(device)
        wrong_code = f"{(int(code) + 3) % 1_000_000:06d}"
        code_step(client, wrong_code)
        clock.shift(timedelta(seconds=3))
        code_step(client, code)
        client.post(reverse("accounts:logout"))

        # And one with a recovery code.
        clock.shift(timedelta(minutes=1))
        client = Client()
        password_step(client, "ana", PASSWORD)
        code_step(client, recovery_codes[0])

    secrets = [enrolment_code, wrong_enrolment_code, code, wrong_code, *recovery_codes]
    _assert_never_stored(secrets)


def test_regenerated_recovery_codes_are_never_stored(client_for, person):
    client = client_for(person)
    response = new_recovery_codes(client, person, PASSWORD)

    _assert_never_stored(response.context["codes"])

