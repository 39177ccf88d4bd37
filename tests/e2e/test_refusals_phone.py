"""Refusals nobody can miss (issue 18), in a real browser at 390 px: a step refused because
someone else moved the referral first is said in the page's one error summary, in the
first screen, with focus on it and "Error:" in the title, in English and Spanish; whether
the page is shown again (the caseworker's withdraw) or the refusal redirects with a
message (the partner's answer)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral
from tests.e2e.conftest import serious_axe_violations, submit_code, submit_password
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

PHONE_390 = {"width": 390, "height": 844}
HEADING = {"en": "There is a problem", "es": "Hay un problema"}
# Refused by the state it is now in, or because it changed since she saw it: either says so.
CHANGED = {"en": re.compile("Someone changed this referral|This referral is now"),
           "es": re.compile("Alguien cambió esta derivación|Esta derivación está ahora")}


def _signed_in(open_page, person_with_phone, role, language):
    user, device = person_with_phone(role)
    visit = open_page(language, viewport=PHONE_390)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    return user, visit


def _summary_leads_the_first_screen(visit, language) -> None:
    page = visit.page
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(HEADING[language])
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE_390["height"]
    assert page.title().startswith("Error: ")
    # The one summary: no other box announces the refusal a second time.
    expect(page.locator("main [role=alert]")).to_have_count(0)
    expect(page.locator("main .messages")).to_have_count(0)
    assert serious_axe_violations(visit) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_withdraw_refused_because_the_partner_answered_first_leads_the_page(
    language, open_page, person_with_phone, sent, partner  # noqa: F811
):
    user, visit = _signed_in(open_page, person_with_phone, "caseworker", language)
    page = visit.page
    visit.goto(reverse("referrals:detail", args=[sent.pk]))
    withdraw = page.locator("li.step--withdraw")
    withdraw.locator("details > summary").click()
    withdraw.locator("input[name=withdraw-reason]").first.check()
    # Meanwhile the shelter declines it.
    services.decline_referral(actor=partner, referral=sent, reason=rv.DeclineReason.NO_CAPACITY,
                              note="No beds tonight.")

    withdraw.locator("button[type=submit]").click()
    page.wait_for_load_state()

    _summary_leads_the_first_screen(visit, language)
    expect(page.locator("#error-summary")).to_contain_text(CHANGED[language])
    assert Referral.objects.get(pk=sent.pk).state == rv.State.DECLINED


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_partners_answer_refused_after_a_redirect_leads_the_page(
    language, open_page, person_with_phone, sent, partner  # noqa: F811
):
    user, visit = _signed_in(open_page, person_with_phone, "partner", language)
    page = visit.page
    visit.goto(reverse("referrals:packet", kwargs={"referral_id": sent.pk}))
    accept = page.locator("form[action$='/step/accept/'] button[type=submit]")
    expect(accept).to_be_visible()
    # Meanwhile a colleague of hers accepts it from another screen.
    services.accept_referral(actor=partner, referral=sent)

    accept.click()
    page.wait_for_load_state()

    assert page.url.endswith(reverse("referrals:packet", kwargs={"referral_id": sent.pk}))
    _summary_leads_the_first_screen(visit, language)
    expect(page.locator("#error-summary")).to_contain_text(CHANGED[language])
    # Shown once: the message is gone when she looks again.
    page.reload()
    expect(page.locator("#error-summary")).to_have_count(0)
    assert not page.title().startswith("Error: ")
