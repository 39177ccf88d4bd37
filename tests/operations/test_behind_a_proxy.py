"""Behind the TLS proxy, the client's address comes from X-Forwarded-For, and only when the
request comes from a trusted proxy; lockout and audit events use that address."""

from __future__ import annotations

import io
import ipaddress

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AccessEvent, Action
from core.proxies import client_address
from tests.accounts.helpers import password_step
from tests.factories import enrol_totp

PROXY = "10.0.0.5"
PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1/128"))
HOME, CAFE = "203.0.113.7", "198.51.100.23"

behind_proxy = override_settings(AMPARO_TRUSTED_PROXIES=PROXIES)


def via_proxy(address: str) -> Client:
    """A browser at ``address`` whose requests reach Amparo through the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_the_header_is_believed_only_from_a_trusted_proxy():
    assert client_address(PROXY, HOME, PROXIES) == HOME
    assert client_address(HOME, "1.2.3.4", PROXIES) == HOME  # a client cannot claim one
    assert client_address(PROXY, HOME, ()) == PROXY  # no proxies configured


def test_what_the_client_put_in_front_is_ignored():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    assert client_address(PROXY, f"1.2.3.4, {HOME}", PROXIES) == HOME
    assert client_address(PROXY, f"{HOME}, 10.0.0.9", PROXIES) == HOME  # two of our proxies
    assert client_address(PROXY, "not-an-address", PROXIES) == PROXY


@behind_proxy
def test_audit_events_carry_the_clients_address(caseworker):
    password_step(via_proxy(HOME), "caseworker", "not-the-password")

    event = AccessEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.source_address == HOME


@override_settings(AMPARO_TRUSTED_PROXIES=())
def test_an_untrusted_forwarded_header_changes_nothing(caseworker):
    password_step(via_proxy(HOME), "caseworker", "not-the-password")

    assert AccessEvent.objects.get(action=Action.LOGIN_FAILED).source_address == PROXY


@behind_proxy
def test_failures_from_one_address_do_not_lock_her_out_from_another(caseworker):
    enrol_totp(caseworker)
    attacker = via_proxy(CAFE)
    answers = [password_step(attacker, "caseworker", "guess").status_code
               for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert answers[-1] == 429
    response = password_step(via_proxy(HOME), "caseworker")
    assert response.status_code == 302


@behind_proxy
@override_settings(AMPARO_LOCKOUT_LIMITS=[5, 8])
def test_one_address_trying_many_usernames_is_locked_at_the_higher_limit(caseworker):
    enrol_totp(caseworker)
    attacker = via_proxy(CAFE)
    for n in range(8):  # never five for one username
        password_step(attacker, f"person{n % 4}", "guess")

    assert password_step(attacker, "caseworker").status_code == 429
    assert password_step(via_proxy(HOME), "caseworker").status_code == 302


@behind_proxy
@override_settings(AMPARO_LOCKOUT_LIMITS=[5, 8])
def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(caseworker):
    enrol_totp(caseworker)
    attacker = via_proxy(CAFE)
    for n in range(7):
        password_step(attacker, f"person{n % 4}", "guess")
    password_step(attacker, "caseworker")  # the attacker's own (here: any) account
    attacker.post(reverse("accounts:logout"))

    password_step(attacker, "person9", "guess")

    assert password_step(attacker, "person9", "guess").status_code == 429


@behind_proxy
def test_unlock_account_lifts_her_lockout_and_is_recorded(caseworker):
    enrol_totp(caseworker)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(via_proxy(CAFE), "caseworker", "guess")
    assert password_step(via_proxy(CAFE), "caseworker").status_code == 429

    out = io.StringIO()
    call_command("unlock_account", "caseworker", stdout=out)

    assert "caseworker: 1 lockout records cleared" in out.getvalue()
    assert password_step(via_proxy(CAFE), "caseworker").status_code == 302
    event = AccessEvent.objects.get(action=Action.LOGIN_UNLOCKED)
    assert event.target_id == str(caseworker.pk)


@pytest.mark.django_db
def test_unlock_account_names_an_unknown_username():
    with pytest.raises(CommandError, match="No account has the username 'nadie'"):
        call_command("unlock_account", "nadie")
