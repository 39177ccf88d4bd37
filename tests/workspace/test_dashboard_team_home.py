"""The supervisor's team home: caseload, high risk, children, overdue work of her teams."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases.services import work
from cases.services.intake import Guardian

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def team_cases(make_case, caseworker):
    today = timezone.localdate()
    risky = make_case(caseworker, given_names="Andreína")
    work.record_risk_assessment(
        actor=caseworker,
        case=risky,
        assessed_on=today - timedelta(days=30),
        level="high",
        factors=[],
        next_review_on=today - timedelta(days=2),
    )
    child = make_case(
        caseworker,
        given_names="Nairobi",
        birth_date=None,
        estimated_age=16,
        guardian=Guardian(name="Tía Marbelis", relationship="tía"),
    )
    late = make_case(caseworker, given_names="Luisana")
    work.add_follow_up(
        actor=caseworker,
        case=late,
        kind="medical",
        due_on=today - timedelta(days=4),
        assignee=caseworker,
    )
    return {"risky": risky, "child": child, "late": late}


def test_a_supervisor_without_teams_is_told_so(organization, client_for):
    from accounts.models import Role
    from tests.factories import UserFactory

    lonely = UserFactory(organization=organization, role=Role.SUPERVISOR)
    response = client_for(lonely).get("/")
    assert response.status_code == 200
    assert response.context["teams"] == []


def test_it_shows_each_section_of_her_teams(team_cases, supervisor, caseworker, client_for):
    response = client_for(supervisor).get("/")
    assert response.templates[0].name == "workspace/team_home.html"
    context = response.context
    assert [c.code for c in context["high_rows"]] == [team_cases["risky"].code]
    assert [c.code for c in context["review_rows"]] == [team_cases["risky"].code]
    assert [c.code for c in context["child_rows"]] == [team_cases["child"].code]
    assert [f.case.code for f in context["follow_ups"]] == [team_cases["late"].code]
    (load,) = context["caseload"]
    assert load.person == caseworker and load.count("open") == 3 and load.total == 3
    body = response.content.decode()
    assert "Andreína" in body and "Nairobi" in body and "Luisana" in body


def test_another_teams_supervisor_sees_none_of_it(team_cases, other_supervisor, client_for):
    response = client_for(other_supervisor).get("/")
    context = response.context
    assert not (
        context["high_rows"]
        or context["child_rows"]
        or context["follow_ups"]
        or context["review_rows"]
        or context["caseload"]
    )
    assert "Andreína" not in response.content.decode()


def test_each_visit_leaves_one_page_event_and_one_per_case_it_names(
    team_cases, supervisor, client_for
):
    client = client_for(supervisor)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    context = client.get("/").context
    page, *sightings = AccessEvent.objects.filter(pk__gt=before).order_by("pk")
    assert (page.action, page.purpose, page.case_code) == (
        Action.CASE_LIST_VIEWED,
        "dashboard",
        "",
    )
    # Each case whose name the page shows, once (cases.sightings), with its code only.
    rows = [*context["high_rows"], *context["child_rows"], *context["review_rows"]]
    named = {case.code for case in [*rows, *(f.case for f in context["follow_ups"])]}
    assert named
    assert sorted((e.action, e.purpose, e.case_code) for e in sightings) == sorted(
        (Action.CASE_LISTED, "dashboard", code) for code in named
    )


@pytest.mark.parametrize("role", ["auditor", "org_admin"])
def test_people_without_a_case_role_keep_their_own_home(team_cases, role, request, client_for):
    person = request.getfixturevalue(role)
    response = client_for(person).get("/")
    assert response.status_code == 200
    assert "Andreína" not in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.CASE_LIST_VIEWED, actor=person).exists()
