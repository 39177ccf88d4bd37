"""Fixtures for plan tests: a case owned by ``caseworker`` in ``team`` (supervised by
``supervisor``), the people around it, and plans at each step of their life.

People (STYLE.md: an owner, a read-only colleague and an outsider): ``caseworker`` owns
the case and writes the plan; ``supervisor`` approves it; ``second_supervisor`` is
another supervisor of the same team; ``viewer`` sees the case read-only; ``outsider`` is
a caseworker of another organisation.
"""

from __future__ import annotations

from datetime import date

import pytest
from guardian.shortcuts import assign_perm

from accounts.models import Role
from cases import vocabularies as cv
from plans import services
from plans import vocabularies as pv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

THREE_GOALS = [
    (pv.Area.ACCOMMODATION, "Quiero un lugar seguro donde dormir."),
    (pv.Area.HEALTH, "Curar la herida del brazo."),
    (pv.Area.DOCUMENTS, "Recuperar mi pasaporte."),
]


@pytest.fixture
def case(make_case, caseworker, supervisor):
    return make_case(caseworker)


@pytest.fixture
def second_supervisor(organization, team):
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="supervisor2")
    team.supervisors.add(user)
    return user


@pytest.fixture
def viewer(organization, case):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="viewer")
    assign_perm("cases.view_case", user, case)
    return user


@pytest.fixture
def outsider(other_organization):
    return UserFactory(organization=other_organization, role=Role.CASEWORKER, username="outsider")


def agree(actor, case, **overrides):
    values = {"agreed_on": date.today(), "method": cv.ConsentMethod.VERBAL,
              "agreed_by": pv.AgreedBy.SURVIVOR}
    values.update(overrides)
    return services.record_agreement(actor=actor, case=case, **values)


def write_plan(actor, case, goals=THREE_GOALS):
    """A draft with her goals, one action each, and her agreement."""
    services.start_plan(actor=actor, case=case)
    written = []
    for area, wording in goals:
        goal = services.add_goal(actor=actor, case=case, area=area, wording=wording)
        services.add_action(actor=actor, case=case, goal=goal, description=f"Paso: {wording}",
                            performer=pv.Performer.CASEWORKER)
        written.append(goal)
    agree(actor, case)
    case.refresh_from_db()
    return case.plan


@pytest.fixture
def draft(case, caseworker):
    return write_plan(caseworker, case)


@pytest.fixture
def awaiting(draft, case, caseworker):
    return services.submit_plan(actor=caseworker, case=case)


@pytest.fixture
def approved(awaiting, case, supervisor):
    return services.approve_plan(actor=supervisor, case=case)


def ratings(plan, rating):
    return {goal.pk: rating for goal in plan.goals.all()}
