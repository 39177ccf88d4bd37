"""Fixtures for case tests: a case owned by ``caseworker`` in ``team``, and the people
around it (DESIGN §5 access rules)."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from accounts.models import Role
from cases.services.intake import Guardian
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def case(make_case, caseworker):
    return make_case(caseworker)


@pytest.fixture
def teammate(organization, team):
    """A caseworker in the same team, with no share: she must not see the case."""
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="teammate")
    team.members.add(user)
    return user


@pytest.fixture
def viewer(organization, case):
    """A colleague the case is shared with read-only (the read-only person of STYLE.md)."""
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="viewer")
    assign_perm("cases.view_case", user, case)
    return user


@pytest.fixture
def collaborator(organization, case):
    """A colleague the case is shared with for work (view and change)."""
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="collaborator")
    assign_perm("cases.change_case", user, case)
    return user


@pytest.fixture
def other_supervisor(organization):
    """A supervisor of another team in the same organisation."""
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="othersuper")
    TeamFactory(organization=organization, name="Otro equipo").supervisors.add(user)
    return user


@pytest.fixture
def outsider(other_organization):
    """A caseworker of another organisation."""
    return UserFactory(organization=other_organization, role=Role.CASEWORKER, username="outsider")


__all__ = ["Guardian"]
