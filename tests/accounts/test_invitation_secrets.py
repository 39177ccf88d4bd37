"""Invitation links and the passwords chosen through them are secrets: neither reaches a
table, a log or another person's mail; and no account mail carries survivor content."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.accounts.invitations import choose_password, link_in, mails_to, token_of
from tests.canary import assert_no_canary_leaks
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    pytest.mark.usefixtures("site_url"),
]


def test_links_and_chosen_passwords_are_stored_nowhere(
    caplog, canaries, client_for, org_admin, supervisor, auditor, caseworker, make_case
):
    caplog.set_level(logging.DEBUG)
    for person, address in [(supervisor, "sup@example.org"), (auditor, "aud@example.org"),
                            (caseworker, "cw@example.org")]:
        person.email = address
        person.save(update_fields=["email"])
    survivor_name = canaries.new("survivor")
    make_case(caseworker, given_names=survivor_name)
    admin = client_for(org_admin)
    chosen = [canaries.new("password") + "-Aa1", canaries.new("password") + "-Bb2"]

    # A new colleague, then a reset of the caseworker who owns a case, then a role grant.
    admin.post(reverse("accounts:user_create"),
               {"username": "nueva", "email": "nueva@example.org", "role": Role.AUDITOR})
    admin.post(reverse("accounts:user_reset_two_factor", args=[caseworker.pk]))
    newcomer = UserFactory(organization=org_admin.organization, role=Role.PARTNER)
    admin.post(reverse("accounts:user_edit", args=[newcomer.pk]),
               {"first_name": "", "last_name": "", "email": "", "role": Role.CASEWORKER})
    links = [link_in(mails_to("nueva@example.org")[0]), link_in(mails_to("cw@example.org")[0])]
    for link, password in zip(links, chosen, strict=True):
        response = choose_password(Client(), link, password)
        assert response.status_code == 302

    tokens = [token_of(link) for link in links]
    # Each link reached only its own person.
    for token, address in zip(tokens, ["nueva@example.org", "cw@example.org"], strict=True):
        assert [m.to for m in mail.outbox if token in m.body] == [[address]]
    # Her link; his notice as her supervisor; the grant to the auditors (nueva is one).
    assert {tuple(m.to) for m in mail.outbox} == {
        ("nueva@example.org",), ("cw@example.org",), ("sup@example.org",),
        ("aud@example.org", "nueva@example.org"),
    }
    # Nothing of the survivor in any mail; neither links nor passwords in tables or logs.
    assert_no_canary_leaks([survivor_name], logs="", storage=False, databases=[])
    assert_no_canary_leaks([*tokens, *chosen], logs=caplog.text, mail=[])
