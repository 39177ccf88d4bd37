"""The partner's packet, inbox and print form name who referred her: the referring
organisation, the case's caseworker and the contact channel the organisation chose for
partners (issue 14); the org admin sets that channel, nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Organization
from audit.models import AccessEvent, Action

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

OFFICE = "Oficina Lima: +51 1 555 0100 (lun-vie 9-18)"


@pytest.fixture
def org_admin_of_referrer(organization):
    from accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(organization=organization, role=Role.ORG_ADMIN, username="referrer-admin")


@pytest.mark.parametrize("page", ["referrals:packet", "referrals:print", "referrals:inbox"])
def test_the_partner_sees_the_referring_organisation_caseworker_and_channel(
    client_for, partner, sent, caseworker, org_admin_of_referrer, page
):
    account_services.set_partner_contact(actor=org_admin_of_referrer, contact=OFFICE)
    kwargs = {} if page == "referrals:inbox" else {"referral_id": sent.pk}

    response = client_for(partner).get(reverse(page, kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="es")

    text = response.content.decode()
    assert response.status_code == 200
    assert sent.case.organization.name in text
    assert caseworker.display_name in text
    assert OFFICE in text


def test_without_a_chosen_channel_the_packet_says_so(client_for, partner, sent):
    text = client_for(partner).get(
        reverse("referrals:packet", kwargs={"referral_id": sent.pk}), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "La organización que deriva no lo indicó" in text


def test_the_org_admin_sets_the_channel_with_an_event(client_for, org_admin_of_referrer):
    url = reverse("accounts:partner_contact")
    client = client_for(org_admin_of_referrer)

    assert client.get(url).status_code == 200
    response = client.post(url, {"partner_contact": f"  {OFFICE}  "})

    assert response.status_code == 302
    organization = Organization.objects.get(pk=org_admin_of_referrer.organization_id)
    assert organization.partner_contact == OFFICE
    assert AccessEvent.objects.filter(
        action=Action.ORGANIZATION_UPDATED, actor=org_admin_of_referrer
    ).count() == 1


def test_a_caseworker_cannot_set_it(client_for, caseworker):
    url = reverse("accounts:partner_contact")
    client = client_for(caseworker)

    assert client.get(url).status_code == 403
    assert client.post(url, {"partner_contact": "+51 999 000 111"}).status_code == 403
    assert Organization.objects.get(pk=caseworker.organization_id).partner_contact == ""


def test_another_organisations_admin_changes_only_her_own(
    client_for, outsider_admin, organization
):
    client_for(outsider_admin).post(reverse("accounts:partner_contact"),
                                     {"partner_contact": "Otra oficina"})

    assert Organization.objects.get(pk=organization.pk).partner_contact == ""
    assert Organization.objects.get(pk=outsider_admin.organization_id).partner_contact == \
        "Otra oficina"


def test_too_long_a_channel_is_refused_and_nothing_changes(client_for, org_admin_of_referrer):
    response = client_for(org_admin_of_referrer).post(
        reverse("accounts:partner_contact"), {"partner_contact": "x" * 201},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 200
    assert Organization.objects.get(pk=org_admin_of_referrer.organization_id).partner_contact == ""
