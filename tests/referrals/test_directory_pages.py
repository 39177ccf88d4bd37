"""The directory a page at a time (issue 18): the whole network at once was some 4,700 px
on a phone. A page shows DIRECTORY_PAGE_SIZE services, the count of all, and the way on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as cv
from referrals.models import ServiceOffering
from referrals.views.directory import DIRECTORY_PAGE_SIZE

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

DIRECTORY = reverse("referrals:directory")


@pytest.fixture
def clinics(shelter_org):
    return [
        ServiceOffering.objects.create(
            organization=shelter_org,
            service_type=cv.ServiceType.LEGAL_AID,
            name=f"Clínica {number:02d}",
            city="Lima",
            languages=["es"],
        )
        for number in range(DIRECTORY_PAGE_SIZE + 2)
    ]


def _names(response) -> list[str]:
    return [row["offering"].name for row in response.context["rows"]]


def test_the_first_page_shows_a_pages_worth_the_count_and_a_link_to_the_next(
    client_for, caseworker, clinics
):
    response = client_for(caseworker).get(DIRECTORY)
    html = response.content.decode()
    assert len(_names(response)) == DIRECTORY_PAGE_SIZE
    assert f"{DIRECTORY_PAGE_SIZE + 2} services found." in html
    assert '<nav class="pagination" data-pagination' in html
    assert 'href="?page=2"' in html


def test_the_next_page_shows_the_rest_and_filters_are_kept(client_for, caseworker, clinics):
    client = client_for(caseworker)
    first = _names(client.get(DIRECTORY, {"service_type": "legal_aid"}))
    response = client.get(DIRECTORY, {"service_type": "legal_aid", "page": 2})
    rest = _names(response)
    assert len(rest) == 2
    assert sorted(first + rest) == sorted(clinic.name for clinic in clinics)
    assert 'href="?service_type=legal_aid&amp;page=1"' in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page(client_for, caseworker, clinics):
    response = client_for(caseworker).get(DIRECTORY, {"page": "99"})
    assert len(_names(response)) == 2


def test_a_partner_pages_through_it_too_and_an_auditor_may_not(
    client_for, partner, auditor, clinics
):
    assert len(_names(client_for(partner).get(DIRECTORY, {"page": 2}))) == 2
    assert client_for(auditor).get(DIRECTORY, {"page": 2}).status_code == 403
    assert AccessEvent.objects.filter(
        action=Action.DIRECTORY_SEARCHED, actor=auditor, outcome=Outcome.DENIED
    ).exists()
