"""The case list costs the same queries for 10 rows as for 50, and at most 12."""

import re

import pytest

from cases.listing import PAGE_SIZE, Cursor
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


def _link(page: str, rel: str) -> str:
    return re.search(rf'href="(\?[^"]*)" rel="{rel}"', page)[1].replace("&amp;", "&")


def test_it_shows_50_cases_a_page_and_the_rest_on_the_next(caseworker, client_for):
    many_cases(caseworker, PAGE_SIZE + 5)
    client = client_for(caseworker)
    first = client.get("/cases/").content.decode()
    second = client.get("/cases/" + _link(first, "next")).content.decode()
    assert first.count('class="case-link"') == PAGE_SIZE
    assert second.count('class="case-link"') == 5
    assert 'rel="next"' not in second
    assert "Cases 51–55 of 55" in second
    back = client.get("/cases/" + _link(second, "prev")).content.decode()
    assert back.count('class="case-link"') == PAGE_SIZE
    assert "Cases 1–50 of 55" in back and 'rel="prev"' not in back


def test_the_pages_hold_every_case_once_in_the_list_order(caseworker, client_for):
    many_cases(caseworker, 2 * PAGE_SIZE + 7)
    client = client_for(caseworker)
    seen, url = [], "/cases/"
    while url:
        page = client.get(url).content.decode()
        seen += re.findall(r'class="case-link"[^>]*>([^<]+)<', page)
        url = "/cases/" + _link(page, "next") if 'rel="next"' in page else ""
    from cases.models import Case

    assert seen == list(Case.objects.values_list("code", flat=True))  # Meta.ordering


def test_filters_survive_turning_the_page(caseworker, client_for):
    many_cases(caseworker, PAGE_SIZE + 1)
    page = client_for(caseworker).get("/cases/?code=PE").content.decode()
    assert "code=PE&after=" in _link(page, "next")


def test_a_malformed_or_stale_cursor_shows_the_first_page(caseworker, client_for):
    many_cases(caseworker, 3)
    client = client_for(caseworker)
    for cursor in ("99", "2026-13-45~PE~1", "<script>", "1900-01-01~PE-1900-0001~10"):
        response = client.get("/cases/", {"after": cursor})
        assert response.status_code == 200
        assert response.content.decode().count('class="case-link"') == 3


def test_the_count_stops_at_the_cap_and_says_so(caseworker, client_for, monkeypatch):
    from cases import listing

    many_cases(caseworker, 12)
    monkeypatch.setattr(listing, "COUNT_CAP", 10)
    page = client_for(caseworker).get("/cases/").content.decode()
    assert "of more than 1,000" in page  # the template names the real cap


def test_a_cursor_reads_back_what_it_wrote():
    from datetime import date

    cursor = Cursor(opened_on=date(2026, 3, 1), code="PE-2026-0042", position=49)
    assert Cursor.parse(str(cursor)) == cursor
