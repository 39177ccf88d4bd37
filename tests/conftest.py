"""Shared fixtures: an organisation with a person of every role, and an outsider.

Access tests use three standard people (STYLE.md): the owner of a thing, a read-only
colleague, and an outsider from another organisation.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import sessions
from accounts.models import Role
from cases.services.intake import Identity, register_intake
from tests.factories import OrganizationFactory, TeamFactory, UserFactory, enrol_totp


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Asociación Prueba")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Otra Organización")


@pytest.fixture
def team(organization):
    return TeamFactory(organization=organization, name="Equipo Lima")


@pytest.fixture
def caseworker(organization, team):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="caseworker")
    team.members.add(user)
    return user


@pytest.fixture
def supervisor(organization, team):
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="supervisor")
    team.supervisors.add(user)
    return user


@pytest.fixture
def auditor(organization):
    return UserFactory(organization=organization, role=Role.AUDITOR, username="auditor")


@pytest.fixture
def org_admin(organization):
    return UserFactory(organization=organization, role=Role.ORG_ADMIN, username="orgadmin")


@pytest.fixture
def partner(other_organization):
    return UserFactory(organization=other_organization, role=Role.PARTNER, username="partner")


@pytest.fixture
def outsider_admin(other_organization):
    return UserFactory(
        organization=other_organization, role=Role.ORG_ADMIN, username="outsideradmin"
    )


def signed_in_client(user) -> Client:
    """A client whose session has passed both factors, as after a real sign-in."""
    from django.utils import timezone

    device = enrol_totp(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    sessions.start(session, timezone.now())
    session.save()
    return client


@pytest.fixture
def client_for():
    """``client_for(user)`` gives a fully signed-in client for that user."""
    return signed_in_client


# --- canary scan (tests/canary.py) -------------------------------------------------


@pytest.fixture
def canaries(caplog):
    """Plant canaries with ``canaries.new()``; ``canaries.assert_no_leaks()`` then scans
    every database, the default storage, captured logs (all levels) and sent mail.

    Needs ``@pytest.mark.django_db(transaction=True, databases=[...])``.
    """
    from tests.canary import CanaryScan

    caplog.set_level(logging.DEBUG)
    return CanaryScan(caplog)


@pytest.fixture
def make_case(db):
    """``make_case(owner, team=None, **identity)`` registers an intake through the service."""

    def make(owner, team=None, guardian=None, **identity):
        team = team or owner.teams.first() or owner.supervised_teams.first()
        values = {
            "given_names": "María José",
            "family_names": "Pérez Salas",
            "birth_date": date(1996, 4, 12),
            "gender": "female",
            "nationality": "VE",
            "languages": ["es"],
        }
        values.update(identity)
        return register_intake(
            actor=owner, team=team, identity=Identity(**values), guardian=guardian
        )

    return make
