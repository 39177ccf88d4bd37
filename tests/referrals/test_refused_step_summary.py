"""The referral pages that refuse a step (a service that cannot be chosen, a case that
cannot be referred, directory filters that do not exist) say so with the page's error
summary: first in the main content, focused on load, each message a link where there is
something to correct, and "Error:" at the start of the title, in both languages (issue 18).
Nothing is said a second time as an inline alert."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import vocabularies as cv
from cases.services.management import close_case
from referrals.models import Referral

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HEADING = {"en": "There is a problem", "es": "Hay un problema"}


def _create_url(case, offering=None) -> str:
    url = reverse("referrals:create", kwargs={"case_id": case.pk})
    return f"{url}?offering={offering.pk}" if offering else url


def _summary(response, language: str) -> str:
    """The error summary the page leads with, after checking the title and its place."""
    html = response.content.decode()
    assert html.split("<title>", 1)[1].startswith("Error: ")
    main = html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()
    assert main.startswith('<div class="error-summary" id="error-summary" tabindex="-1"')
    summary = main.split("</div>", 1)[0]
    assert "data-focus-on-load" in summary
    assert HEADING[language] in summary
    assert 'role="alert"' not in main.split("</div>", 1)[1]
    return summary


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_service_that_cannot_take_her_leads_with_the_summary_linked_to_the_services(
    client_for, caseworker, case, shelter, legal_clinic, language
):
    shelter.active = False
    shelter.save()
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = client.get(_create_url(case, shelter))

    assert response.status_code == 200
    summary = _summary(response, language)
    assert '<a href="#service-choices">' in summary
    assert 'id="service-choices"' in response.content.decode()
    expected = {
        "en": "That service cannot take her referral",
        "es": "Ese servicio no puede recibir su derivación",
    }[language]
    assert expected in summary


def test_a_posted_service_not_in_the_list_leads_with_the_summary(
    client_for, caseworker, case, shelter, legal_clinic
):
    shelter.active = False
    shelter.save()
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        _create_url(case),
        {"offering": str(shelter.pk), "urgency": "routine", "reason": "Necesita un lugar seguro."},
    )

    assert response.status_code == 200
    assert "Choose a service from the list." in _summary(response, "en")
    assert not Referral.objects.exists()


def test_with_no_service_to_choose_the_refusal_leads_nowhere(client_for, caseworker, case, shelter):
    shelter.active = False
    shelter.save()
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    summary = _summary(client.get(_create_url(case, shelter)), "en")

    assert "<li>That service cannot take her referral" in summary
    assert "<a " not in summary


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_closed_case_that_cannot_be_referred_leads_with_the_summary(
    client_for, caseworker, case, shelter, language
):
    close_case(
        actor=caseworker, case=case, status=cv.CaseStatus.CLOSED, reason=cv.ClosureReason.GOALS_MET
    )
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = client.get(_create_url(case, shelter))

    assert response.status_code == 200
    assert response.templates[0].name == "referrals/case/cannot_refer.html"
    expected = {
        "en": "This case is closed: reopen it before referring her.",
        "es": "Este caso está cerrado",
    }[language]
    assert expected in _summary(response, language)
    # Said once: the summary, not a second alert in the page.
    assert response.content.decode().count(expected) == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_unknown_directory_filter_leads_with_the_summary_linked_to_its_field(
    client_for, caseworker, shelter, language
):
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = client.get(reverse("referrals:directory"), {"service_type": "teleportation"})

    assert response.status_code == 200
    summary = _summary(response, language)
    assert '<a href="#id_service_type">' in summary
    expected = {
        "en": "Choose a service type from the list.",
        "es": "Elija un tipo de servicio de la lista.",
    }[language]
    assert expected in summary


def test_a_directory_search_that_was_not_refused_has_no_summary(client_for, caseworker, shelter):
    html = client_for(caseworker).get(reverse("referrals:directory")).content.decode()
    assert "error-summary" not in html
    assert "<title>Error:" not in html
