"""Repeated failures lock one username at one address, and say nothing about which part
was wrong."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from tests.accounts.helpers import password_step
from tests.factories import TEST_PASSWORD, UserFactory, enrol_totp

HOME_ADDRESS = "10.0.0.1"
OTHER_ADDRESS = "10.0.0.2"


def _fail_until_locked(client: Client, username: str):
    responses = [
        password_step(client, username, "not-the-password")
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    return responses


def test_failures_below_the_limit_do_not_lock(caseworker):
    enrol_totp(caseworker)
    client = Client(REMOTE_ADDR=HOME_ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, "caseworker", "not-the-password").status_code == 200

    response = password_step(client, "caseworker")

    assert response.status_code == 302


def test_the_address_is_locked_for_that_username_after_the_limit(caseworker):
    enrol_totp(caseworker)
    client = Client(REMOTE_ADDR=HOME_ADDRESS)

    responses = _fail_until_locked(client, "caseworker")

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    # Even the right password is refused from there now.
    response = password_step(client, "caseworker", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_audited(caseworker):
    _fail_until_locked(Client(REMOTE_ADDR=HOME_ADDRESS), "caseworker")

    event = AccessEvent.objects.get(action=Action.LOGIN_LOCKED_OUT)
    assert event.target_type == "user"
    assert event.target_id == str(caseworker.pk)
    assert event.source_address == HOME_ADDRESS
    assert event.actor is None


def test_the_same_username_still_signs_in_from_another_address(caseworker):
    """A stranger guessing at a caseworker's username cannot lock her out of her office."""
    enrol_totp(caseworker)
    _fail_until_locked(Client(REMOTE_ADDR=HOME_ADDRESS), "caseworker")

    response = password_step(Client(REMOTE_ADDR=OTHER_ADDRESS), "caseworker")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_verify"))


def test_other_usernames_still_sign_in_from_the_locked_address(caseworker, supervisor):
    enrol_totp(supervisor)
    client = Client(REMOTE_ADDR=HOME_ADDRESS)
    _fail_until_locked(client, "caseworker")

    response = password_step(client, "supervisor")

    assert response.status_code == 302


def test_a_success_clears_earlier_failures(caseworker):
    enrol_totp(caseworker)
    client = Client(REMOTE_ADDR=HOME_ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, "caseworker", "not-the-password")
    password_step(client, "caseworker")
    client.post(reverse("accounts:logout"))

    response = password_step(client, "caseworker", "not-the-password")

    assert response.status_code == 200


def _without_csrf_token(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_unknown_user_and_wrong_password_get_identical_answers(organization):
    """The answer must not tell an attacker whether a username exists."""
    unknown = password_step(Client(), "maria.quispe", "not-the-password")
    UserFactory(username="maria.quispe", organization=organization)
    wrong_password = password_step(Client(), "maria.quispe", "not-the-password")

    assert unknown.status_code == wrong_password.status_code == 200
    assert _without_csrf_token(unknown.content) == _without_csrf_token(wrong_password.content)


def test_unknown_user_and_known_user_lock_out_alike(organization):
    unknown = _fail_until_locked(Client(REMOTE_ADDR=HOME_ADDRESS), "maria.quispe")[-1]
    UserFactory(username="maria.quispe", organization=organization)
    known = _fail_until_locked(Client(REMOTE_ADDR=OTHER_ADDRESS), "maria.quispe")[-1]

    assert unknown.status_code == known.status_code == 429
    assert _without_csrf_token(unknown.content) == _without_csrf_token(known.content)
