"""Moving to a new phone, or making new recovery codes, needs the password and a current
code: an open session on a shared computer is not enough to take over her second factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from audit.models import AccessEvent, Action, Outcome
from tests.accounts.helpers import (
    code_step,
    confirm_new_phone,
    in_english,
    is_fully_signed_in,
    new_recovery_codes,
    password_only_client,
)
from tests.factories import TEST_PASSWORD, current_code, give_recovery_codes

NOW = "2026-03-02 14:00:00+00:00"
ENROL = reverse("accounts:two_factor_enrol")
NEW_PHONE = reverse("accounts:new_phone")
NEW_CODES = reverse("accounts:regenerate_recovery_codes")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client_for, caseworker):
    return in_english(client_for(caseworker))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _device(user) -> TOTPDevice:
    return services.confirmed_totp_device(user)


def _last_event() -> AccessEvent:
    return AccessEvent.objects.latest("id")


# --- a new phone ----------------------------------------------------------------------


def test_a_verified_session_alone_cannot_open_the_enrolment(signed_in, caseworker):
    response = signed_in.get(ENROL)

    assert response.status_code == 302
    assert response.url == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=False).exists()


def test_nor_post_a_new_phone_to_it(clock, signed_in, caseworker):
    old = _device(caseworker)
    planted = TOTPDevice.objects.create(user=caseworker, name="thief", confirmed=False)

    signed_in.post(ENROL, {"token": current_code(planted)})

    planted.refresh_from_db()
    assert not planted.confirmed
    assert _device(caseworker) == old


def test_password_and_code_open_the_enrolment_and_the_new_phone_replaces_the_old(
    clock, signed_in, caseworker
):
    old = _device(caseworker)

    response = confirm_new_phone(signed_in, caseworker)

    assert response.status_code == 302
    assert response.url.startswith(ENROL)
    assert signed_in.get(ENROL).status_code == 200
    new = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    clock.shift(timedelta(seconds=30))
    assert signed_in.post(ENROL, {"token": current_code(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=caseworker)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert is_fully_signed_in(signed_in)
    # The permission was for one enrolment: another needs the password and a code again.
    assert signed_in.get(ENROL).status_code == 302


def test_a_recovery_code_counts_as_a_current_code(clock, signed_in, caseworker):
    codes = give_recovery_codes(caseworker)

    response = signed_in.post(NEW_PHONE, {"phone-password": TEST_PASSWORD, "phone-token": codes[0]})

    assert response.status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "right"),
        ("not-her-password", "right"),
        (TEST_PASSWORD, ""),
        (TEST_PASSWORD, "wrong"),
        (TEST_PASSWORD, "used"),
    ],
    ids=["no password", "wrong password", "no code", "wrong code", "code already used"],
)
def test_without_both_the_new_phone_is_refused_and_nothing_changes(
    password, code, clock, signed_in, caseworker
):
    device = _device(caseworker)
    right = current_code(device)
    if code == "used":
        code_step(password_only_client(caseworker), right)  # that code signed her in
    token = {"right": right, "wrong": _wrong(right), "used": right, "": ""}[code]
    before = AccessEvent.objects.count()

    response = signed_in.post(NEW_PHONE, {"phone-password": password, "phone-token": token})

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "accounts/security.html"
    assert response.context["phone_form"].errors
    assert signed_in.get(ENROL).status_code == 302
    assert list(TOTPDevice.objects.filter(user=caseworker)) == [device]
    if password and token:  # a complete form: one refusal on the record, and only that
        assert AccessEvent.objects.count() == before + 1
        event = AccessEvent.objects.filter(action=Action.TWO_FACTOR_CHANGE_REFUSED).get()
        assert (event.outcome, event.actor, event.purpose) == (
            Outcome.DENIED, caseworker, "new_phone"
        )


def test_a_refusal_says_what_to_do_and_names_neither(clock, signed_in, caseworker):
    response = confirm_new_phone(signed_in, caseworker, password="not-her-password")

    assert (
        "The password or the code is not right. Nothing was changed"
        in response.content.decode()
    )


def test_confirming_is_one_event(clock, signed_in, caseworker):
    before = AccessEvent.objects.count()

    confirm_new_phone(signed_in, caseworker)

    assert AccessEvent.objects.count() == before + 1
    assert _last_event().action == Action.TWO_FACTOR_CHANGE_CONFIRMED


def test_the_permission_to_enrol_expires(clock, signed_in, caseworker):
    confirm_new_phone(signed_in, caseworker)
    clock.shift(timedelta(minutes=14))
    signed_in.get(reverse("home"))  # keeps the session from idling out
    clock.shift(timedelta(minutes=2))

    assert signed_in.get(ENROL).status_code == 302


def test_the_pages_need_a_signed_in_person(client):
    assert client.post(NEW_PHONE).status_code == 302
    assert client.post(NEW_CODES).status_code == 302


def test_a_password_only_session_cannot_confirm_a_change(caseworker):
    from tests.factories import enrol_totp

    device = enrol_totp(caseworker)
    client = password_only_client(caseworker)

    response = client.post(
        NEW_PHONE, {"phone-password": TEST_PASSWORD, "phone-token": current_code(device)}
    )

    assert response.url == reverse("accounts:two_factor_verify")


# --- new recovery codes ------------------------------------------------------------------


def test_password_and_code_make_new_recovery_codes(clock, signed_in, caseworker):
    old = give_recovery_codes(caseworker)

    response = new_recovery_codes(signed_in, caseworker)

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert not set(codes) & set(old)
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert _last_event().action == Action.RECOVERY_CODES_REGENERATED


@pytest.mark.parametrize(
    ("password", "code"),
    [("not-her-password", "right"), (TEST_PASSWORD, "wrong"), ("", "")],
    ids=["wrong password", "wrong code", "nothing"],
)
def test_without_both_no_new_recovery_codes(password, code, clock, signed_in, caseworker):
    old = give_recovery_codes(caseworker)
    right = current_code(_device(caseworker))
    token = {"right": right, "wrong": _wrong(right), "": ""}[code]

    response = signed_in.post(NEW_CODES, {"codes-password": password, "codes-token": token})

    assert response.status_code == 200
    assert response.context["codes_form"].errors
    assert "codes" not in response.context
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)
    if password:
        event = _last_event()
        assert (event.action, event.purpose) == (
            Action.TWO_FACTOR_CHANGE_REFUSED, "recovery_codes"
        )


def test_the_forms_are_on_the_security_page_in_spanish(client_for, caseworker):
    page = client_for(caseworker).get(
        reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert "Primero confirma tu contraseña y un código actual." in page
    assert "Continuar con el teléfono nuevo" in page


def test_after_a_refusal_the_focus_stays_off_the_password_change_form(clock, signed_in, caseworker):
    response = confirm_new_phone(signed_in, caseworker, password="not-her-password")

    assert "autofocus" not in response.content.decode()
