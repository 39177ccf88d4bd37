"""Phone and keyboard (issue 18) in a real browser: a refused step's error summary takes
focus in the first screen and leads to its field; no focus stop hides under the case
page's sticky section navigation, at phone and desktop width."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.services.management import close_case
from tests.e2e.conftest import DESKTOP, serious_axe_violations, submit_code, submit_password

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

PHONE_390 = {"width": 390, "height": 844}


def _signed_in(open_page, person_with_phone, language, viewport):
    user, device = person_with_phone("caseworker")
    visit = open_page(language, viewport=viewport)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    return user, visit


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_refused_reopen_shows_its_summary_focused_in_the_first_screen(
    language, open_page, person_with_phone, make_case
):
    user, visit = _signed_in(open_page, person_with_phone, language, PHONE_390)
    case = make_case(user)
    close_case(actor=user, case=case, status="closed", reason="lost_contact")
    page = visit.page
    visit.goto(reverse("cases:reopen", kwargs={"case_id": case.pk}))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE_390["height"]
    assert page.title().startswith("Error: ")
    assert serious_axe_violations(visit) == []

    # Its link takes focus to the first choice of the refused field.
    summary.locator("a").first.click()
    expect(page.locator("input[name=reason]").first).to_be_focused()


def _hidden_focus_stops(page, presses: int) -> list[str]:
    """Go back through the page with Shift+Tab; every focus stop that ends under the
    sticky section navigation (and is not part of it)."""
    hidden = []
    page.wait_for_load_state("load")
    page.keyboard.press("End")
    for _ in range(presses):
        page.keyboard.press("Shift+Tab")
        under = page.evaluate(
            """async () => {
              // Measure once the browser has finished scrolling for the new focus (it
              // scrolls a moment after the key, later on a busy machine): the scroll
              // position unchanged over several frames, or at most half a second.
              const frame = () => new Promise(done => requestAnimationFrame(done));
              const started = performance.now();
              let last = -1, still = 0;
              while (still < 4 && performance.now() - started < 500) {
                await frame();
                still = window.scrollY === last ? still + 1 : 0;
                last = window.scrollY;
              }
              const el = document.activeElement, nav = document.querySelector('.section-nav');
              if (!el || !nav || nav.contains(el) || el === document.body) return null;
              const r = el.getBoundingClientRect(), n = nav.getBoundingClientRect();
              const stuck = n.top <= 1;
              if (!stuck || r.top >= n.bottom - 1) return null;
              return `${el.name || el.id || el.textContent.trim()} (${r.top} < ${n.bottom})`;
            }"""
        )
        if under:
            hidden.append(under)
    return hidden


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP], ids=["390", "1280"])
def test_no_focus_stop_of_the_case_page_hides_under_the_section_nav(
    viewport, open_page, person_with_phone, make_case
):
    user, visit = _signed_in(open_page, person_with_phone, "en", viewport)
    case = make_case(user)
    visit.goto(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    expect(visit.page.locator(".section-nav")).to_be_visible()
    assert _hidden_focus_stops(visit.page, 40) == []
