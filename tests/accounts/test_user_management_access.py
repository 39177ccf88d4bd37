"""Only an organisation's administrator manages its people and teams, and only its own.

The three standard people: the owner (the org admin), colleagues of the same organisation
in other roles (403), and an outsider, the admin of another organisation (404).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, Role, Team, User
from tests.factories import TEST_PASSWORD, UserFactory, enrol_totp

USER_PAGES = ["accounts:user_edit"]
USER_ACTIONS = [
    "accounts:user_deactivate",
    "accounts:user_reactivate",
    "accounts:user_reset_two_factor",
    "accounts:user_reset_password",
    "accounts:user_resend_invitation",
]


@pytest.fixture
def colleague(organization, team):
    """The person being managed: a caseworker of the org admin's organisation."""
    person = UserFactory(
        organization=organization,
        role=Role.CASEWORKER,
        username="colleague",
        email="colleague@example.org",
    )
    team.members.add(person)
    enrol_totp(person)
    return person


def _management_urls(colleague: User, team: Team) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounts:user_list")),
        ("get", reverse("accounts:user_create")),
        ("post", reverse("accounts:user_create")),
        ("get", reverse("accounts:user_edit", args=[colleague.pk])),
        ("post", reverse("accounts:user_edit", args=[colleague.pk])),
        ("post", reverse("accounts:user_deactivate", args=[colleague.pk])),
        ("post", reverse("accounts:user_reactivate", args=[colleague.pk])),
        ("post", reverse("accounts:user_reset_two_factor", args=[colleague.pk])),
        ("post", reverse("accounts:user_reset_password", args=[colleague.pk])),
        ("post", reverse("accounts:user_resend_invitation", args=[colleague.pk])),
        ("get", reverse("accounts:team_list")),
        ("get", reverse("accounts:team_create")),
        ("post", reverse("accounts:team_create")),
        ("get", reverse("accounts:team_edit", args=[team.pk])),
        ("post", reverse("accounts:team_edit", args=[team.pk])),
    ]


def test_org_admin_reaches_every_management_page(client_for, org_admin, colleague, team):
    client = client_for(org_admin)
    for name in ["accounts:user_list", "accounts:user_create", "accounts:team_list",
                 "accounts:team_create"]:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("accounts:user_edit", args=[colleague.pk])).status_code == 200
    assert client.get(reverse("accounts:team_edit", args=[team.pk])).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR, Role.PARTNER]
)
def test_other_roles_of_the_same_organisation_get_403(
    role, client_for, organization, colleague, team
):
    person = UserFactory(organization=organization, role=role)
    client = client_for(person)
    people_before = User.objects.count()

    for method, url in _management_urls(colleague, team):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)

    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=colleague).exists()
    assert not Invitation.objects.exists()
    assert Team.objects.count() == 1
    assert User.objects.count() == people_before


def test_a_caseworker_gets_403_on_the_people_page(client_for, caseworker):
    response = client_for(caseworker).get(reverse("accounts:user_list"))

    assert response.status_code == 403
    assert "accounts/user_list.html" not in [t.name for t in response.templates]


def test_an_outsider_admin_does_not_see_other_organisations_people(
    client_for, outsider_admin, colleague, team
):
    client = client_for(outsider_admin)

    users = client.get(reverse("accounts:user_list")).context["users"]
    teams = client.get(reverse("accounts:team_list")).context["teams"]

    assert list(users) == [outsider_admin]
    assert list(teams) == []


@pytest.mark.parametrize("name", USER_PAGES)
def test_an_outsider_admin_gets_404_on_another_organisations_user(
    name, client_for, outsider_admin, colleague
):
    client = client_for(outsider_admin)

    assert client.get(reverse(name, args=[colleague.pk])).status_code == 404
    response = client.post(
        reverse(name, args=[colleague.pk]),
        {"role": Role.ORG_ADMIN, "first_name": "Hijacked", "last_name": "", "email": ""},
    )
    assert response.status_code == 404
    colleague.refresh_from_db()
    assert colleague.role == Role.CASEWORKER
    assert colleague.first_name != "Hijacked"


@pytest.mark.parametrize("name", USER_ACTIONS)
def test_an_outsider_admin_cannot_act_on_another_organisations_user(
    name, client_for, outsider_admin, colleague
):
    response = client_for(outsider_admin).post(reverse(name, args=[colleague.pk]))

    assert response.status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=colleague).exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_outsider_admin_gets_404_on_another_organisations_team(
    client_for, outsider_admin, team, caseworker
):
    client = client_for(outsider_admin)
    url = reverse("accounts:team_edit", args=[team.pk])

    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "Taken over", "members": [], "supervisors": []})
    assert response.status_code == 404
    team.refresh_from_db()
    assert team.name == "Equipo Lima"
    assert list(team.members.all()) == [caseworker]


def test_an_admin_cannot_put_another_organisations_team_on_a_person(
    client_for, org_admin, other_organization
):
    foreign_team = Team.objects.create(organization=other_organization, name="Ajeno")

    response = client_for(org_admin).post(
        reverse("accounts:user_create"),
        {
            "username": "nueva",
            "role": Role.CASEWORKER,
            "teams": [foreign_team.pk],
            "email": "nueva@example.org",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["teams"]
    assert not User.objects.filter(username="nueva").exists()


def test_an_admin_cannot_put_another_organisations_people_in_a_team(
    client_for, org_admin, other_organization
):
    foreigner = UserFactory(organization=other_organization, role=Role.CASEWORKER)

    response = client_for(org_admin).post(
        reverse("accounts:team_create"), {"name": "Nuevo", "members": [foreigner.pk]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    assert not Team.objects.filter(name="Nuevo").exists()


def test_a_superuser_is_not_listed_or_managed_by_an_org_admin(client_for, org_admin):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    client = client_for(org_admin)

    assert root not in client.get(reverse("accounts:user_list")).context["users"]
    assert client.get(reverse("accounts:user_edit", args=[root.pk])).status_code == 404
