"""An organisation's administrator makes teams and says who works and supervises in them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, Team
from tests.accounts.helpers import in_english
from tests.factories import TeamFactory, UserFactory

DUPLICATE = "Your organisation already has a team with this name."


@pytest.fixture
def admin_client(client_for, org_admin):
    return in_english(client_for(org_admin))


def test_admin_creates_a_team(admin_client, organization, caseworker, supervisor):
    response = admin_client.post(
        reverse("accounts:team_create"),
        {"name": "Seguimiento", "members": [caseworker.pk], "supervisors": [supervisor.pk]},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:team_list")
    team = Team.objects.get(name="Seguimiento")
    assert team.organization == organization
    assert list(team.members.all()) == [caseworker]
    assert list(team.supervisors.all()) == [supervisor]


def test_admin_renames_a_team_and_changes_its_people(admin_client, team, caseworker, organization):
    newcomer = UserFactory(organization=organization, role=Role.CASEWORKER)

    response = admin_client.post(
        reverse("accounts:team_edit", args=[team.pk]),
        {"name": "Equipo Callao", "members": [newcomer.pk], "supervisors": []},
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Equipo Callao"
    assert list(team.members.all()) == [newcomer]


def test_saving_a_team_under_its_own_name_is_fine(admin_client, team):
    response = admin_client.post(
        reverse("accounts:team_edit", args=[team.pk]), {"name": team.name}
    )

    assert response.status_code == 302


@pytest.mark.parametrize("name", ["Equipo Lima", "equipo lima", "  Equipo Lima  "])
def test_a_duplicate_team_name_is_refused_with_a_clear_message(admin_client, team, name):
    response = admin_client.post(reverse("accounts:team_create"), {"name": name})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE]
    assert DUPLICATE in response.content.decode()
    assert Team.objects.count() == 1


def test_renaming_onto_another_teams_name_is_refused(admin_client, team, organization):
    other = TeamFactory(organization=organization, name="Seguimiento")

    response = admin_client.post(
        reverse("accounts:team_edit", args=[other.pk]), {"name": "Equipo Lima"}
    )

    assert response.context["form"].errors["name"] == [DUPLICATE]
    other.refresh_from_db()
    assert other.name == "Seguimiento"


def test_another_organisation_may_use_the_same_team_name(client_for, outsider_admin, team):
    response = client_for(outsider_admin).post(
        reverse("accounts:team_create"), {"name": "Equipo Lima"}
    )

    assert response.status_code == 302
    assert Team.objects.filter(name="Equipo Lima").count() == 2


def test_only_caseworkers_can_be_members_and_only_supervisors_supervise(
    admin_client, caseworker, supervisor, auditor
):
    response = admin_client.post(
        reverse("accounts:team_create"),
        {"name": "Mixto", "members": [supervisor.pk, auditor.pk], "supervisors": [caseworker.pk]},
    )

    form = response.context["form"]
    assert form.errors["members"]
    assert form.errors["supervisors"]
    assert not Team.objects.filter(name="Mixto").exists()


def test_deactivated_people_are_not_offered(admin_client, caseworker):
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])

    form = admin_client.get(reverse("accounts:team_create")).context["form"]

    assert caseworker not in form.fields["members"].queryset


def test_an_empty_name_is_refused(admin_client):
    response = admin_client.post(reverse("accounts:team_create"), {"name": "   "})

    assert response.context["form"].errors["name"]
    assert not Team.objects.exists()


def test_the_team_list_takes_the_same_queries_however_many_teams(admin_client, organization):
    url = reverse("accounts:team_list")
    TeamFactory(organization=organization)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(5):
        team = TeamFactory(organization=organization)
        team.members.add(UserFactory(organization=organization))
        team.supervisors.add(UserFactory(organization=organization, role=Role.SUPERVISOR))

    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)

    assert len(many) == len(few)
