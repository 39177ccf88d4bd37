"""One content-free page event per list request, and one event per case it shows (with
the code and nothing else: cases.sightings)."""

import pytest

from audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_list_that_shows_no_case_leaves_one_event_without_content(
    make_case, caseworker, client_for
):
    for given in ("Ana", "Bea", "Cata"):
        make_case(caseworker, given_names=given)
    client = client_for(caseworker)
    before = AccessEvent.objects.count()
    response = client.get("/cases/?status=open&only=child&code=PE")
    assert response.context["rows"] == []
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert event.action == Action.CASE_LIST_VIEWED
    assert event.purpose == "list"
    assert event.actor == caseworker
    assert (event.target_type, event.target_id, event.case_code) == ("", "", "")


def test_a_search_leaves_its_page_event_and_one_for_the_case_it_found(
    make_case, caseworker, client_for
):
    case = make_case(caseworker)
    client = client_for(caseworker)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.post("/cases/", {"full_name": "María José Pérez Salas"})
    events = AccessEvent.objects.filter(pk__gt=before).order_by("pk")
    assert [(e.action, e.purpose, e.case_code) for e in events] == [
        (Action.CASE_LIST_VIEWED, "search", ""),
        (Action.CASE_LISTED, "search", case.code),
    ]
