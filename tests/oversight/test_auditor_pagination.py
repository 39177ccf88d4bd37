"""The auditor's pages at phone length (issue 18): each list shows its first rows with its
count and a way to the rest, and a page number that is not a page of the list gives the
first page, never an error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import Outcome
from oversight.home import HOME_ROWS
from oversight.views import SUMMARY_PAGE_SIZE, TRAIL_PAGE_SIZE
from tests.factories import UserFactory
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

CODE = "PE-2026-0011"
CASE_URL = reverse("oversight:case_access")
PERSON_URL = reverse("oversight:person_activity")


def _people(colleague, count: int) -> list:
    return [
        UserFactory(organization=colleague.organization, role=Role.CASEWORKER) for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("language", "events", "refused"),
    [
        ("en", "The latest 3 of 12 events.", "The latest 3 of 7 refused accesses."),
        ("es", "Los últimos 3 de 12 eventos.", "Los últimos 3 de 7 accesos denegados."),
    ],
)
def test_the_auditors_home_shows_three_of_each_list_with_its_count(
    client_for, auditor, caseworker, language, events, refused
):
    for _ in range(5):
        event(actor=caseworker, case_code=CODE)
    for _ in range(7):
        event(actor=caseworker, case_code=CODE, outcome=Outcome.DENIED)
    client = client_for(auditor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    response = client.get(reverse("home"))

    # Counted before the home records anything of its own.
    assert response.context["event_count"] == 12
    assert response.context["denied_count"] == 7
    assert len(response.context["recent_events"]) == HOME_ROWS
    assert len(response.context["latest_denied"]) == HOME_ROWS
    page = response.content.decode()
    assert events in page and refused in page
    assert f'href="{reverse("oversight:denied")}"' in page
    assert f'href="{reverse("oversight:search")}"' in page


def test_a_cases_access_page_shows_ten_people_a_page_then_the_rest(client_for, auditor, caseworker):
    people = _people(caseworker, SUMMARY_PAGE_SIZE + 2)
    for person in people:
        event(actor=person, case_code=CODE)
    client = client_for(auditor)
    # Her own reading of the page is in the case's trail too: once read, she is a line.
    client.get(CASE_URL, {"code": CODE})
    everyone = len(people) + 1

    first = client.get(CASE_URL, {"code": CODE})
    second = client.get(CASE_URL, {"code": CODE, "lines": 2})

    assert len(first.context["summary"]) == SUMMARY_PAGE_SIZE
    assert first.context["summary"].paginator.count == everyone
    assert len(second.context["summary"]) == everyone - SUMMARY_PAGE_SIZE
    assert f"People 1–{SUMMARY_PAGE_SIZE} of {everyone}" in first.content.decode()
    assert f"code={CODE}&amp;lines=2#access-summary" in first.content.decode()
    shown = {line.key for line in first.context["summary"]}
    rest = {line.key for line in second.context["summary"]}
    assert not shown & rest
    assert {person.username for person in people} <= shown | rest
    # Turning the summary's page keeps the events on their first page, and the other way.
    assert second.context["page"].number == 1


def test_a_persons_activity_shows_her_cases_and_events_a_page_at_a_time(
    client_for, auditor, caseworker
):
    for number in range(SUMMARY_PAGE_SIZE + 1):
        for _ in range(2):
            event(actor=caseworker, case_code=f"PE-2026-{number:04d}")
    client = client_for(auditor)

    response = client.get(PERSON_URL, {"person": caseworker.pk, "page": 2, "lines": 2})

    assert response.context["summary"].paginator.count == SUMMARY_PAGE_SIZE + 1
    assert len(response.context["summary"]) == 1
    assert response.context["page"].paginator.count == 2 * (SUMMARY_PAGE_SIZE + 1)
    assert len(response.context["page"]) == 2 * (SUMMARY_PAGE_SIZE + 1) - TRAIL_PAGE_SIZE
    page = response.content.decode()
    assert f"Cases {SUMMARY_PAGE_SIZE + 1}–{SUMMARY_PAGE_SIZE + 1} of" in page
    assert "Page 2 of 2" in page
    # Each list's navigation has its own name, so two navigations are told apart.
    assert 'aria-label="Pages of her cases"' in page
    assert 'aria-label="Pages of the events"' in page


BAD_PAGES = ["abc", "0", "-1", "99999", "1.5", "", "２", "9" * 5000, "1e3"]


@pytest.mark.parametrize("bad", BAD_PAGES)
@pytest.mark.parametrize("param", ["page", "lines"])
def test_a_page_number_that_is_not_a_page_gives_the_first_page(
    client_for, auditor, caseworker, bad, param
):
    for _ in range(TRAIL_PAGE_SIZE + 1):
        event(actor=caseworker, case_code=CODE)
    client = client_for(auditor)

    for url, params in [
        (CASE_URL, {"code": CODE}),
        (PERSON_URL, {"person": caseworker.pk}),
        (reverse("oversight:search"), {}),
        (reverse("oversight:denied"), {}),
    ]:
        response = client.get(url, {**params, param: bad})
        assert response.status_code == 200, (url, bad)
        assert response.context["page"].number == 1
        if response.context.get("summary") is not None:
            assert response.context["summary"].number == 1
