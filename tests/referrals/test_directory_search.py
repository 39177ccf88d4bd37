"""Searching the service directory: filters, who may, and the shelter's address kept inside."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from referrals.models import ServiceOffering
from tests.factories import UserFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

DIRECTORY = reverse("referrals:directory")
ADDRESS = "Jr. Escondido 742, Arequipa"


@pytest.fixture
def shelter_with_address(shelter):
    vault.seal(shelter, address=ADDRESS)
    shelter.save()
    return shelter


@pytest.fixture
def shelter_admin(shelter_org):
    return UserFactory(organization=shelter_org, role=Role.ORG_ADMIN, username="shelteradmin")


def _found(response) -> list[str]:
    return [row["offering"].name for row in response.context["rows"]]


@pytest.mark.parametrize("role_fixture", ["caseworker", "supervisor", "org_admin", "partner"])
def test_the_people_who_refer_or_provide_search_it(
    client_for, role_fixture, request, shelter, legal_clinic
):
    person = request.getfixturevalue(role_fixture)

    response = client_for(person).get(DIRECTORY)

    assert response.status_code == 200
    assert sorted(_found(response)) == ["Asesoría legal", "Casa Refugio Arequipa"]


def test_an_auditor_may_not_and_it_is_recorded(client_for, auditor, shelter):
    assert client_for(auditor).get(DIRECTORY).status_code == 403
    assert AccessEvent.objects.filter(
        action=Action.DIRECTORY_SEARCHED, actor=auditor, outcome=Outcome.DENIED
    ).exists()


def test_each_search_is_one_event(client_for, caseworker, shelter):
    client = client_for(caseworker)
    before = AccessEvent.objects.count()

    client.get(DIRECTORY, {"service_type": "shelter"})

    new = list(AccessEvent.objects.order_by("id")[before:])
    assert [(event.action, event.purpose) for event in new] == [
        (Action.DIRECTORY_SEARCHED, "shelter")
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"service_type": "shelter"}, ["Casa Refugio Arequipa"]),
        ({"service_type": "legal_aid"}, ["Asesoría legal"]),
        ({"service_type": "medical"}, []),
        ({"city": "Lima"}, ["Asesoría legal"]),
        ({"city": "Arequipa"}, ["Casa Refugio Arequipa"]),
        ({"language": "qu"}, ["Casa Refugio Arequipa"]),
        ({"language": "es"}, ["Casa Refugio Arequipa", "Asesoría legal"]),
        ({"children": "on"}, ["Asesoría legal"]),
        ({"service_type": "shelter", "children": "on"}, []),
        (
            {"city": "Arequipa", "language": "qu", "service_type": "shelter"},
            ["Casa Refugio Arequipa"],
        ),
    ],
)
def test_the_filters(client_for, caseworker, shelter, legal_clinic, filters, expected):
    response = client_for(caseworker).get(DIRECTORY, filters)

    assert sorted(_found(response)) == sorted(expected)


@pytest.mark.parametrize(
    "filters", [{"service_type": "bogus"}, {"city": "Atlantis"}, {"language": "xx"}]
)
def test_unknown_filter_values_show_an_error_and_no_results(
    client_for, caseworker, shelter, filters
):
    response = client_for(caseworker).get(DIRECTORY, filters)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _found(response) == []


def test_services_not_taking_referrals_are_not_listed(client_for, caseworker, shelter):
    shelter.active = False
    shelter.save()

    assert _found(client_for(caseworker).get(DIRECTORY)) == []


def test_a_result_shows_what_a_caseworker_needs(client_for, caseworker, shelter):
    page = client_for(caseworker).get(DIRECTORY).content.decode()

    for shown in (
        "Casa Refugio Arequipa",
        "Otra Organización",
        "Arequipa",
        "Spanish",
        "Quechua",
        "Adults only",
        "Woman",
        "3 of 12",
    ):
        assert shown in page


def test_a_full_shelter_says_so(client_for, caseworker, shelter):
    shelter.free_places = 0
    shelter.save()

    assert "Full: no free places" in client_for(caseworker).get(DIRECTORY).content.decode()


@pytest.mark.parametrize("role_fixture", ["caseworker", "supervisor", "org_admin", "other_partner"])
def test_the_shelters_address_is_never_shown_outside_its_organisation(
    client_for, role_fixture, request, shelter_with_address
):
    person = request.getfixturevalue(role_fixture)

    response = client_for(person).get(DIRECTORY)

    assert "Casa Refugio Arequipa" in response.content.decode()
    assert ADDRESS not in response.content.decode()
    assert "Jr. Escondido" not in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["partner", "shelter_admin"])
def test_the_shelters_own_people_see_its_address(
    client_for, role_fixture, request, shelter_with_address
):
    person = request.getfixturevalue(role_fixture)

    assert ADDRESS in client_for(person).get(DIRECTORY).content.decode()


def test_the_address_is_stored_sealed(shelter_with_address):
    stored = ServiceOffering.objects.values_list("address", flat=True).get(
        pk=shelter_with_address.pk
    )

    assert ADDRESS.encode() not in bytes(stored)
