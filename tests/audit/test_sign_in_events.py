"""Every outcome of signing in leaves one access event, with who, from where and how it
ended, and never the text that was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from tests.accounts.helpers import (
    code_step,
    enrolling_client,
    new_recovery_codes,
    password_only_client,
    password_step,
)
from tests.factories import current_code, enrol_totp, give_recovery_codes

ADDRESS = "192.0.2.10"
NOW = "2026-03-02 14:00:00+00:00"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _only(action: str) -> AccessEvent:
    events = list(AccessEvent.objects.filter(action=action))
    assert len(events) == 1, [e.action for e in AccessEvent.objects.all()]
    return events[0]


def test_a_successful_password_is_recorded(caseworker):
    password_step(Client(REMOTE_ADDR=ADDRESS), "caseworker")

    event = _only(Action.LOGIN_SUCCEEDED)
    assert event.actor == caseworker
    assert event.actor_username == "caseworker"
    assert event.actor_role == "caseworker"
    assert event.organization == caseworker.organization
    assert event.outcome == Outcome.ALLOWED
    assert event.source_address == ADDRESS
    assert len(event.request_id) == 32


def test_a_wrong_password_for_an_existing_user_is_recorded_against_her(caseworker):
    password_step(Client(REMOTE_ADDR=ADDRESS), "caseworker", "not-the-password")

    event = _only(Action.LOGIN_FAILED)
    assert event.outcome == Outcome.DENIED
    assert event.actor is None  # nobody signed in
    assert (event.target_type, event.target_id) == ("user", str(caseworker.pk))
    assert event.organization == caseworker.organization
    assert event.source_address == ADDRESS


def test_an_unknown_username_is_recorded_without_the_username(db):
    password_step(Client(REMOTE_ADDR=ADDRESS), "my-secret-password", "whatever-else")

    event = _only(Action.LOGIN_FAILED)
    assert event.outcome == Outcome.DENIED
    assert event.actor is None
    assert event.actor_username == ""
    assert event.target_type == ""
    assert event.target_id == ""
    assert event.organization is None
    assert event.source_address == ADDRESS


def test_a_lockout_is_recorded(caseworker):
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, "caseworker", "not-the-password")

    event = _only(Action.LOGIN_LOCKED_OUT)
    assert event.outcome == Outcome.DENIED
    assert event.target_id == str(caseworker.pk)
    assert event.source_address == ADDRESS


def test_each_attempt_leaves_one_event_even_the_one_that_locks(caseworker):
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        password_step(client, "caseworker", "not-the-password")

    actions = list(AccessEvent.objects.order_by("id").values_list("action", flat=True))
    assert len(actions) == settings.AXES_FAILURE_LIMIT + 1
    assert actions.count(Action.LOGIN_FAILED) == settings.AXES_FAILURE_LIMIT - 1
    assert actions.count(Action.LOGIN_LOCKED_OUT) == 2


def test_a_wrong_old_password_on_the_password_change_is_recorded(client_for, caseworker):
    client = client_for(caseworker)
    response = client.post(
        "/accounts/security/",
        {"old_password": "guess", "new_password1": "x" * 20, "new_password2": "x" * 20},
    )

    assert response.status_code == 200
    event = _only(Action.PASSWORD_CHANGE_REFUSED)
    assert event.outcome == Outcome.DENIED
    assert event.actor == caseworker
    assert "guess" not in str(AccessEvent.objects.values_list())


def test_a_right_code_is_recorded(clock, caseworker):
    device = enrol_totp(caseworker)

    code_step(password_only_client(caseworker), current_code(device))

    event = _only(Action.TWO_FACTOR_VERIFIED)
    assert event.actor == caseworker
    assert event.outcome == Outcome.ALLOWED


def test_a_wrong_code_is_recorded(clock, caseworker):
    device = enrol_totp(caseworker)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    code_step(password_only_client(caseworker), wrong)

    event = _only(Action.TWO_FACTOR_FAILED)
    assert event.actor == caseworker
    assert event.outcome == Outcome.DENIED


def test_a_recovery_code_is_recorded(clock, caseworker):
    enrol_totp(caseworker)
    codes = give_recovery_codes(caseworker)

    code_step(password_only_client(caseworker), codes[0])

    event = _only(Action.RECOVERY_CODE_USED)
    assert event.actor == caseworker
    assert not AccessEvent.objects.filter(action=Action.TWO_FACTOR_VERIFIED).exists()


def test_enrolment_is_recorded(clock, caseworker):
    client = enrolling_client(caseworker)
    client.get(reverse("accounts:two_factor_enrol"))
    device = caseworker.totpdevice_set.get()

    client.post(reverse("accounts:two_factor_enrol"), {"token": current_code(device)})

    event = _only(Action.TWO_FACTOR_ENROLLED)
    assert event.actor == caseworker
    assert event.target_id == str(caseworker.pk)


def test_a_wrong_enrolment_code_is_recorded(clock, caseworker):
    client = enrolling_client(caseworker)
    client.get(reverse("accounts:two_factor_enrol"))
    device = caseworker.totpdevice_set.get()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    client.post(reverse("accounts:two_factor_enrol"), {"token": wrong})

    assert _only(Action.TWO_FACTOR_FAILED).actor == caseworker


def test_recovery_code_regeneration_is_recorded(client_for, caseworker):
    new_recovery_codes(client_for(caseworker), caseworker)

    assert _only(Action.RECOVERY_CODES_REGENERATED).actor == caseworker


def test_a_password_change_is_recorded(client_for, caseworker):
    new = "a-brand-new-long-passphrase"
    client_for(caseworker).post(
        reverse("accounts:security"),
        {"old_password": "correct-horse-battery-staple", "new_password1": new,
         "new_password2": new},
    )

    assert _only(Action.PASSWORD_CHANGED).actor == caseworker


def test_logout_is_recorded(client_for, caseworker):
    client_for(caseworker).post(reverse("accounts:logout"))

    event = _only(Action.LOGOUT)
    assert event.actor == caseworker


def test_an_expired_session_is_recorded(client_for, caseworker, clock):
    client = client_for(caseworker)
    clock.shift(timedelta(hours=1))

    client.get(reverse("home"))

    event = _only(Action.SESSION_EXPIRED)
    assert event.actor == caseworker
    assert event.purpose == "idle"


def test_the_response_carries_the_request_id_of_its_events(caseworker):
    response = password_step(Client(), "caseworker")

    assert _only(Action.LOGIN_SUCCEEDED).request_id == response.headers["X-Request-ID"]
