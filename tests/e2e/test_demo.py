"""The demo warns on every page that it must never hold real data."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, seed_demo_network
from tests.e2e.conftest import shoot, submit_password

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language", ["en", "es"])
def test_demo_banner_shows_on_every_page_with_the_demo_on(language, settings, open_page):
    settings.AMPARO_DEMO = True
    seed_demo_network()
    visit = open_page(language)
    page = visit.page
    banner = page.locator(".demo-banner")

    visit.goto(reverse("accounts:login"))
    expect(banner).to_be_visible()
    shoot(visit, "demo-login")

    # Demo accounts skip the second step only while the demo flag is on.
    submit_password(visit, "lucia", DEMO_PASSWORD)
    expect(page).to_have_url(visit.url(reverse("home")))
    expect(banner).to_be_visible()
    shoot(visit, "demo-home-caseworker")


def test_no_demo_banner_without_the_demo(open_page):
    visit = open_page("en")
    visit.goto(reverse("accounts:login"))
    expect(visit.page.get_by_role("heading", level=1)).to_be_visible()
    expect(visit.page.locator(".demo-banner")).to_have_count(0)
