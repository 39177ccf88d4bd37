"""The caseworker's "my follow-ups" page: overdue, upcoming and done, a page at a time, on
open and closed cases alike (workspace.dashboards.my_follow_ups)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.services import management, work
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=LIMA)
TODAY = date(2026, 6, 10)
URL = reverse("my_follow_ups")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _follow_up(case, actor, days, assignee=None):
    return work.add_follow_up(actor=actor, case=case, kind="check_in",
                              due_on=TODAY + timedelta(days=days), assignee=assignee or actor)


def _codes_and_dates(response):
    return [(f.case.code, f.due_on) for f in response.context["follow_ups"]]


def test_overdue_upcoming_and_done_are_listed_apart_even_after_a_closure(
    make_case, caseworker, client_for
):
    case = make_case(caseworker, given_names="Yuleisy")
    overdue = _follow_up(case, caseworker, -40)
    done = _follow_up(case, caseworker, -5)
    work.complete_follow_up(actor=caseworker, case=case, follow_up=done,
                            outcome=v.FollowUpOutcome.REACHED_SAFE)
    far = _follow_up(case, caseworker, 45)  # beyond the home's seven days
    management.close_case(actor=caseworker, case=case, status=v.CaseStatus.CLOSED,
                          reason=v.ClosureReason.GOALS_MET, check_ins=[TODAY + timedelta(days=30)])
    client = client_for(caseworker)

    first = client.get(URL)
    upcoming = client.get(URL, {"show": "upcoming"})
    finished = client.get(URL, {"show": "done"})

    assert first.context["view"] == "overdue"  # what needs her first
    assert _codes_and_dates(first) == [(case.code, overdue.due_on)]
    assert _codes_and_dates(upcoming) == [(case.code, TODAY + timedelta(days=30)),
                                          (case.code, far.due_on)]
    assert _codes_and_dates(finished) == [(case.code, done.due_on)]
    assert "Yuleisy" in upcoming.content.decode()
    assert dict((name, count) for name, _label, count in first.context["views"]) == {
        "overdue": 1, "upcoming": 2, "done": None,
    }


def test_the_list_is_paginated_and_its_query_count_does_not_grow(
    make_case, caseworker, client_for
):
    case = make_case(caseworker)
    for day in range(3):
        _follow_up(case, caseworker, day + 1)
    client = client_for(caseworker)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"show": "upcoming"})
    for day in range(3, 30):
        _follow_up(make_case(caseworker) if day % 5 == 0 else case, caseworker, day + 1)

    with CaptureQueriesContext(connection) as many:
        page_one = client.get(URL, {"show": "upcoming"})
    page_two = client.get(URL, {"show": "upcoming", "page": 2})

    assert len(page_one.context["follow_ups"]) == 25
    assert len(page_two.context["follow_ups"]) == 5
    assert b'rel="next"' in page_one.content and b"show=upcoming&amp;page=2" in page_one.content
    assert len(many.captured_queries) == len(few.captured_queries)


def test_only_her_own_follow_ups_show_and_each_visit_is_recorded(
    make_case, caseworker, teammate, client_for
):
    case = make_case(caseworker)
    _follow_up(case, caseworker, 3, assignee=caseworker)
    mine_before = AccessEvent.objects.filter(action=Action.CASE_LIST_VIEWED).count()

    theirs = client_for(teammate).get(URL, {"show": "upcoming"})
    mine = client_for(caseworker).get(URL, {"show": "upcoming"})

    assert theirs.status_code == 200 and theirs.context["follow_ups"] == []
    assert len(mine.context["follow_ups"]) == 1
    events = AccessEvent.objects.filter(action=Action.CASE_LIST_VIEWED).order_by("pk")
    assert events.count() == mine_before + 2
    assert events.last().purpose == "follow_ups" and events.last().case_code == ""


def test_an_outsider_sees_none_of_them_and_roles_without_follow_ups_are_refused(
    make_case, caseworker, other_organization, auditor, client_for, client
):
    _follow_up(make_case(caseworker), caseworker, 3)
    outsider = UserFactory(organization=other_organization, role=Role.CASEWORKER)

    assert client_for(outsider).get(URL, {"show": "upcoming"}).context["follow_ups"] == []
    assert client_for(auditor).get(URL).status_code == 403
    assert AccessEvent.objects.filter(actor=auditor, outcome=Outcome.DENIED).exists()
    assert client.get(URL).status_code == 302


def test_the_home_links_to_every_follow_up(caseworker, client_for):
    response = client_for(caseworker).get(reverse("home"))

    assert URL.encode() in response.content
