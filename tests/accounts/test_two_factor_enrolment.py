"""Setting up an authenticator: a QR code, a first code to confirm it, recovery codes."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.accounts.helpers import (
    confirm_new_phone,
    enrolling_client,
    is_fully_signed_in,
    password_only_client,
)
from tests.factories import current_code, enrol_totp

NOW = "2026-03-02 14:00:00+00:00"
ENROL = reverse("accounts:two_factor_enrol")


def _pending_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_enrolment_shows_the_qr_code_inline_as_svg(caseworker):
    client = enrolling_client(caseworker)

    response = client.get(ENROL)

    assert response.status_code == 200
    qr_code = response.context["qr_code"]
    assert qr_code.startswith("data:image/svg+xml")
    assert f'src="{qr_code}"' in response.content.decode()


def test_reloading_the_page_shows_the_same_secret(caseworker):
    client = enrolling_client(caseworker)

    first = client.get(ENROL).context["secret_groups"]
    second = client.get(ENROL).context["secret_groups"]

    assert first == second
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_right_code_enrols_and_shows_recovery_codes(caseworker):
    client = enrolling_client(caseworker)
    client.get(ENROL)
    device = _pending_device(caseworker)

    response = client.post(ENROL, {"token": current_code(device)})

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "accounts/recovery_codes.html"
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert services.has_two_factor(caseworker)
    assert is_fully_signed_in(client)


@time_machine.travel(NOW, tick=False)
def test_a_wrong_code_does_not_enrol(caseworker):
    client = enrolling_client(caseworker)
    client.get(ENROL)
    device = _pending_device(caseworker)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"token": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not services.has_two_factor(caseworker)
    assert not StaticToken.objects.filter(device__user=caseworker).exists()
    assert not is_fully_signed_in(client)


def test_anything_but_six_digits_is_refused(caseworker):
    client = enrolling_client(caseworker)
    client.get(ENROL)

    response = client.post(ENROL, {"token": "abc123"})

    assert response.context["form"].errors["token"]
    assert not services.has_two_factor(caseworker)


def test_with_only_a_password_an_enrolled_person_cannot_replace_her_authenticator(caseworker):
    """Otherwise a stolen password would be enough to register the thief's phone."""
    enrol_totp(caseworker)
    client = password_only_client(caseworker)

    response = client.get(ENROL)

    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_verify")
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=False).exists()


def test_moving_to_a_new_phone_retires_the_old_one(client_for, caseworker):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(caseworker)
        old_device = TOTPDevice.objects.get(user=caseworker, confirmed=True)
        assert confirm_new_phone(client, caseworker).status_code == 302
        client.get(ENROL)
        new_device = _pending_device(caseworker)
        clock.shift(timedelta(seconds=1))

        response = client.post(ENROL, {"token": current_code(new_device)})

        assert response.status_code == 200
        assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
        new_device.refresh_from_db()
        assert new_device.confirmed
        assert is_fully_signed_in(client)
