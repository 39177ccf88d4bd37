"""Exact-name search: through the blind index, in a POST body, never recorded."""

import pytest

from audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def jose(make_case, caseworker):
    return make_case(caseworker, given_names="José", family_names="Pérez")


def test_it_finds_jose_perez_from_jose_perez_in_capitals(jose, make_case, caseworker, client_for):
    make_case(caseworker, given_names="José", family_names="Pereira")
    response = client_for(caseworker).post("/cases/", {"full_name": "  JOSE   PEREZ "})
    assert response.status_code == 200
    assert [case.code for case in response.context["rows"]] == [jose.code]
    assert "José Pérez" in response.content.decode()


def test_a_different_spelling_finds_nothing_and_says_so(jose, caseworker, client_for):
    response = client_for(caseworker).post("/cases/", {"full_name": "Jose Peres"})
    assert response.context["rows"] == []
    assert response.context["searching"] is True
    assert 'class="empty"' in response.content.decode()


def test_it_does_not_find_her_for_someone_who_may_not_see_her(
    jose, teammate, other_supervisor, client_for
):
    for person in (teammate, other_supervisor):
        response = client_for(person).post("/cases/", {"full_name": "José Pérez"})
        assert response.context["rows"] == []


def test_the_name_never_reaches_the_audit_log_or_the_page_address(jose, caseworker, client_for):
    response = client_for(caseworker).post("/cases/", {"full_name": "José Pérez"})
    events = AccessEvent.objects.filter(action=Action.CASE_LIST_VIEWED)
    assert events.count() == 1
    event = events.get()
    assert event.purpose == "search"
    for value in (event.purpose, event.target_type, event.target_id, event.case_code):
        assert "jos" not in value.lower() and "p\u00e9rez" not in value.lower()
    # The search form posts to the bare list address; the name is never in a link.
    body = response.content.decode()
    assert 'method="post" action="/cases/"' in body
    assert "full_name=" not in body


def test_a_name_in_the_query_string_is_ignored(jose, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?full_name=Nadie+Nunca")
    assert response.context["searching"] is False
    assert [case.code for case in response.context["rows"]] == [jose.code]


def test_an_empty_name_shows_a_message_and_the_usual_list(jose, caseworker, client_for):
    response = client_for(caseworker).post("/cases/", {"full_name": "   "})
    assert response.status_code == 200
    assert response.context["searching"] is False
    assert response.context["name_form"].errors


def test_a_name_several_women_share_costs_the_queries_of_one(
    jose, make_case, caseworker, client_for
):
    """Every candidate's data key comes in one query, and the rows are not fetched twice:
    the search page keeps the list's bound (issue 15, item 4)."""
    from tests.cases.helpers_lists import AllQueries

    client = client_for(caseworker)
    client.post("/cases/", {"full_name": "José Pérez"})  # warm: first-visit work
    with AllQueries() as one:
        response = client.post("/cases/", {"full_name": "José Pérez"})
    assert len(response.context["rows"]) == 1
    for _ in range(3):  # other women of the same name, each her own survivor and key
        make_case(caseworker, given_names="José", family_names="Pérez")
    with AllQueries() as four:
        response = client.post("/cases/", {"full_name": "José Pérez"})
    assert len(response.context["rows"]) == 4
    assert len({case.survivor_id for case in response.context["rows"]}) == 4
    assert len(four) == len(one) <= 12
