"""The homes on a phone (issue 18): each list shows its first rows, its count and a link to
the rest, which is paginated; the lists after the first are folded under their counts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.services import work
from workspace.dashboards import FOLLOW_UPS_PER_PAGE, SECTION_ROWS

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _overdue_follow_ups(case, person, count):
    today = timezone.localdate()
    for days in range(count):
        work.add_follow_up(
            actor=person,
            case=case,
            kind="check_in",
            due_on=today - timedelta(days=days + 1),
            assignee=person,
        )


def _folds(html: str) -> list[tuple[bool, str]]:
    """Each fold of the page: whether it is open, and its heading's id."""
    return [
        (bool(opened), heading)
        for opened, heading in re.findall(
            r'<details class="case-fold dash-fold"( open)?>\s*<summary><h2 id="([^"]+)"', html
        )
    ]


def test_her_home_shows_the_first_follow_ups_with_their_count_and_a_link_to_all(
    make_case, caseworker, client_for
):
    case = make_case(caseworker)
    _overdue_follow_ups(case, caseworker, FOLLOW_UPS_PER_PAGE + 1)
    response = client_for(caseworker).get("/")
    html = response.content.decode()
    assert len(response.context["follow_ups"]) == SECTION_ROWS
    assert response.context["due_count"] == FOLLOW_UPS_PER_PAGE + 1
    assert response.context["overdue_count"] == FOLLOW_UPS_PER_PAGE + 1
    assert f'<span class="count">({FOLLOW_UPS_PER_PAGE + 1})</span>' in html
    assert 'href="/follow-ups/"' in html


def test_the_rest_of_her_follow_ups_is_paginated(make_case, caseworker, client_for):
    case = make_case(caseworker)
    _overdue_follow_ups(case, caseworker, FOLLOW_UPS_PER_PAGE + 1)
    client = client_for(caseworker)
    first = client.get("/follow-ups/")
    assert len(first.context["follow_ups"]) == FOLLOW_UPS_PER_PAGE
    assert '<nav class="pagination"' in first.content.decode()
    second = client.get("/follow-ups/?show=overdue&page=2")
    assert len(second.context["follow_ups"]) == 1


def test_her_home_shows_the_first_open_cases_with_their_count_and_a_link_to_all(
    make_case, caseworker, client_for
):
    for _ in range(SECTION_ROWS + 2):
        make_case(caseworker)
    response = client_for(caseworker).get("/")
    assert len(response.context["open_rows"]) == SECTION_ROWS
    assert response.context["open_count"] == SECTION_ROWS + 2
    html = response.content.decode()
    assert f"See all {SECTION_ROWS + 2} of your open cases" in html
    assert f"/cases/?owner={caseworker.pk}&amp;status=open&amp;status=follow_up" in html


def test_her_home_opens_the_follow_ups_and_folds_the_other_lists(caseworker, client_for):
    folds = _folds(client_for(caseworker).get("/").content.decode())
    assert folds[0] == (True, "follow-ups-title")
    assert len(folds) >= 4
    assert not any(opened for opened, _heading in folds[1:])


def test_the_team_home_shows_the_first_overdue_follow_ups_and_a_link_to_all(
    make_case, caseworker, supervisor, client_for
):
    case = make_case(caseworker)
    _overdue_follow_ups(case, caseworker, SECTION_ROWS + 2)
    response = client_for(supervisor).get("/")
    assert len(response.context["follow_ups"]) == SECTION_ROWS
    assert response.context["overdue_count"] == SECTION_ROWS + 2
    html = response.content.decode()
    assert f'<span class="count">({SECTION_ROWS + 2})</span>' in html
    assert 'href="/cases/?only=overdue"' in html


def test_the_team_home_opens_the_referrals_to_approve_and_folds_the_other_lists(
    supervisor, client_for
):
    folds = _folds(client_for(supervisor).get("/").content.decode())
    assert folds[0] == (True, "approve-title")
    assert len(folds) >= 10
    assert not any(opened for opened, _heading in folds[1:])


def test_a_colleague_sees_none_of_her_follow_ups_on_his_home(
    make_case, caseworker, teammate, client_for
):
    case = make_case(caseworker)
    _overdue_follow_ups(case, caseworker, 2)
    response = client_for(teammate).get("/")
    assert response.context["follow_ups"] == []
    assert response.context["due_count"] == 0
