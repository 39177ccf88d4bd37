"""Giving an existing account a role that reads survivor records (caseworker,
supervisor) is an event of its own and is mailed to the organisation's auditors."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Role
from audit.models import AccessEvent, Action
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("site_url")


@pytest.fixture
def auditors(organization, other_organization):
    """Two auditors of the organisation (one without mail), and one of another."""
    return [
        UserFactory(organization=organization, role=Role.AUDITOR, email="a1@example.org"),
        UserFactory(organization=organization, role=Role.AUDITOR, email=""),
        UserFactory(organization=other_organization, role=Role.AUDITOR, email="x@example.org"),
    ]


@pytest.fixture
def partner_turned(organization):
    return UserFactory(organization=organization, role=Role.AUDITOR, first_name="Inés",
                       last_name="Quispe")


def _change_role(client, person, role: str, committed):
    with committed():
        return client.post(
            reverse("accounts:user_edit", args=[person.pk]),
            {"first_name": person.first_name, "last_name": person.last_name, "email": "",
             "role": role},
        )


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_a_content_role_grant_is_one_event_and_a_mail_to_the_auditors(
    role, client_for, org_admin, auditors, partner_turned, committed
):
    client = client_for(org_admin)
    before = AccessEvent.objects.count()

    response = _change_role(client, partner_turned, role, committed)

    assert response.status_code == 302
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.actor, event.target_id, event.purpose) == (
        Action.ROLE_GRANTED, org_admin, str(partner_turned.pk), role
    )
    [message] = mail.outbox
    assert message.to == ["a1@example.org"]
    assert "Inés Quispe" in message.subject
    assert org_admin.display_name in message.body
    assert "https://amparo.example.org/" in message.body


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER, Role.ORG_ADMIN])
def test_other_roles_are_an_ordinary_change_without_mail(
    role, client_for, org_admin, auditors, caseworker, committed
):
    _change_role(client_for(org_admin), caseworker, role, committed)

    assert AccessEvent.objects.latest("id").action == Action.USER_UPDATED
    assert mail.outbox == []


def test_keeping_the_same_content_role_is_no_grant(
    client_for, org_admin, auditors, caseworker, committed
):
    _change_role(client_for(org_admin), caseworker, Role.CASEWORKER, committed)

    assert AccessEvent.objects.latest("id").action == Action.USER_UPDATED
    assert mail.outbox == []


def test_a_caseworker_made_supervisor_is_a_grant(org_admin, auditors, caseworker, committed):
    with committed():
        services.update_user(
            actor=org_admin, user=caseworker, role=Role.SUPERVISOR, first_name="",
            last_name="", email="", teams=[],
        )

    assert AccessEvent.objects.latest("id").action == Action.ROLE_GRANTED
    assert len(mail.outbox) == 1


def test_a_new_account_is_created_not_granted(org_admin, auditors, committed):
    """A new colleague is on record as created with her role; only her invitation is mailed."""
    with committed():
        services.create_user(
            actor=org_admin, username="nueva", role=Role.CASEWORKER, email="nueva@example.org"
        )

    event = AccessEvent.objects.latest("id")
    assert (event.action, event.purpose) == (Action.USER_CREATED, Role.CASEWORKER)
    assert [m.to for m in mail.outbox] == [["nueva@example.org"]]


def test_a_grant_that_fails_halfway_is_not_mailed(org_admin, auditors, partner_turned, committed):
    from django.db import transaction

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        services.update_user(
            actor=org_admin, user=partner_turned, role=Role.CASEWORKER, first_name="",
            last_name="", email="", teams=[],
        )
        raise RuntimeError("the rest of the request failed")

    assert mail.outbox == []
    partner_turned.refresh_from_db()
    assert partner_turned.role == Role.AUDITOR
    assert not AccessEvent.objects.filter(action=Action.ROLE_GRANTED).exists()
