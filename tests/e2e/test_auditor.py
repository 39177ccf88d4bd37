"""Issue 6 in a real browser: the auditor finds who opened a given case in the last week
and reviews an emergency grant. Axe finds nothing serious on the auditor's pages, in
English and Spanish, and every page leaves screenshots in var/screenshots/<lang>/audit-*."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.services.management import request_emergency_access
from oversight.models import GrantFinding, GrantReview
from tests.e2e.conftest import serious_axe_violations, shoot, submit_code, submit_password
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

LANGUAGES = ["en", "es"]
REVIEW_NOTE = "Checked with the night supervisor; the hospital call is on the phone log."


def _opened(user, case, *, days_ago: float, action: str = Action.CASE_VIEWED) -> None:
    """An event as a past visit to the case page would have left it."""
    AccessEvent.objects.create(
        occurred_at=timezone.now() - timedelta(days=days_ago),
        actor=user,
        actor_username=user.username,
        actor_role=user.role,
        organization=user.organization,
        action=action,
        target_type="case",
        target_id=str(case.pk),
        case_code=case.code,
        outcome=Outcome.ALLOWED,
    )


@pytest.fixture
def trail(organization, make_case, caseworker, supervisor):
    """A case opened by its caseworker three days ago and by her supervisor ten days ago,
    and a colleague of another team who opened it through an emergency grant."""
    case = make_case(caseworker)
    _opened(caseworker, case, days_ago=3)
    _opened(supervisor, case, days_ago=10)
    nightshift = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
    outcome = request_emergency_access(
        actor=nightshift, code=case.code, reason="Llamada del hospital", password=TEST_PASSWORD
    )
    assert outcome.grant is not None
    return case, outcome.grant


def _sign_in_as_auditor(open_page, person_with_phone, language: str):
    auditor, device = person_with_phone("auditor")
    visit = open_page(language)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, auditor.username)
    submit_code(visit, device)
    expect(visit.page).to_have_url(visit.url(reverse("home")))
    return auditor, visit


def _check(visit, name: str) -> None:
    expect(visit.page.locator("html")).to_have_attribute("lang", visit.language)
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


def test_the_auditor_finds_who_opened_a_case_last_week_and_reviews_a_grant(
    open_page, person_with_phone, trail, caseworker
):
    case, grant = trail
    auditor, visit = _sign_in_as_auditor(open_page, person_with_phone, "en")
    page = visit.page

    # From the main navigation to the access log, searching by case code and date.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").click()
    page.wait_for_load_state()
    form = page.locator("form.audit-form")
    form.locator("input[name=case_code]").fill(case.code)
    form.locator("select[name=action]").select_option(Action.CASE_VIEWED.value)
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    form.locator("input[name=date_from]").fill(week_ago)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    rows = page.locator("table.event-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(caseworker.username)
    expect(rows.first).not_to_contain_text("supervisor")
    _check(visit, "audit-flow-1-search")

    # The case's whole trail is one click away.
    rows.first.get_by_role("link", name=case.code).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(case.code)
    trail_rows = page.locator("table.event-table tbody tr")
    expect(trail_rows.filter(has_text=caseworker.username)).not_to_have_count(0)
    expect(trail_rows.filter(has_text="nightshift")).not_to_have_count(0)
    _check(visit, "audit-flow-2-case")

    # The emergency grant, reviewed.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Emergency access reviews"
    ).click()
    page.wait_for_load_state()
    awaiting = page.locator("table tbody tr").filter(has_text=case.code)
    expect(awaiting).to_have_count(1)
    _check(visit, "audit-flow-3-grants")
    awaiting.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.locator("dl.facts")).to_contain_text("nightshift")
    _check(visit, "audit-flow-4-review")
    page.get_by_label("Not justified").check()
    page.locator("textarea[name=note]").fill(REVIEW_NOTE)
    page.locator("form.audit-form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("main")).to_contain_text(REVIEW_NOTE)
    _check(visit, "audit-flow-5-reviewed")
    review = GrantReview.objects.get(grant=grant)
    assert (review.finding, review.note, review.reviewed_by) == (
        GrantFinding.NOT_JUSTIFIED,
        REVIEW_NOTE,
        auditor,
    )
    assert AccessEvent.objects.filter(action=Action.GRANT_REVIEWED, actor=auditor).count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_auditors_pages_have_no_serious_axe_violations(
    language, open_page, person_with_phone, trail, caseworker
):
    case, grant = trail
    AccessEvent.objects.create(
        actor=caseworker,
        actor_username=caseworker.username,
        actor_role=caseworker.role,
        organization=caseworker.organization,
        action=Action.CASE_VIEWED,
        case_code="PE-2026-9999",
        outcome=Outcome.DENIED,
    )
    _auditor, visit = _sign_in_as_auditor(open_page, person_with_phone, language)
    pages = {
        "audit-home": reverse("home"),
        "audit-search": reverse("oversight:search"),
        "audit-search-empty": reverse("oversight:search") + "?case_code=XX-0000",
        "audit-search-error": reverse("oversight:search")
        + "?date_from=2026-03-10&date_to=2026-03-01",
        "audit-case": reverse("oversight:case_access") + f"?code={case.code}",
        "audit-case-form": reverse("oversight:case_access"),
        "audit-person": reverse("oversight:person_activity") + f"?person={caseworker.pk}",
        "audit-denied": reverse("oversight:denied"),
        "audit-grants": reverse("oversight:grants"),
        "audit-grant-review": reverse("oversight:grant_review", args=[grant.pk]),
        "audit-anomalies": reverse("oversight:anomalies"),
    }
    for name, path in pages.items():
        visit.goto(path)
        _check(visit, name)
