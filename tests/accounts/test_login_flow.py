"""The whole sign-in through the real views: password, then the second factor, then home."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import code_step, password_step
from tests.factories import current_code, enrol_totp

NOW = "2026-03-02 14:00:00+00:00"


def _is_signed_in(client, user: User) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200 and response.context["user"] == user


@time_machine.travel(NOW, tick=False)
def test_password_then_code_reaches_home(client, caseworker):
    device = enrol_totp(caseworker)

    response = password_step(client, "caseworker")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_verify"))

    response = code_step(client, current_code(device))
    assert response.status_code == 302
    assert response.url == reverse("home")

    response = client.get(response.url)
    assert response.status_code == 200
    assert response.context["user"] == caseworker
    assert response.context["user"].is_verified()


@time_machine.travel(NOW, tick=False)
def test_the_page_asked_for_is_reached_after_both_steps(client, org_admin):
    device = enrol_totp(org_admin)
    wanted = reverse("accounts:user_list") + "?status=active&page=2"

    response = client.get(wanted)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))

    response = client.post(
        reverse("accounts:login"),
        {"username": "orgadmin", "password": "correct-horse-battery-staple", "next": wanted},
    )
    response = client.post(response.url, {"token": current_code(device)})

    assert response.status_code == 302
    assert response.url == wanted


@time_machine.travel(NOW, tick=False)
def test_a_next_address_on_another_site_is_ignored(client, caseworker):
    device = enrol_totp(caseworker)
    response = client.post(
        reverse("accounts:login"),
        {
            "username": "caseworker",
            "password": "correct-horse-battery-staple",
            "next": "https://evil.example.com/",
        },
    )
    response = client.post(response.url, {"token": current_code(device)})

    assert response.url == reverse("home")


def test_first_sign_in_without_authenticator_goes_to_enrolment(client, caseworker):
    response = password_step(client, "caseworker")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_enrol"))


def test_wrong_password_does_not_sign_in(client, caseworker):
    enrol_totp(caseworker)
    response = password_step(client, "caseworker", "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_sign_in(client, caseworker):
    enrol_totp(caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])

    response = password_step(client, "caseworker")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@time_machine.travel(NOW, tick=False)
def test_logout_ends_the_session(client, caseworker):
    device = enrol_totp(caseworker)
    password_step(client, "caseworker")
    code_step(client, current_code(device))

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_logout_refuses_get(client_for, caseworker):
    client = client_for(caseworker)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
