"""A signed-in person's organisation comes with her account, not in a query of its own."""

import pytest

from tests.cases.helpers_lists import AllQueries

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _organization_queries(queries) -> list[str]:
    return [
        q["sql"]
        for context in queries._contexts
        for q in context.captured_queries
        if q["sql"].startswith('SELECT "accounts_organization"')
    ]


def test_the_case_list_reads_her_organisation_with_her_account(caseworker, client_for):
    client = client_for(caseworker)
    client.get("/cases/")
    with AllQueries() as queries:
        response = client.get("/cases/")
    assert response.status_code == 200
    assert response.wsgi_request.user.organization == caseworker.organization
    assert _organization_queries(queries) == []


def test_a_deactivated_account_is_not_read_back_from_its_session(caseworker, client_for):
    client = client_for(caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
