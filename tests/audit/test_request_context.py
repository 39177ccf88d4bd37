"""Events carry the request they were recorded in: its id and its source address."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action
from audit.services import record_event


def test_every_response_has_its_own_request_id(db):
    client = Client()

    first = client.get(reverse("accounts:login")).headers["X-Request-ID"]
    second = client.get(reverse("accounts:login")).headers["X-Request-ID"]

    assert len(first) == len(second) == 32
    assert first != second


def test_an_event_carries_the_request_id_and_address(client_for, caseworker):
    client = client_for(caseworker)
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"

    response = client.post(reverse("accounts:logout"))

    event = AccessEvent.objects.get(action=Action.LOGOUT)
    assert event.request_id == response.headers["X-Request-ID"]
    assert event.source_address == "198.51.100.7"


def test_an_event_outside_a_request_has_no_request_data(caseworker):
    event = record_event(action=Action.USER_UPDATED, actor=caseworker, target=caseworker)

    assert event.request_id == ""
    assert event.source_address is None
    assert event.organization == caseworker.organization
    assert (event.target_type, event.target_id) == ("user", str(caseworker.pk))


def test_a_forwarded_for_header_does_not_change_the_recorded_address(client_for, caseworker):
    """Addresses come from the connection (or the trusted proxy), never from a header a
    client can write."""
    client = client_for(caseworker)

    client.post(reverse("accounts:logout"), headers={"x-forwarded-for": "203.0.113.99"})

    assert AccessEvent.objects.get(action=Action.LOGOUT).source_address == "127.0.0.1"
