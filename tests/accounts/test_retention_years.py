"""The org admin sets how many years her organisation keeps a closed case before its
retention review (cases.services.retention): validated, recorded, her own only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Organization, Role
from accounts.services import set_retention_years
from audit.models import AccessEvent, Action
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

URL = reverse("accounts:retention")


def test_an_organisation_keeps_closed_cases_five_years_unless_told(organization):
    assert Organization.objects.get(pk=organization.pk).retention_years == 5


def test_the_org_admin_changes_it_and_it_is_recorded(client_for, org_admin, organization):
    client = client_for(org_admin)
    assert client.get(URL).status_code == 200

    response = client.post(URL, {"retention_years": "7"})

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.retention_years == 7
    event = AccessEvent.objects.get(action=Action.ORGANIZATION_UPDATED)
    assert (event.actor_id, event.purpose, event.target_id) == (
        org_admin.pk, "retention_years", str(organization.pk))


@pytest.mark.parametrize("value", ["0", "51", "", "cinco", "-3"])
def test_a_number_outside_1_to_50_is_refused_in_spanish_and_changes_nothing(
    client_for, org_admin, organization, value
):
    response = client_for(org_admin).post(URL, {"retention_years": value},
                                          HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert "Indique un número de años entre 1 y 50." in response.content.decode()
    organization.refresh_from_db()
    assert organization.retention_years == 5
    assert not AccessEvent.objects.filter(action=Action.ORGANIZATION_UPDATED).exists()


def test_the_service_refuses_what_the_model_refuses(org_admin, organization):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        set_retention_years(actor=org_admin, retention_years=0)
    organization.refresh_from_db()
    assert organization.retention_years == 5


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER, Role.AUDITOR])
def test_other_roles_of_her_organisation_get_403(client_for, organization, role):
    person = UserFactory(organization=organization, role=role, username=f"p-{role}")
    client = client_for(person)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"retention_years": "9"}).status_code == 403
    organization.refresh_from_db()
    assert organization.retention_years == 5


def test_another_organisations_admin_changes_only_her_own(client_for, outsider_admin,
                                                          organization, other_organization):
    assert client_for(outsider_admin).post(URL, {"retention_years": "9"}).status_code == 302
    organization.refresh_from_db()
    other_organization.refresh_from_db()
    assert (organization.retention_years, other_organization.retention_years) == (5, 9)


def test_her_home_shows_the_period_and_links_to_it(client_for, org_admin):
    response = client_for(org_admin).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert URL in response.content.decode()
    assert "5 years after closure" in response.content.decode()
