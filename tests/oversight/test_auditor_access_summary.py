"""The auditor's "who accessed a case" and "a person's activity" answer first who (or
which case), then the raw events one click away (oversight/access_summary.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import Action, Outcome
from oversight.views import TRAIL_PAGE_SIZE
from tests.factories import UserFactory
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LIMA = ZoneInfo("America/Lima")
START = datetime(2026, 3, 2, 9, 0, tzinfo=LIMA)
CODE = "PE-2026-0011"
CASE_URL = reverse("oversight:case_access")
PERSON_URL = reverse("oversight:person_activity")


def _views(person, count, *, code=CODE, start=START):
    for minute in range(count):
        event(actor=person, case_code=code, at=start + timedelta(minutes=minute))


def test_each_person_is_one_line_with_role_first_last_and_counts_by_action(
    client_for, auditor, caseworker, supervisor
):
    _views(caseworker, 12)
    event(actor=caseworker, action=Action.NOTE_ADDED, case_code=CODE, at=START + timedelta(days=2))
    event(actor=supervisor, case_code=CODE, at=START + timedelta(hours=1))
    event(actor=supervisor, case_code=CODE, outcome=Outcome.DENIED, at=START + timedelta(hours=2))
    nightshift = UserFactory(organization=caseworker.organization, role=Role.CASEWORKER,
                             username="nightshift")
    event(actor=nightshift, action=Action.EMERGENCY_ACCESS_GRANTED, case_code=CODE,
          at=START + timedelta(hours=3))
    event(actor=caseworker, case_code="PE-2026-0012")  # another case

    response = client_for(auditor).get(CASE_URL, {"code": CODE})

    lines = {line.key: line for line in response.context["summary"]}
    assert set(lines) == {"caseworker", "supervisor", "nightshift"}
    hers = lines["caseworker"]
    assert (hers.total, hers.first_at, hers.last_at) == (13, START, START + timedelta(days=2))
    assert {(a.action, a.count) for a in hers.actions} == {
        (Action.CASE_VIEWED.value, 12), (Action.NOTE_ADDED.value, 1)
    }
    assert hers.role == Role.CASEWORKER and hers.organization == caseworker.organization.name
    assert not hers.flagged
    assert lines["supervisor"].denied == 1 and lines["supervisor"].flagged
    assert lines["nightshift"].emergency == 1 and lines["nightshift"].flagged
    page = response.content.decode()
    assert "access-summary__flagged" in page
    assert "who=caseworker#events" in page


def test_the_raw_events_of_one_person_are_one_click_away_and_paginated(
    client_for, auditor, caseworker, supervisor
):
    _views(caseworker, 60)
    event(actor=supervisor, case_code=CODE)
    client = client_for(auditor)

    hers = client.get(CASE_URL, {"code": CODE, "who": "caseworker"})
    second = client.get(CASE_URL, {"code": CODE, "who": "caseworker", "page": 2})

    assert hers.context["page"].paginator.count == 60
    assert {e.actor_username for e in hers.context["page"].object_list} == {"caseworker"}
    assert len(second.context["page"].object_list) == TRAIL_PAGE_SIZE
    assert hers.context["page"].paginator.num_pages == 60 // TRAIL_PAGE_SIZE
    assert len(hers.context["summary"]) == 2  # the summary still names everyone


def test_the_summary_costs_the_same_queries_for_few_or_many_events(
    client_for, auditor, caseworker, supervisor
):
    client = client_for(auditor)
    _views(caseworker, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(CASE_URL, {"code": CODE})
    _views(caseworker, 80, start=START + timedelta(days=1))
    _views(supervisor, 30)
    for _number in range(5):
        person = UserFactory(organization=caseworker.organization, role=Role.CASEWORKER)
        _views(person, 3)

    with CaptureQueriesContext(connection) as many:
        response = client.get(CASE_URL, {"code": CODE})

    # Seven people, and the auditor herself: her earlier reading of this case is in its trail.
    assert len(response.context["summary"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_persons_activity_is_summed_up_by_case(client_for, auditor, caseworker, supervisor):
    _views(caseworker, 4)
    _views(caseworker, 2, code="PE-2026-0012")
    event(actor=caseworker, case_code="PE-2026-0013", outcome=Outcome.DENIED)
    _views(supervisor, 3)

    response = client_for(auditor).get(PERSON_URL, {"person": caseworker.pk})
    on_one_case = client_for(auditor).get(PERSON_URL, {"person": caseworker.pk,
                                                       "case": "PE-2026-0012"})

    totals = {line.key: (line.total, line.denied) for line in response.context["summary"]}
    assert totals == {CODE: (4, 0), "PE-2026-0012": (2, 0), "PE-2026-0013": (1, 1)}
    assert {e.case_code for e in on_one_case.context["page"].object_list} == {"PE-2026-0012"}
    assert on_one_case.context["page"].paginator.count == 2


def test_only_the_auditor_reads_the_summary_and_only_of_her_organisation(
    client_for, auditor, caseworker, supervisor, partner
):
    _views(caseworker, 2)
    _views(partner, 2)  # the same code in the partner's organisation is another case
    outsider_auditor = UserFactory(organization=partner.organization, role=Role.AUDITOR)

    assert client_for(caseworker).get(CASE_URL, {"code": CODE}).status_code == 403
    assert client_for(supervisor).get(PERSON_URL, {"person": caseworker.pk}).status_code == 403
    mine = client_for(auditor).get(CASE_URL, {"code": CODE}).context["summary"]
    theirs = client_for(outsider_auditor).get(CASE_URL, {"code": CODE}).context["summary"]
    assert [line.key for line in mine] == ["caseworker"]
    assert [line.key for line in theirs] == ["partner"]
