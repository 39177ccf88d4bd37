"""Every change an organisation's administrator makes to people and teams is recorded,
naming who did it and to whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role, Team, User
from audit.models import AccessEvent, Action, Outcome
from tests.factories import enrol_totp


@pytest.fixture
def admin_client(client_for, org_admin):
    return client_for(org_admin)


def _only(action: str) -> AccessEvent:
    events = list(AccessEvent.objects.filter(action=action))
    assert len(events) == 1, [e.action for e in AccessEvent.objects.all()]
    return events[0]


def _assert_by_admin(event: AccessEvent, org_admin: User, target) -> None:
    assert event.actor == org_admin
    assert event.actor_role == Role.ORG_ADMIN
    assert event.organization == org_admin.organization
    assert event.outcome == Outcome.ALLOWED
    assert event.target_type == target._meta.model_name
    assert event.target_id == str(target.pk)


def test_creating_a_person_is_recorded(admin_client, org_admin):
    admin_client.post(
        reverse("accounts:user_create"),
        {"username": "nuevo", "role": Role.CASEWORKER, "email": "nuevo@example.org"},
    )

    _assert_by_admin(_only(Action.USER_CREATED), org_admin, User.objects.get(username="nuevo"))


def test_a_refused_creation_records_nothing(admin_client):
    admin_client.post(
        reverse("accounts:user_create"),
        {"username": "nuevo", "role": Role.CASEWORKER, "email": "not-an-address"},
    )

    assert not AccessEvent.objects.filter(action=Action.USER_CREATED).exists()


def test_editing_a_person_is_recorded(admin_client, org_admin, caseworker):
    admin_client.post(
        reverse("accounts:user_edit", args=[caseworker.pk]),
        {"first_name": "Ana", "last_name": "", "email": "", "role": Role.AUDITOR},
    )

    _assert_by_admin(_only(Action.USER_UPDATED), org_admin, caseworker)


def test_granting_a_role_that_reads_survivor_records_is_recorded_as_such(
    admin_client, org_admin, auditor
):
    admin_client.post(
        reverse("accounts:user_edit", args=[auditor.pk]),
        {"first_name": "Ana", "last_name": "", "email": "", "role": Role.SUPERVISOR},
    )

    event = _only(Action.ROLE_GRANTED)
    _assert_by_admin(event, org_admin, auditor)
    assert event.purpose == Role.SUPERVISOR
    assert not AccessEvent.objects.filter(action=Action.USER_UPDATED).exists()


def test_deactivating_a_person_is_recorded(admin_client, org_admin, caseworker):
    admin_client.post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    _assert_by_admin(_only(Action.USER_DEACTIVATED), org_admin, caseworker)


def test_reactivating_a_person_is_recorded(admin_client, org_admin, caseworker):
    admin_client.post(reverse("accounts:user_reactivate", args=[caseworker.pk]))

    _assert_by_admin(_only(Action.USER_REACTIVATED), org_admin, caseworker)


def test_resetting_two_factor_is_recorded(admin_client, org_admin, caseworker):
    enrol_totp(caseworker)
    caseworker.email = "caseworker@example.org"
    caseworker.save(update_fields=["email"])

    admin_client.post(reverse("accounts:user_reset_two_factor", args=[caseworker.pk]))

    _assert_by_admin(_only(Action.TWO_FACTOR_RESET), org_admin, caseworker)


def test_creating_a_team_is_recorded(admin_client, org_admin):
    admin_client.post(reverse("accounts:team_create"), {"name": "Seguimiento"})

    _assert_by_admin(_only(Action.TEAM_CREATED), org_admin, Team.objects.get(name="Seguimiento"))


def test_editing_a_team_is_recorded(admin_client, org_admin, team):
    admin_client.post(reverse("accounts:team_edit", args=[team.pk]), {"name": "Equipo Norte"})

    _assert_by_admin(_only(Action.TEAM_UPDATED), org_admin, team)


def test_a_denied_attempt_changes_nothing_and_records_no_change(client_for, caseworker, supervisor):
    client_for(caseworker).post(reverse("accounts:user_deactivate", args=[supervisor.pk]))

    assert not AccessEvent.objects.filter(action=Action.USER_DEACTIVATED).exists()
