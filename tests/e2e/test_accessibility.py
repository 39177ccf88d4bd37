"""Accessibility: axe finds nothing serious, phones need no sideways scrolling, and the
keyboard reaches the skip link and the form with a focus ring one can see."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PHONE,
    ROLES,
    SCREENSHOT_DIR,
    scroll_width,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
)

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "es"]


def _check_page(visit, name: str) -> None:
    expect(visit.page.locator("html")).to_have_attribute("lang", visit.language)
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_pages_have_no_serious_axe_violations(language, open_page, person_with_phone):
    user, _device = person_with_phone("caseworker")
    visit = open_page(language)
    page = visit.page

    visit.goto(reverse("accounts:login"))
    _check_page(visit, "login")

    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill("not the password")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".alert")).to_be_visible()
    _check_page(visit, "login-error")

    submit_password(visit, user.username)
    expect(page.locator("input[name=token]")).to_be_visible()
    _check_page(visit, "two-factor")

    page.locator("input[name=token]").fill("000000")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".error")).to_be_visible()
    _check_page(visit, "two-factor-error")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_pages_have_no_serious_axe_violations(language, role, open_page, person_with_phone):
    user, device = person_with_phone(role)
    visit = open_page(language)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    expect(visit.page).to_have_url(visit.url(reverse("home")))

    _check_page(visit, f"home-{role}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_scrolls_sideways_at_phone_width(language, role, open_page, person_with_phone):
    user, device = person_with_phone(role)
    visit = open_page(language, viewport=PHONE)

    visit.goto(reverse("accounts:login"))
    assert scroll_width(visit) <= PHONE["width"], "login"
    submit_password(visit, user.username)
    assert scroll_width(visit) <= PHONE["width"], "two-factor"
    submit_code(visit, device)
    expect(visit.page).to_have_url(visit.url(reverse("home")))
    assert scroll_width(visit) <= PHONE["width"], f"home of {role}"


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                name: element.getAttribute("name"),
                className: element.className,
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )


def _focus_shot(visit, name: str) -> Path:
    folder = SCREENSHOT_DIR / visit.language
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-desktop.png"


def _has_visible_outline(focused: dict) -> bool:
    return focused["outlineStyle"] not in ("none", "hidden") and focused["outlineWidth"] >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_reaches_skip_link_then_username_with_visible_focus(language, open_page):
    visit = open_page(language)
    page = visit.page
    visit.goto(reverse("accounts:login"))

    page.keyboard.press("Tab")
    first = _focused(page)
    assert "skip-link" in first["className"], f"first Tab stop was {first}"
    assert _has_visible_outline(first), first
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.screenshot(path=str(_focus_shot(visit, "focus-skip-link")))

    for _ in range(10):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert _has_visible_outline(focused), f"no visible focus on {focused}"
        if focused["name"] == "username":
            page.screenshot(path=str(_focus_shot(visit, "focus-username")))
            break
    else:
        pytest.fail("ten Tab presses did not reach the username field")

    # The skip link itself moves focus past the header to the content.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    visit.goto(reverse("accounts:login"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
