"""The Content Security Policy holds: the pages need nothing it forbids."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import ROLES, submit_code, submit_password

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ROLES)
def test_pages_log_no_csp_violations(role, open_page, person_with_phone):
    user, device = person_with_phone(role)
    visit = open_page("en")
    page = visit.page

    response = page.goto(visit.url(reverse("accounts:login")))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    submit_password(visit, user.username)
    submit_code(visit, device)
    expect(page).to_have_url(visit.url(reverse("home")))
    visit.goto(reverse("accounts:security"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert visit.csp_violations() == []
    assert visit.console_errors == []
