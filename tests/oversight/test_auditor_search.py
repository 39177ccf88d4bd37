"""The auditor's search of the access log: filters, pages of 50, scoping and refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from oversight.views import PAGE_SIZE, TRAIL_PAGE_SIZE
from tests.factories import UserFactory
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LIMA = ZoneInfo("America/Lima")
SEARCH = reverse("oversight:search")


def _found(response) -> list[AccessEvent]:
    return list(response.context["page"].object_list)


def test_it_lists_her_organisations_events_newest_first(client_for, auditor, caseworker):
    older = event(actor=caseworker, case_code="PE-2026-0001", at=datetime(2026, 3, 1, tzinfo=LIMA))
    newer = event(actor=caseworker, case_code="PE-2026-0002", at=datetime(2026, 3, 2, tzinfo=LIMA))

    found = _found(client_for(auditor).get(SEARCH))

    assert found[:2] == [newer, older]


def test_it_filters_by_person_case_action_outcome_and_dates(
    client_for, auditor, caseworker, supervisor
):
    day = datetime(2026, 3, 10, 12, tzinfo=LIMA)
    match = event(actor=caseworker, case_code="PE-2026-0007", at=day)
    event(actor=supervisor, case_code="PE-2026-0007", at=day)  # someone else
    event(actor=caseworker, case_code="PE-2026-0008", at=day)  # another case
    event(actor=caseworker, case_code="PE-2026-0007", action=Action.NOTE_ADDED, at=day)
    event(actor=caseworker, case_code="PE-2026-0007", outcome=Outcome.DENIED, at=day)
    event(actor=caseworker, case_code="PE-2026-0007", at=day - timedelta(days=3))  # too early
    event(actor=caseworker, case_code="PE-2026-0007", at=day + timedelta(days=1))  # too late

    response = client_for(auditor).get(
        SEARCH,
        {
            "person": caseworker.pk,
            "case_code": " pe-2026-0007 ",
            "action": Action.CASE_VIEWED,
            "outcome": Outcome.ALLOWED,
            "date_from": "2026-03-09",
            "date_to": "2026-03-10",
        },
    )

    assert _found(response) == [match]
    assert response.context["filtered"]


def test_the_date_range_is_in_local_time(client_for, auditor, caseworker):
    # 23:30 in Lima on 10 March is 04:30 UTC on 11 March.
    late = event(actor=caseworker, at=datetime(2026, 3, 10, 23, 30, tzinfo=LIMA))

    found = _found(
        client_for(auditor).get(SEARCH, {"date_from": "2026-03-10", "date_to": "2026-03-10"})
    )

    assert found == [late]


def test_an_end_before_the_start_is_an_error_and_finds_nothing(client_for, auditor, caseworker):
    event(actor=caseworker)

    response = client_for(auditor).get(SEARCH, {"date_from": "2026-03-10", "date_to": "2026-03-01"})

    assert response.context["form"].errors["date_to"]
    assert _found(response) == []


def test_a_person_of_another_organisation_cannot_be_picked(client_for, auditor, outsider_admin):
    response = client_for(auditor).get(SEARCH, {"person": outsider_admin.pk})

    assert "person" in response.context["form"].errors
    assert _found(response) == []


def test_pages_hold_fifty_events(client_for, auditor, caseworker):
    for _ in range(51):
        event(actor=caseworker)

    first = client_for(auditor).get(SEARCH, {"action": Action.CASE_VIEWED})
    second = client_for(auditor).get(SEARCH, {"action": Action.CASE_VIEWED, "page": 2})

    assert len(_found(first)) == 50
    assert len(_found(second)) == 1
    assert "action=case.viewed&amp;page=2" in first.content.decode()


def test_the_search_is_itself_recorded_without_what_was_searched(client_for, auditor):
    client_for(auditor).get(SEARCH, {"case_code": "PE-2026-0007"})

    recorded = AccessEvent.objects.filter(action=Action.AUDIT_SEARCHED).get()
    assert recorded.actor == auditor
    assert recorded.case_code == ""
    assert recorded.outcome == Outcome.ALLOWED


def test_an_auditor_of_another_organisation_sees_none_of_these_events(
    client_for, caseworker, other_organization
):
    event(actor=caseworker, case_code="PE-2026-0001")
    foreign_auditor = UserFactory(
        organization=other_organization, role=Role.AUDITOR, username="foreignauditor"
    )

    client = client_for(foreign_auditor)
    searched = _found(client.get(SEARCH, {"case_code": "PE-2026-0001"}))
    everything = _found(client.get(SEARCH))
    by_case = client.get(reverse("oversight:case_access"), {"code": "PE-2026-0001"})

    assert searched == []
    assert all(e.organization_id == other_organization.pk for e in everything)
    assert list(by_case.context["page"].object_list) == []


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "org_admin", "partner"])
@pytest.mark.parametrize(
    "url_name",
    ["search", "export", "case_access", "person_activity", "denied", "grants", "anomalies"],
)
def test_anyone_but_an_auditor_gets_403_and_it_is_recorded(request, client_for, role, url_name):
    user = request.getfixturevalue(role)

    response = client_for(user).get(reverse(f"oversight:{url_name}"))

    assert response.status_code == 403
    refusal = AccessEvent.objects.filter(actor=user, action=Action.AUDIT_ACCESS_DENIED).get()
    assert refusal.outcome == Outcome.DENIED


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(SEARCH)

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("url_name", ["search", "denied", "person_activity", "case_access"])
def test_the_page_costs_the_same_queries_for_10_and_50_rows(
    client_for, auditor, caseworker, url_name
):
    client = client_for(auditor)
    params = {
        "search": {},
        "denied": {},
        "person_activity": {"person": caseworker.pk},
        "case_access": {"code": "PE-2026-0001"},
    }[url_name]
    url = reverse(f"oversight:{url_name}")
    outcome = Outcome.DENIED if url_name == "denied" else Outcome.ALLOWED

    def rows(count: int) -> None:
        for _ in range(count):
            event(actor=caseworker, case_code="PE-2026-0001", outcome=outcome)

    rows(10)
    client.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get(url, params)
    rows(40)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url, params)

    # A trail (a case's or a person's) shows fewer events a page, after its summary.
    full = TRAIL_PAGE_SIZE if url_name in ("person_activity", "case_access") else PAGE_SIZE
    assert len(response.context["page"].object_list) == full
    assert len(first.captured_queries) == len(second.captured_queries)
