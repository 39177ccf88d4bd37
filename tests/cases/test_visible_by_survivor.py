"""``visible_cases_by_survivor`` is ``visible_cases`` for a caller narrowing by survivor
(the search by name, the duplicate check): the same people see the same cases, and on
SQLite the cases are read through the survivor index, not the organisation's."""

import pytest
from django.db import connection

from accounts.models import Role
from cases.queries import visible_cases, visible_cases_by_survivor
from cases.services.management import request_emergency_access
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def night_worker(organization, case):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(user)
    outcome = request_emergency_access(
        actor=user, code=case.code, reason="Llamada urgente del hospital", password=TEST_PASSWORD
    )
    assert outcome.grant is not None
    return user


def test_those_who_see_the_case_find_it_by_its_survivor(
    case, caseworker, supervisor, viewer, collaborator, night_worker
):
    for person in (caseworker, supervisor, viewer, collaborator, night_worker):
        by_survivor = visible_cases_by_survivor(person).filter(survivor_id=case.survivor_id)
        assert list(by_survivor) == [case]
        assert set(by_survivor) == set(visible_cases(person).filter(survivor_id=case.survivor_id))


def test_teammates_other_supervisors_outsiders_and_auditors_do_not(
    case, teammate, other_supervisor, outsider, auditor
):
    for person in (teammate, other_supervisor, outsider, auditor):
        assert not visible_cases_by_survivor(person).filter(survivor_id=case.survivor_id).exists()


def test_on_sqlite_the_cases_are_read_through_the_survivor_index(case, supervisor):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL chooses by its statistics")
    query = visible_cases_by_survivor(supervisor).filter(survivor_id__in=[case.survivor_id])
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(row[3] for row in cursor.fetchall())
    assert "cases_case_survivor_id" in plan
    assert "cases_case_organization_id" not in plan
