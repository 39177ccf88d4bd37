"""Exactly one content-free access event per list request."""

import pytest

from audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_each_list_request_leaves_one_event_without_content(make_case, caseworker, client_for):
    for given in ("Ana", "Bea", "Cata"):
        make_case(caseworker, given_names=given)
    client = client_for(caseworker)
    before = AccessEvent.objects.count()
    client.get("/cases/?status=open&only=child&code=PE")
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert event.action == Action.CASE_LIST_VIEWED
    assert event.purpose == "list"
    assert event.actor == caseworker
    assert (event.target_type, event.target_id, event.case_code) == ("", "", "")


def test_a_search_leaves_one_event_too(make_case, caseworker, client_for):
    make_case(caseworker)
    client = client_for(caseworker)
    before = AccessEvent.objects.count()
    client.post("/cases/", {"full_name": "María José Pérez Salas"})
    assert AccessEvent.objects.count() == before + 1
    assert AccessEvent.objects.latest("id").purpose == "search"
