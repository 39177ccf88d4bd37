"""The partner's pages in a real browser: inbox, packet, printable form, directory and
her organisation's services. Axe finds nothing serious, nothing scrolls sideways at
360 px, the print button works without inline script (CSP), and she accepts a referral.
Screenshots land in var/screenshots/<language>/partner-*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import vocabularies as rv
from referrals.models import Referral
from tests.e2e.conftest import serious_axe_violations, shoot, submit_code, submit_password
from tests.referrals.conftest import (  # noqa: F401 - the referral fixtures, for this module
    case,
    consent_to_shelters,
    draft,
    partner,
    sent,
    shelter,
    shelter_org,
    submitted,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]


def _check(visit, name: str) -> None:
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_partner_answers_a_referral_from_her_inbox(
    language, open_page, person_with_phone, sent  # noqa: F811
):
    user, device = person_with_phone("partner")
    visit = open_page(language)
    page = visit.page
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)

    visit.goto(reverse("referrals:inbox"))
    expect(page.get_by_role("link", name=sent.case.code)).to_be_visible()
    _check(visit, "partner-inbox")

    page.get_by_role("link", name=sent.case.code).click()
    expect(page.locator("h1")).to_contain_text("Casa Refugio Arequipa")
    _check(visit, "partner-packet")

    visit.goto(reverse("referrals:print", kwargs={"referral_id": sent.pk}))
    # Shown by print.js: the static script ran under the CSP.
    expect(page.locator("button[data-print]")).to_be_visible()
    _check(visit, "partner-print")

    visit.goto(reverse("referrals:directory"))
    _check(visit, "partner-directory")
    visit.goto(reverse("referrals:own_services"))
    _check(visit, "partner-own-services")

    visit.goto(reverse("referrals:packet", kwargs={"referral_id": sent.pk}))
    page.locator("form[action$='/step/accept/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".message--success")).to_contain_text(sent.case.code)
    assert Referral.objects.get(pk=sent.pk).state == rv.State.ACCEPTED
    _check(visit, "partner-accepted")
