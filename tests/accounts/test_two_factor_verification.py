"""The second step of signing in: an authenticator code, or a recovery code, once each."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts import services
from tests.accounts.helpers import code_step, is_fully_signed_in, password_only_client
from tests.factories import TEST_PASSWORD, current_code, enrol_totp, give_recovery_codes

NOW = "2026-03-02 14:00:00+00:00"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def device(caseworker):
    return enrol_totp(caseworker)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_right_code_completes_sign_in(clock, caseworker, device):
    client = password_only_client(caseworker)

    response = code_step(client, current_code(device))

    assert response.status_code == 302
    assert is_fully_signed_in(client)


def test_the_code_of_the_previous_time_step_is_still_accepted(clock, caseworker, device):
    """A code typed just as the phone moves on must not fail (tolerance of one step)."""
    client = password_only_client(caseworker)

    code_step(client, current_code(device, offset_steps=-1))

    assert is_fully_signed_in(client)


def test_a_wrong_code_is_refused(clock, caseworker, device):
    client = password_only_client(caseworker)

    response = code_step(client, _wrong(current_code(device)))

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not is_fully_signed_in(client)


def test_a_code_from_the_distant_past_is_refused(clock, caseworker, device):
    client = password_only_client(caseworker)

    code_step(client, current_code(device, offset_steps=-10))

    assert not is_fully_signed_in(client)


def test_reused_totp_code_is_refused(clock, caseworker, device):
    """Somebody who watched the code being typed cannot use it in the same 30 seconds."""
    code = current_code(device)
    first = password_only_client(caseworker)
    code_step(first, code)
    assert is_fully_signed_in(first)
    clock.shift(timedelta(seconds=5))

    second = password_only_client(caseworker)
    response = code_step(second, code)

    assert response.status_code == 200
    assert not is_fully_signed_in(second)
    device.refresh_from_db()  # the step of the used code is remembered
    assert device.last_t == (int(time.time()) - device.t0) // device.step


def test_the_next_code_works_after_a_used_one(clock, caseworker, device):
    code_step(password_only_client(caseworker), current_code(device))
    clock.shift(timedelta(seconds=device.step))

    client = password_only_client(caseworker)
    code_step(client, current_code(device))

    assert is_fully_signed_in(client)


def test_after_a_wrong_code_even_the_right_one_waits(clock, caseworker, device):
    """Guessing is throttled: each failure doubles the wait before the next try counts."""
    client = password_only_client(caseworker)
    code_step(client, _wrong(current_code(device)))

    code_step(client, current_code(device))
    assert not is_fully_signed_in(client)

    clock.shift(timedelta(seconds=5))
    code_step(client, current_code(device))
    assert is_fully_signed_in(client)


def test_recovery_code_works_once_and_only_once(clock, caseworker, device):
    codes = give_recovery_codes(caseworker)

    first = password_only_client(caseworker)
    code_step(first, codes[0])
    assert is_fully_signed_in(first)

    clock.shift(timedelta(minutes=1))
    second = password_only_client(caseworker)
    response = code_step(second, codes[0])

    assert response.status_code == 200
    assert not is_fully_signed_in(second)


def test_a_recovery_code_is_accepted_as_written_down(clock, caseworker, device):
    codes = give_recovery_codes(caseworker)
    client = password_only_client(caseworker)

    code_step(client, f" {codes[3].upper()} ")

    assert is_fully_signed_in(client)


def test_other_recovery_codes_still_work_after_one_is_used(clock, caseworker, device):
    codes = give_recovery_codes(caseworker)
    code_step(password_only_client(caseworker), codes[0])
    clock.shift(timedelta(minutes=1))

    client = password_only_client(caseworker)
    code_step(client, codes[1])

    assert is_fully_signed_in(client)


def test_regenerating_recovery_codes_retires_the_old_ones(clock, caseworker, device):
    old = give_recovery_codes(caseworker)
    services.regenerate_recovery_codes(
        actor=caseworker, password=TEST_PASSWORD, token=current_code(device)
    )
    clock.shift(timedelta(minutes=1))

    client = password_only_client(caseworker)
    code_step(client, old[0])

    assert not is_fully_signed_in(client)


def test_another_persons_recovery_code_is_refused(clock, caseworker, supervisor, device):
    enrol_totp(supervisor)
    theirs = give_recovery_codes(supervisor)
    give_recovery_codes(caseworker)

    client = password_only_client(caseworker)
    code_step(client, theirs[0])

    assert not is_fully_signed_in(client)


def test_without_an_authenticator_the_verify_page_sends_to_enrolment(caseworker):
    client = password_only_client(caseworker)

    response = client.get(reverse("accounts:two_factor_verify"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_enrol"))


def test_the_verify_page_needs_the_password_first(client):
    response = client.get(reverse("accounts:two_factor_verify"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
