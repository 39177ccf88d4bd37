"""The intake in a real browser, in Spanish and English, at phone and desktop width:
nothing serious for axe, nothing scrolls sideways, screenshots in var/screenshots/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]


def _signed_in(open_page, person_with_phone, language, viewport=DESKTOP):
    user, device = person_with_phone("caseworker")
    visit = open_page(language, viewport=viewport)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    return user, visit


def _check(visit, name):
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_intake_and_a_section_in_the_browser(
    language,
    open_page,
    person_with_phone,
    make_case,
):
    user, visit = _signed_in(open_page, person_with_phone, language)
    page = visit.page
    visit.goto(reverse("cases:intake_start"))
    expect(page.locator("select[name=team]")).to_be_visible()
    _check(visit, "intake-start")

    # Bad input: a possible child without a guardian.
    page.locator("input[name=given_names]").fill("Ana")
    page.locator("input[name=estimated_age]").fill("16")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()
    _check(visit, "intake-start-errors")

    # A possible duplicate of someone registered earlier.
    make_case(user, given_names="José", family_names="Pérez")
    visit.goto(reverse("cases:intake_start"))
    page.locator("input[name=given_names]").fill("JOSE")
    page.locator("input[name=family_names]").fill("PEREZ")
    page.locator("input[name=birth_date]").fill("1996-01-01")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator(".duplicate-warning")).to_be_visible()
    _check(visit, "intake-start-duplicate")

    # The answer takes focus; Enter in a field only checks again, never registers.
    expect(page.locator(".duplicate-warning")).to_be_focused()
    page.locator("input[name=given_names]").press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".duplicate-warning")).to_be_visible()
    assert page.url.endswith(reverse("cases:intake_start"))
    page.locator("button[name=register_anyway]").click()
    page.wait_for_load_state()
    case_id = page.url.rstrip("/").split("/")[-1]
    for section in ("profile", "identity", "safe-contact", "route", "narrative", "documents"):
        visit.goto(reverse("cases:edit_section", args=[case_id, section]))
        expect(page.locator("form.intake-form")).to_be_visible()
        _check(visit, f"intake-section-{section}")


def test_the_keyboard_reaches_every_intake_field_in_order(
    open_page,
    person_with_phone,
):
    _user, visit = _signed_in(open_page, person_with_phone, "es", viewport=PHONE)
    page = visit.page
    visit.goto(reverse("cases:intake_start"))
    page.locator("select[name=team]").focus()
    names = []
    for _ in range(14):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.getAttribute('name')")
        if not names or names[-1] != name:  # a date input has a stop per part
            names.append(name)
    assert names[:6] == [
        "given_names",
        "family_names",
        "aliases",
        "birth_date",
        "estimated_age",
        "age_uncertain",
    ]
