"""Assigning and reassigning a case (supervisors of its team)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.models import Case, FollowUp
from cases.services.management import assign_case
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that read the pages in English (the messages asserted below)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def colleague(organization, team):
    user = UserFactory(
        organization=organization,
        role=Role.CASEWORKER,
        username="colleague",
        email="colleague@example.org",
        first_name="Rosa",
        last_name="Quispe",
    )
    team.members.add(user)
    return user


@pytest.fixture
def other_team_member(organization, supervisor):
    """A caseworker of a second team that the same supervisor leads."""
    second = TeamFactory(organization=organization, name="Equipo Arequipa")
    second.supervisors.add(supervisor)
    user = UserFactory(
        organization=organization,
        role=Role.CASEWORKER,
        username="arequipa",
        email="arequipa@example.org",
    )
    second.members.add(user)
    return user


def url(case):
    return reverse("cases:assign", kwargs={"case_id": case.pk})


def test_it_lets_the_supervisor_reassign_and_tells_the_new_caseworker(
    client_for, supervisor, case, colleague, team, django_capture_on_commit_callbacks
):
    client = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(case), {"assignee": f"{team.pk}:{colleague.pk}"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == colleague
    assert (
        AccessEvent.objects.filter(
            action=Action.CASE_ASSIGNED, case_code=case.code, purpose="reassigned"
        ).count()
        == 1
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["colleague@example.org"]
    assert case.code in message.body
    assert str(case.pk) in message.body  # the link
    assert "María" not in message.body and "Pérez" not in message.body


def test_it_moves_the_case_to_another_team_she_supervises(
    client_for, supervisor, case, other_team_member
):
    second = other_team_member.teams.get()
    response = client_for(supervisor).post(
        url(case), {"assignee": f"{second.pk}:{other_team_member.pk}"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.owner, case.team) == (other_team_member, second)
    assert AccessEvent.objects.filter(action=Action.CASE_ASSIGNED, purpose="moved_team").exists()


def test_open_follow_ups_of_the_previous_caseworker_move_with_the_case(
    supervisor, caseworker, case, colleague, team
):
    open_one = FollowUp.objects.create(
        case=case,
        survivor_id=case.survivor_id,
        kind="check_in",
        due_on="2030-01-01",
        assignee=caseworker,
        created_by=caseworker,
    )
    assign_case(actor=supervisor, case=case, owner=colleague, team=team)
    open_one.refresh_from_db()
    assert open_one.assignee == colleague


def test_the_form_offers_only_people_of_her_teams(
    client_for, supervisor, case, colleague, outsider
):
    response = client_for(supervisor).get(url(case))
    assert response.status_code == 200
    assert colleague.display_name in response.content.decode()
    assert outsider.display_name not in response.content.decode()
    assert (
        AccessEvent.objects.filter(
            action=Action.CASE_VIEWED, case_code=case.code, purpose="assign"
        ).count()
        == 1
    )


def test_a_choice_not_offered_is_refused_and_nothing_changes(
    client_for, supervisor, case, outsider, team
):
    response = client_for(supervisor).post(url(case), {"assignee": f"{team.pk}:{outsider.pk}"})
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert Case.objects.get(pk=case.pk).owner_id == case.owner_id
    assert not AccessEvent.objects.filter(action=Action.CASE_ASSIGNED).exists()


def test_the_owner_cannot_assign_her_own_case(client_for, caseworker, case, colleague, team):
    response = client_for(caseworker).post(url(case), {"assignee": f"{team.pk}:{colleague.pk}"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).owner == caseworker


def test_the_read_only_colleague_gets_403(client_for, viewer, case):
    assert client_for(viewer).get(url(case)).status_code == 403


def test_an_outsider_gets_404_and_it_is_recorded(client_for, outsider, case):
    assert client_for(outsider).get(url(case)).status_code == 404
    assert AccessEvent.objects.filter(actor=outsider, outcome=Outcome.DENIED).exists()


def test_the_service_refuses_a_supervisor_of_another_team(other_supervisor, case, colleague, team):
    with pytest.raises(PermissionDenied):
        assign_case(actor=other_supervisor, case=case, owner=colleague, team=team)


def test_the_service_refuses_someone_outside_the_team(supervisor, case, outsider, team):
    with pytest.raises(ValidationError):
        assign_case(actor=supervisor, case=case, owner=outsider, team=team)


def test_a_mail_failure_does_not_undo_the_assignment(
    supervisor, case, colleague, team, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.cases.test_manage_assign.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assign_case(actor=supervisor, case=case, owner=colleague, team=team)
    case.refresh_from_db()
    assert case.owner == colleague
    assert case.code in caplog.text
    assert "María" not in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_status_values_are_untouched_by_assignment(supervisor, case, colleague, team):
    assign_case(actor=supervisor, case=case, owner=colleague, team=team)
    assert Case.objects.get(pk=case.pk).status == v.CaseStatus.OPEN
