"""Filters of the case list: status, risk, child, overdue follow-up, team, owner, code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import vocabularies as v
from cases.services import management, work
from cases.services.intake import Guardian
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def codes(response) -> set[str]:
    return {case.code for case in response.context["rows"]}


@pytest.fixture
def cases(make_case, caseworker, supervisor):
    today = timezone.localdate()
    plain = make_case(caseworker, given_names="Ana")
    risky = make_case(caseworker, given_names="Bea")
    work.record_risk_assessment(
        actor=caseworker,
        case=risky,
        assessed_on=today,
        level="critical",
        factors=[],
        next_review_on=today,
    )
    child = make_case(
        caseworker,
        given_names="Cata",
        birth_date=None,
        estimated_age=15,
        guardian=Guardian(name="Rosa", relationship="madre"),
    )
    late = make_case(caseworker, given_names="Dora")
    work.add_follow_up(
        actor=caseworker,
        case=late,
        kind="check_in",
        due_on=today - timedelta(days=2),
        assignee=caseworker,
    )
    closed = make_case(caseworker, given_names="Eva")
    management.close_case(
        actor=caseworker, case=closed, status=v.CaseStatus.CLOSED, reason=v.ClosureReason.GOALS_MET
    )
    return {"plain": plain, "risky": risky, "child": child, "late": late, "closed": closed}


def test_without_filters_it_lists_every_case_she_may_see(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/")
    assert codes(response) == {case.code for case in cases.values()}


def test_it_filters_by_status(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?status=closed")
    assert codes(response) == {cases["closed"].code}


def test_it_filters_by_risk(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?risk=critical&risk=high")
    assert codes(response) == {cases["risky"].code}


def test_it_filters_childrens_cases(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?only=child")
    assert codes(response) == {cases["child"].code}
    assert "badge--child" in response.content.decode()


def test_it_filters_cases_with_an_overdue_follow_up_and_marks_it(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?only=overdue")
    assert codes(response) == {cases["late"].code}
    assert 'class="overdue"' in response.content.decode()


def test_it_filters_cases_whose_risk_review_is_overdue(cases, caseworker, client_for):
    case = cases["risky"]
    case.next_risk_review_on = timezone.localdate() - timedelta(days=1)
    case.save(update_fields=["next_risk_review_on"])
    response = client_for(caseworker).get("/cases/?only=review_overdue")
    assert codes(response) == {case.code}


def test_it_finds_a_case_by_its_whole_code_its_beginning_or_its_number(
    cases, caseworker, client_for
):
    client = client_for(caseworker)
    case = cases["late"]
    assert codes(client.get(f"/cases/?code={case.code}")) == {case.code}
    assert codes(client.get(f"/cases/?code={case.code.lower()}")) == {case.code}
    assert codes(client.get(f"/cases/?code={case.code[:-1]}")) >= {case.code}
    number = str(int(case.code.rsplit("-", 1)[1]))
    assert codes(client.get(f"/cases/?code={number}")) == {case.code}


def test_a_code_with_odd_characters_is_refused_with_a_message(cases, caseworker, client_for):
    response = client_for(caseworker).get("/cases/?code=PE%25' OR 1=1")
    assert response.status_code == 200
    assert "code" in response.context["filters"].errors


def test_it_filters_by_team_and_owner_among_her_supervisors_teams(
    make_case, organization, supervisor, team, caseworker, client_for
):
    from accounts.models import Role
    from tests.factories import UserFactory

    second_team = TeamFactory(organization=organization, name="Equipo Cusco")
    second_team.supervisors.add(supervisor)
    colleague = UserFactory(organization=organization, role=Role.CASEWORKER)
    second_team.members.add(colleague)
    mine = make_case(caseworker)
    theirs = make_case(colleague)
    client = client_for(supervisor)
    assert codes(client.get("/cases/")) == {mine.code, theirs.code}
    assert codes(client.get(f"/cases/?team={second_team.pk}")) == {theirs.code}
    assert codes(client.get(f"/cases/?owner={caseworker.pk}")) == {mine.code}


def test_a_team_she_is_not_in_is_not_a_choice(cases, caseworker, organization, client_for):
    elsewhere = TeamFactory(organization=organization, name="Ajeno")
    response = client_for(caseworker).get(f"/cases/?team={elsewhere.pk}")
    assert response.status_code == 200
    assert "team" in response.context["filters"].errors
    assert "Ajeno" not in response.content.decode()


def test_do_not_contact_shows_in_the_row(make_case, caseworker, client_for):
    from cases.services.intake import SafeContact, update_safe_contact

    case = make_case(caseworker)
    update_safe_contact(
        actor=caseworker, case=case, contact=SafeContact(channel=v.ContactChannel.DO_NOT_CONTACT)
    )
    response = client_for(caseworker).get("/cases/?only=do_not_contact")
    assert codes(response) == {case.code}
    assert "badge--stop" in response.content.decode()
