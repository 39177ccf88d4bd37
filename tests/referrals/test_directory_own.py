"""An organisation's own directory entries: the org admin keeps them, partner staff keep
the free places, everyone else gets 404 (another organisation) or 403 (the wrong role)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from referrals.models import ServiceOffering
from tests.factories import UserFactory
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

OWN = reverse("referrals:own_services")
CREATE = reverse("referrals:service_create")
ADDRESS = "Jr. Escondido 742, Arequipa"


@pytest.fixture
def shelter_admin(shelter_org):
    return UserFactory(organization=shelter_org, role=Role.ORG_ADMIN, username="shelteradmin")


@pytest.fixture
def shelter_with_address(shelter):
    vault.seal(shelter, address=ADDRESS)
    shelter.save()
    return shelter


def _edit(offering) -> str:
    return reverse("referrals:service_edit", kwargs={"offering_id": offering.pk})


def _places(offering) -> str:
    return reverse("referrals:service_places", kwargs={"offering_id": offering.pk})


def _snapshot(offering) -> dict:
    return ServiceOffering.objects.filter(pk=offering.pk).values().get()


def _valid(**changes) -> dict:
    data = {
        "service_type": "shelter",
        "name": "Casa Nueva",
        "description": "Acogida.",
        "city": "Cusco",
        "region": "Cusco",
        "address": "Calle Secreta 9",
        "languages": ["es", "qu"],
        "accepts_children": "on",
        "genders_served": ["female"],
        "hours": "24 h",
        "total_places": "8",
        "active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- the own list ----------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["shelter_admin", "partner"])
def test_the_organisations_people_see_their_services_with_the_address(
    client_for, role_fixture, request, shelter_with_address, legal_clinic
):
    person = request.getfixturevalue(role_fixture)

    response = client_for(person).get(OWN)

    page = response.content.decode()
    assert response.status_code == 200
    assert [row["offering"] for row in response.context["rows"]] == [shelter_with_address]
    assert ADDRESS in page
    assert "Asesoría legal" not in page
    assert _places(shelter_with_address) in page


def test_only_the_admin_is_offered_to_change_entries(client_for, shelter_admin, partner, shelter):
    assert f'href="{_edit(shelter)}"' in client_for(shelter_admin).get(OWN).content.decode()
    assert f'href="{_edit(shelter)}"' not in client_for(partner).get(OWN).content.decode()
    assert CREATE not in client_for(partner).get(OWN).content.decode()


@pytest.mark.parametrize("role_fixture", ["caseworker", "supervisor", "auditor"])
def test_other_roles_have_no_own_services(client_for, role_fixture, request, shelter):
    person = request.getfixturevalue(role_fixture)

    assert client_for(person).get(OWN).status_code == 403


def test_the_org_admins_home_links_to_her_services(client_for, shelter_admin, shelter):
    response = client_for(shelter_admin).get(reverse("home"))

    assert response.context["service_count"] == 1
    assert OWN in response.content.decode()


# --- creating and changing -------------------------------------------------------------


def test_the_org_admin_adds_a_service(client_for, shelter_admin, shelter_org):
    response = client_for(shelter_admin).post(CREATE, _valid())

    assert response.status_code == 302
    offering = ServiceOffering.objects.get(name="Casa Nueva")
    assert offering.organization == shelter_org
    assert offering.languages == ["es", "qu"]
    assert offering.genders_served == ["female"]
    assert offering.accepts_children and offering.active
    assert offering.total_places == 8
    assert vault.unseal(offering, "address") == "Calle Secreta 9"
    assert b"Calle Secreta" not in bytes(
        ServiceOffering.objects.values_list("address", flat=True).get(pk=offering.pk)
    )
    assert AccessEvent.objects.filter(action=Action.SERVICE_SAVED, actor=shelter_admin).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"city": "  "},
        {"service_type": "spa"},
        {"languages": ["es", "klingon"]},
        {"genders_served": ["robot"]},
        {"total_places": "-1"},
        {"total_places": "many"},
    ],
)
def test_bad_input_adds_nothing(client_for, shelter_admin, changes):
    before = AccessEvent.objects.count()

    response = client_for(shelter_admin).post(CREATE, _valid(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ServiceOffering.objects.exists()
    assert AccessEvent.objects.count() == before


def test_the_org_admin_changes_her_entry_and_the_address_is_kept(
    client_for, shelter_admin, shelter_with_address
):
    client = client_for(shelter_admin)
    form = client.get(_edit(shelter_with_address))
    assert ADDRESS in form.content.decode()

    response = client.post(
        _edit(shelter_with_address),
        _valid(name="Casa Refugio Arequipa", address=ADDRESS, hours="Lunes a domingo"),
    )

    assert response.status_code == 302
    shelter_with_address.refresh_from_db()
    assert shelter_with_address.hours == "Lunes a domingo"
    assert vault.unseal(shelter_with_address, "address") == ADDRESS
    assert shelter_with_address.free_places == 3  # places are kept by their own form


def test_fewer_places_in_all_than_free_is_refused(client_for, shelter_admin, shelter):
    before = _snapshot(shelter)

    response = client_for(shelter_admin).post(
        _edit(shelter), _valid(name=shelter.name, total_places="2")
    )

    assert response.status_code == 200
    assert "total_places" in response.context["form"].errors
    assert _snapshot(shelter) == before


def test_an_admin_of_another_organisation_gets_404(client_for, org_admin, shelter):
    before = _snapshot(shelter)
    client = client_for(org_admin)

    assert client.get(_edit(shelter)).status_code == 404
    assert client.post(_edit(shelter), _valid(name="Taken over")).status_code == 404
    assert client.post(_places(shelter), {"free_places": "0"}).status_code == 404
    assert _snapshot(shelter) == before
    assert AccessEvent.objects.filter(
        action=Action.SERVICE_SAVED, actor=org_admin, outcome=Outcome.DENIED
    ).exists()


def test_a_partner_cannot_change_the_entry(client_for, partner, shelter):
    before = _snapshot(shelter)
    client = client_for(partner)

    assert client.get(_edit(shelter)).status_code == 403
    assert client.post(_edit(shelter), _valid(name="Renamed")).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, _valid()).status_code == 403
    assert _snapshot(shelter) == before
    assert ServiceOffering.objects.count() == 1


def test_a_malformed_id_is_404(client_for, shelter_admin):
    assert client_for(shelter_admin).get("/referrals/directory/ours/nope/").status_code == 404


# --- free places -------------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["partner", "shelter_admin"])
def test_the_providers_staff_update_free_places(client_for, role_fixture, request, shelter):
    person = request.getfixturevalue(role_fixture)

    response = client_for(person).post(_places(shelter), {"free_places": "0"})

    assert response.status_code == 302
    shelter.refresh_from_db()
    assert shelter.free_places == 0
    assert shelter.places_updated_at is not None
    assert AccessEvent.objects.filter(action=Action.PLACES_UPDATED, actor=person).count() == 1


@pytest.mark.parametrize("value", ["-1", "13", "many", "", "2.5"])
def test_bad_places_change_nothing(client_for, partner, shelter, value):
    before = _snapshot(shelter)

    response = client_for(partner).post(_places(shelter), {"free_places": value})

    assert response.status_code == 302
    assert _snapshot(shelter) == before
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Nothing was changed" in message for message in messages)


def test_places_are_not_changed_through_a_get(client_for, partner, shelter):
    assert client_for(partner).get(_places(shelter), {"free_places": "0"}).status_code == 405
    shelter.refresh_from_db()
    assert shelter.free_places == 3


def test_another_providers_partner_gets_404_on_places(client_for, other_partner, shelter):
    before = _snapshot(shelter)

    assert client_for(other_partner).post(_places(shelter), {"free_places": "0"}).status_code == 404
    assert _snapshot(shelter) == before


def test_a_caseworker_cannot_update_places(client_for, caseworker, shelter):
    before = _snapshot(shelter)

    assert client_for(caseworker).post(_places(shelter), {"free_places": "0"}).status_code == 403
    assert _snapshot(shelter) == before


def test_an_address_that_does_not_open_is_not_erased_by_saving(
    client_for, shelter_admin, shelter_with_address, monkeypatch
):
    from referrals.views import directory as views
    from vault.exceptions import CannotOpen

    def fail(*args, **kwargs):
        raise CannotOpen("test")

    monkeypatch.setattr(views.vault, "unseal", fail)
    before = _snapshot(shelter_with_address)

    response = client_for(shelter_admin).post(
        _edit(shelter_with_address), _valid(name="Casa Refugio Arequipa", address="")
    )

    assert response.status_code == 200
    assert "address" in response.context["form"].errors
    assert _snapshot(shelter_with_address) == before
