"""Issue 11, item 2, in a real browser: accounts whose passwords nobody else knows.

The operator creates an organisation with the command; its administrator opens the
printed link, chooses her password and enrols her phone (the code computed from the
secret the page shows, as her app would); she invites a caseworker, whose mailed link
lets her do the same and reach her home. A used link is refused with a clear page.
"""

from __future__ import annotations

import base64
import re
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import OrganizationKind, Role, User
from tests.e2e.conftest import (
    ROLE_HEADINGS,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
)
from tests.factories import TEST_PASSWORD, current_code

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

LINK = re.compile(r"https?://\S+/accounts/invitation/[A-Za-z0-9_-]+/")


def _code_from_the_page(page) -> str:
    """What an authenticator app shows for the key typed from the enrolment page."""
    page.locator("details summary").click()
    secret = "".join(page.locator("p.secret").inner_text().split())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def _choose_password_and_enrol(visit, link: str, password: str, name: str) -> None:
    page = visit.page
    page.goto(link)
    heading = {"en": "Choose your password", "es": "Elige tu contraseña"}[visit.language]
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert serious_axe_violations(visit) == []
    shoot(visit, f"invitation-{name}")
    page.locator("input[name=new_password1]").fill(password)
    page.locator("input[name=new_password2]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor_enrol"))))
    page.locator("input[name=token]").fill(_code_from_the_page(page))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("ul.codes li")).to_have_count(10)
    page.locator("main a.button").click()
    page.wait_for_load_state()


def test_the_commands_link_leads_to_an_administrator_who_invites_a_caseworker(
    open_page, live_server
):
    with override_settings(AMPARO_SITE_URL=live_server.url):
        out = StringIO()
        call_command(
            "create_organization",
            "--name", "Casa Esperanza",
            "--kind", OrganizationKind.SHELTER,
            "--country", "Perú",
            "--city", "Cusco",
            "--admin-username", "elena",
            "--admin-email", "elena@example.org",
            "--admin-first-name", "Elena",
            stdout=out,
        )
        [admin_link] = LINK.findall(out.getvalue())
        assert admin_link.startswith(live_server.url)

        admin = open_page("en")
        _choose_password_and_enrol(admin, admin_link, "casa-esperanza-cusco-2026", "admin")
        page = admin.page
        expect(page).to_have_url(admin.url(reverse("home")))
        teams = page.get_by_role("heading", level=2, name=ROLE_HEADINGS["org_admin"])
        expect(teams).to_be_visible()

        # She invites a caseworker: no password field, an email address instead.
        admin.goto(reverse("accounts:user_create"))
        expect(page.locator("input[name=password]")).to_have_count(0)
        page.locator("input[name=username]").fill("lucia")
        page.locator("input[name=first_name]").fill("Lucía")
        page.locator("input[name=email]").fill("lucia@example.org")
        page.locator("select[name=role]").select_option(Role.CASEWORKER)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        sent = "An invitation was sent to lucia@example.org"
        expect(page.locator(".messages")).to_contain_text(sent)

        [invitation] = [m for m in mail.outbox if m.to == ["lucia@example.org"]]
        [caseworker_link] = LINK.findall(invitation.body)
        assert caseworker_link.startswith(live_server.url)

        lucia = open_page("es")
        _choose_password_and_enrol(lucia, caseworker_link, "camino-seguro-lucia-77", "caseworker")
        expect(lucia.page).to_have_url(lucia.url(reverse("home")))
        assert User.objects.get(username="lucia").role == Role.CASEWORKER

        # The link worked once: opened again, it is refused in her language.
        lucia.page.goto(caseworker_link)
        refused = lucia.page.get_by_role("heading", level=1)
        expect(refused).to_have_text("Este enlace ya no funciona")
        shoot(lucia, "invitation-used")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_new_phone_needs_the_password_and_a_current_code(
    language, open_page, person_with_phone
):
    user, device = person_with_phone("caseworker")
    visit = open_page(language)
    page = visit.page
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)

    visit.goto(reverse("accounts:security"))
    phone_form = page.locator(f"form[action='{reverse('accounts:new_phone')}']")
    phone_form.locator("input[name='phone-password']").fill("not her password")
    phone_form.locator("input[name='phone-token']").fill("123456")
    phone_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    # Said beside the form, and announced once, by the focused error summary.
    expect(page.locator("form .alert")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    assert serious_axe_violations(visit) == []
    shoot(visit, "security-new-phone-refused")
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()

    # The wrong code above started django-otp's throttle (1 s after one failure), which a
    # person retyping her password waits out without noticing.
    time.sleep(1.5)
    # The sign-in used this time step's code; the next step's is within the tolerance.
    phone_form.locator("input[name='phone-password']").fill(TEST_PASSWORD)
    device.refresh_from_db()
    phone_form.locator("input[name='phone-token']").fill(current_code(device, offset_steps=1))
    phone_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor_enrol"))))
    expect(page.locator("img.qr")).to_be_visible()
