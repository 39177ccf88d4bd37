"""The case list costs the same queries for 10 rows as for 50, and at most 12."""

import pytest

from cases.views.lists import PAGE_SIZE
from tests.cases.helpers_lists import AllQueries, many_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _queries_for_page(client) -> int:
    client.get("/cases/")  # warm: session rotation and first-visit work are not the page's
    with AllQueries() as queries:
        response = client.get("/cases/")
    assert response.status_code == 200
    return len(queries), response


def test_it_issues_the_same_queries_for_10_and_50_rows(
    caseworker, client_for, django_assert_num_queries
):
    client = client_for(caseworker)
    many_cases(caseworker, 10)
    ten, response = _queries_for_page(client)
    assert response.content.decode().count('class="case-link"') == 10

    many_cases(caseworker, 40)
    fifty, response = _queries_for_page(client)
    assert response.content.decode().count('class="case-link"') == 50
    assert fifty == ten
    assert ten <= 12

    # The same on the default database with pytest-django's own counter (which also
    # counts the savepoints the test transaction adds around the audit event).
    client.get("/cases/")
    with AllQueries() as counted:
        client.get("/cases/")
    default_only = len([q for q in counted._contexts[0].captured_queries])
    with django_assert_num_queries(default_only):
        client.get("/cases/")


def test_it_shows_50_cases_a_page_and_the_rest_on_the_next(caseworker, client_for):
    many_cases(caseworker, PAGE_SIZE + 5)
    client = client_for(caseworker)
    first = client.get("/cases/").content.decode()
    second = client.get("/cases/?page=2").content.decode()
    assert first.count('class="case-link"') == PAGE_SIZE
    assert second.count('class="case-link"') == 5
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_filters_survive_turning_the_page(caseworker, client_for):
    many_cases(caseworker, PAGE_SIZE + 1)
    page = client_for(caseworker).get("/cases/?code=PE&page=1").content.decode()
    assert "code=PE&amp;page=2" in page


def test_a_page_number_out_of_range_shows_the_last_page(caseworker, client_for):
    many_cases(caseworker, 3)
    response = client_for(caseworker).get("/cases/?page=99")
    assert response.status_code == 200
    assert response.content.decode().count('class="case-link"') == 3
