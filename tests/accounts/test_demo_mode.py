"""The demo says on every page that it is one, and its accounts skip the second factor
only while the demo flag is on."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role
from tests.accounts.helpers import (
    enrolling_client,
    in_english,
    new_recovery_codes,
    password_only_client,
    password_step,
)
from tests.factories import UserFactory, enrol_totp

BANNER = "Demo — never enter real data"


@pytest.fixture
def demo_caseworker(organization):
    user = UserFactory(
        organization=organization, role=Role.CASEWORKER, username="lucia", demo_account=True
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


@override_settings(AMPARO_DEMO=True)
def test_demo_banner_shows_on_every_page(client, client_for, org_admin, caseworker, team,
                                         other_organization):
    admin = in_english(client_for(org_admin))
    worker = in_english(client_for(caseworker))
    foreign = UserFactory(organization=other_organization)
    pages = {
        "login": in_english(client).get(reverse("accounts:login")),
        "home": admin.get(reverse("home")),
        "caseworker home": worker.get(reverse("home")),
        "security": worker.get(reverse("accounts:security")),
        "enrolment": in_english(enrolling_client(caseworker)).get(
            reverse("accounts:two_factor_enrol")
        ),
        "recovery codes": new_recovery_codes(worker, caseworker),
        "user list": admin.get(reverse("accounts:user_list")),
        "user form": admin.get(reverse("accounts:user_create")),
        "team list": admin.get(reverse("accounts:team_list")),
        "team form": admin.get(reverse("accounts:team_edit", args=[team.pk])),
        "403": worker.get(reverse("accounts:user_list")),
        "404": admin.get(reverse("accounts:user_edit", args=[foreign.pk])),
    }

    for name, response in pages.items():
        assert BANNER in response.content.decode(), name


@override_settings(AMPARO_DEMO=True)
def test_demo_banner_shows_on_the_verify_page(caseworker):
    enrol_totp(caseworker)
    client = in_english(password_only_client(caseworker))

    assert BANNER in client.get(reverse("accounts:two_factor_verify")).content.decode()


@override_settings(AMPARO_DEMO=False)
def test_no_demo_banner_without_the_demo_flag(client):
    response = in_english(client).get(reverse("accounts:login"))

    assert BANNER not in response.content.decode()


@override_settings(AMPARO_DEMO=True)
def test_demo_accounts_skip_two_factor_while_the_demo_is_on(client, demo_caseworker):
    response = password_step(client, "lucia", DEMO_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@override_settings(AMPARO_DEMO=False)
def test_demo_accounts_need_two_factor_when_the_demo_is_off(client, demo_caseworker):
    response = password_step(client, "lucia", DEMO_PASSWORD)

    assert response.url.startswith(reverse("accounts:two_factor_enrol"))
    assert client.get(reverse("home")).status_code == 302


def test_a_demo_session_loses_its_shortcut_when_the_demo_is_turned_off(client, demo_caseworker):
    with override_settings(AMPARO_DEMO=True):
        password_step(client, "lucia", DEMO_PASSWORD)
        assert client.get(reverse("home")).status_code == 200

    with override_settings(AMPARO_DEMO=False):
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_verify")


@override_settings(AMPARO_DEMO=True)
def test_ordinary_accounts_need_two_factor_even_in_the_demo(client, caseworker):
    response = password_step(client, "caseworker")

    assert response.url.startswith(reverse("accounts:two_factor_enrol"))
    assert client.get(reverse("home")).status_code == 302
