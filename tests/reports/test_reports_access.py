"""Who may open the statistics, the monthly report and the exports (issue 13).

Supervisors: everything, over their teams. Org admins: the figures and the report over
their organisation, never an export. Caseworkers, auditors and partners: 403, recorded.
Another organisation's people see nothing of this one's cases.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from reports.suppression import publish
from tests.factories import TeamFactory, UserFactory
from tests.reports.population import add_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

PAGES = ["reports:statistics", "reports:monthly", "reports:cases_export", "reports:ctdc_export"]
FIGURE_PAGES = ["reports:statistics", "reports:monthly"]
EXPORT_PAGES = ["reports:cases_export", "reports:ctdc_export"]


def this_month() -> date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def outsider_supervisor(other_organization):
    user = UserFactory(organization=other_organization, role=Role.SUPERVISOR,
                       username="outsidersupervisor")
    TeamFactory(organization=other_organization, name="Equipo Cusco").supervisors.add(user)
    return user


@pytest.mark.parametrize("page", PAGES)
def test_a_supervisor_opens_every_page(client_for, supervisor, page):
    assert client_for(supervisor).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_an_org_admin_opens_the_figures(client_for, org_admin, page):
    assert client_for(org_admin).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", EXPORT_PAGES)
def test_an_org_admin_may_not_export_cases(client_for, org_admin, page):
    before = AccessEvent.objects.count()
    assert client_for(org_admin).get(reverse(page)).status_code == 403
    assert client_for(org_admin).post(reverse(page), {}).status_code == 403
    denied = AccessEvent.objects.order_by("pk")[before:]
    assert [e.outcome for e in denied] == [Outcome.DENIED, Outcome.DENIED]


@pytest.mark.parametrize("person", ["caseworker", "auditor", "partner"])
@pytest.mark.parametrize("page", PAGES)
def test_other_roles_are_refused_and_recorded(client_for, request, person, page):
    user = request.getfixturevalue(person)
    before = AccessEvent.objects.count()
    response = client_for(user).get(reverse(page))
    assert response.status_code == 403
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.DENIED, user.pk)]


def test_another_organisation_sees_nothing_of_ours(
    client_for, caseworker, supervisor, outsider_supervisor, outsider_admin
):
    add_cases(caseworker, 40, opened_on=this_month())
    ours = publish(40).label
    assert ours in client_for(supervisor).get(reverse("reports:statistics")).content.decode()
    for outsider in (outsider_supervisor, outsider_admin):
        html = client_for(outsider).get(reverse("reports:statistics")).content.decode()
        assert ours not in html
        assert "Equipo Lima" not in html  # not even our team's name


def test_a_team_of_another_organisation_cannot_be_chosen(
    client_for, supervisor, outsider_supervisor, caseworker
):
    add_cases(caseworker, 40, opened_on=this_month())
    their_team = outsider_supervisor.supervised_teams.get()
    our_team = supervisor.supervised_teams.get()
    before = AccessEvent.objects.count()
    response = client_for(outsider_supervisor).get(
        reverse("reports:statistics"), {"team": our_team.pk}
    )
    assert response.status_code == 200
    assert "result" not in response.context
    assert response.context["form"].errors["team"]
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose) for e in events] == [
        (Action.STATISTICS_VIEWED, "invalid_filters")
    ]
    assert their_team.pk != our_team.pk


def test_a_supervisor_sees_only_the_teams_she_supervises(
    client_for, organization, supervisor, caseworker
):
    other_team = TeamFactory(organization=organization, name="Equipo Norte")
    colleague = UserFactory(organization=organization, role=Role.CASEWORKER, username="norte")
    other_team.members.add(colleague)
    add_cases(colleague, 40, team=other_team, opened_on=this_month())
    add_cases(caseworker, 12, opened_on=this_month())
    response = client_for(supervisor).get(reverse("reports:statistics"))
    assert response.context["result"].cases.rows[0].band == publish(12)
    assert "Equipo Norte" not in response.content.decode()
    # ... and choosing that team by its id is refused like any unknown choice.
    response = client_for(supervisor).get(reverse("reports:statistics"), {"team": other_team.pk})
    assert response.context["form"].errors["team"]


def test_an_org_admin_sees_every_team_of_her_organisation(
    client_for, organization, org_admin, caseworker
):
    other_team = TeamFactory(organization=organization, name="Equipo Norte")
    colleague = UserFactory(organization=organization, role=Role.CASEWORKER, username="norte")
    other_team.members.add(colleague)
    add_cases(colleague, 40, team=other_team, opened_on=this_month())
    add_cases(caseworker, 12, opened_on=this_month())
    response = client_for(org_admin).get(reverse("reports:statistics"))
    assert response.context["result"].cases.rows[0].band == publish(52)


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_each_look_at_the_figures_is_one_event(client_for, supervisor, page):
    before = AccessEvent.objects.count()
    client_for(supervisor).get(reverse(page))
    events = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.ALLOWED, supervisor.pk)]


@pytest.mark.parametrize("person", ["supervisor", "org_admin"])
def test_the_home_links_to_the_statistics(client_for, request, person):
    html = client_for(request.getfixturevalue(person)).get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:statistics")}"' in html


@pytest.mark.parametrize("person", ["caseworker", "auditor", "partner"])
def test_other_homes_do_not_offer_the_statistics(client_for, request, person):
    html = client_for(request.getfixturevalue(person)).get(reverse("home")).content.decode()
    assert reverse("reports:statistics") not in html
