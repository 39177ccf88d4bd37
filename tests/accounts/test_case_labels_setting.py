"""The org admin chooses whether her organisation's case lists and case headers show the
case code alone (Organization.show_case_code_only, cases.labels): her own organisation
only, recorded, and bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Organization, Role
from accounts.services import set_show_case_code_only
from audit.models import AccessEvent, Action
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

URL = reverse("accounts:case_labels")


def _code_only(organization) -> bool:
    return Organization.objects.get(pk=organization.pk).show_case_code_only


def test_an_organisation_shows_names_unless_told(organization):
    assert _code_only(organization) is False


def test_the_org_admin_turns_it_on_and_it_is_recorded(client_for, org_admin, organization):
    client = client_for(org_admin)
    assert client.get(URL).status_code == 200

    response = client.post(URL, {"case_label": "code_only"})

    assert response.status_code == 302
    assert _code_only(organization) is True
    event = AccessEvent.objects.get(action=Action.ORGANIZATION_UPDATED)
    assert (event.actor_id, event.purpose, event.target_id) == (
        org_admin.pk,
        "case_code_only",
        str(organization.pk),
    )


def test_the_org_admin_turns_it_off_again_and_that_is_recorded_too(
    client_for, org_admin, organization
):
    organization.show_case_code_only = True
    organization.save(update_fields=["show_case_code_only"])

    response = client_for(org_admin).post(URL, {"case_label": "code_and_name"})

    assert response.status_code == 302
    assert _code_only(organization) is False
    assert AccessEvent.objects.get(action=Action.ORGANIZATION_UPDATED).purpose == (
        "case_names_shown"
    )


def test_the_page_shows_the_current_choice(client_for, org_admin, organization):
    organization.show_case_code_only = True
    organization.save(update_fields=["show_case_code_only"])
    form = client_for(org_admin).get(URL).context["form"]
    assert form["case_label"].value() == "code_only"


@pytest.mark.parametrize("value", ["", "yes", "1", "on"])
def test_bad_input_is_refused_in_spanish_with_the_error_summary_and_changes_nothing(
    client_for, org_admin, organization, value
):
    response = client_for(org_admin).post(URL, {"case_label": value}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Elija cómo se identifican los casos." in html
    assert 'id="error-summary"' in html
    assert "<title>Error:" in html
    assert _code_only(organization) is False
    assert not AccessEvent.objects.filter(action=Action.ORGANIZATION_UPDATED).exists()


def test_the_service_refuses_anything_but_true_or_false(org_admin, organization):
    with pytest.raises(ValidationError):
        set_show_case_code_only(actor=org_admin, show_case_code_only="yes")
    assert _code_only(organization) is False
    assert not AccessEvent.objects.filter(action=Action.ORGANIZATION_UPDATED).exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER, Role.AUDITOR])
def test_other_roles_of_her_organisation_get_403_and_nothing_changes(
    client_for, organization, role
):
    person = UserFactory(organization=organization, role=role, username=f"p-{role}")
    client = client_for(person)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"case_label": "code_only"}).status_code == 403
    assert _code_only(organization) is False
    assert not AccessEvent.objects.filter(action=Action.ORGANIZATION_UPDATED).exists()


def test_another_organisations_admin_changes_only_her_own(
    client_for, outsider_admin, organization, other_organization
):
    assert client_for(outsider_admin).post(URL, {"case_label": "code_only"}).status_code == 302
    assert (_code_only(organization), _code_only(other_organization)) == (False, True)


def test_her_home_says_how_cases_are_labelled_and_links_to_it(client_for, org_admin):
    response = client_for(org_admin).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert URL in html
    assert "The case code and the survivor's name." in html
