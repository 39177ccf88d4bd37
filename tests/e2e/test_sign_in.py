"""Signing in through the real pages: password, then the code from the phone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts import services
from accounts.models import InvitationKind
from tests.e2e.conftest import (
    ROLE_HEADINGS,
    ROLES,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("role", ROLES)
def test_it_signs_in_each_role_through_both_factors(role, open_page, person_with_phone):
    user, device = person_with_phone(role)
    visit = open_page("en")
    page = visit.page

    visit.goto(reverse("accounts:login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    submit_password(visit, user.username)

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor_verify"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step")
    # Half signed in: nothing to navigate to yet, only the way out.
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    submit_code(visit, device)

    expect(page).to_have_url(visit.url(reverse("home")))
    role_heading = re.compile("^" + re.escape(ROLE_HEADINGS[role]))
    heading = page.get_by_role("heading", level=2, name=role_heading)
    expect(heading).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name=user.display_name)).to_be_visible()


def test_it_refuses_a_wrong_code_and_says_why(open_page, person_with_phone):
    user, _device = person_with_phone("caseworker")
    visit = open_page("en")
    page = visit.page
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)

    page.locator("input[name=token]").fill("000000")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".error")).to_contain_text("That code did not work")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor_verify"))))


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_enrols_a_phone_through_her_invitation_link(language, open_page, caseworker):
    caseworker.email = "caseworker@example.org"
    caseworker.set_unusable_password()  # a new account: nobody has chosen a password yet
    caseworker.save(update_fields=["email", "password"])
    link = services.operator_reset(user=caseworker, kind=InvitationKind.NEW_ACCOUNT)
    password = "a-password-only-she-knows"
    visit = open_page(language)
    page = visit.page
    visit.goto(link)  # a path: the test settings have no site URL
    page.locator("input[name=new_password1]").fill(password)
    page.locator("input[name=new_password2]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor_enrol"))))
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0"), "QR did not render"
    assert serious_axe_violations(visit) == []
    shoot(visit, "two-factor-enrol")

    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    submit_code(visit, device)

    codes = page.locator("ul.codes li")
    expect(codes).to_have_count(10)
    expect(codes.first).to_be_visible()
    assert serious_axe_violations(visit) == []
    shoot(visit, "recovery-codes")

    page.locator("main a.button").click()
    expect(page).to_have_url(visit.url(reverse("home")))
    device.refresh_from_db()
    assert device.confirmed
