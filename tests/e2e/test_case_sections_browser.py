"""Issue 14 in a real browser at 390 px: the case page is a list of folded sections, and
one click on "Notas" in the menu at the top shows her notes (the server opens the
section; no JavaScript is needed). The page's height folded and unfolded is printed, so
the report can say how much shorter it became."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import work
from tests.e2e.conftest import serious_axe_violations, submit_code, submit_password

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

PHONE_390 = {"width": 390, "height": 844}
NOTE_TEXT = "Llamó desde el albergue; mañana la acompañan a la fiscalía."

HEIGHT = "document.documentElement.scrollHeight"


@pytest.mark.parametrize("javascript", [True, False])
def test_one_click_on_notes_from_the_top_shows_her_notes(
    javascript, browser, live_server, person_with_phone, make_case
):
    user, device = person_with_phone("caseworker")
    case = make_case(user)
    for number in range(6):
        work.add_note(actor=user, case=case, body=f"{NOTE_TEXT} ({number})")
    for days in range(3):
        work.add_follow_up(actor=user, case=case, kind="check_in",
                           due_on=timezone.localdate() + timedelta(days=days + 1),
                           assignee=user)

    context = browser.new_context(
        locale="es-PE", viewport=PHONE_390, java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("accounts:login"))
        visit = type("V", (), {"page": page})()
        submit_password(visit, user.username)
        submit_code(visit, device)
        page.goto(live_server.url + reverse("cases:case_detail", kwargs={"case_id": case.pk}))

        notes = page.locator("section#notes")
        expect(notes.locator("ol.notes")).to_be_hidden()
        folded = page.evaluate(HEIGHT)
        if javascript:
            unfolded = page.evaluate(
                "() => { document.querySelectorAll('details.case-fold')"
                ".forEach(d => { d.open = true; }); return " + HEIGHT + "; }"
            )
            print(f"\ncase page at 390 px: {unfolded} px unfolded, {folded} px folded")
            assert folded < unfolded / 2
            page.reload()

        page.locator("nav.section-nav").get_by_role("link", name="Notas").click()
        page.wait_for_load_state()

        expect(notes.locator("ol.notes")).to_be_visible()
        expect(notes.locator("ol.notes")).to_contain_text(NOTE_TEXT)
        assert "section=notes" in page.url
        heading = page.locator("#notes-title").bounding_box()
        assert heading is not None and 0 <= heading["y"] < PHONE_390["height"]
        # Only the section asked for is open.
        assert page.locator("details.case-fold[open]").count() == 1
        if javascript:
            assert serious_axe_violations(type("V", (), {"page": page})()) == []
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_printed_case_shows_every_folded_section(
    javascript, browser, live_server, person_with_phone, make_case
):
    """Printing the folded page still puts the whole case on paper: with JavaScript every
    fold opens before printing (static/js/case-print.js) and closes again after; without
    it the print style shows the folds' content all the same. The forms stay off paper."""
    user, device = person_with_phone("caseworker")
    case = make_case(user)
    work.add_note(actor=user, case=case, body=NOTE_TEXT)
    work.add_follow_up(actor=user, case=case, kind="check_in",
                       due_on=timezone.localdate() + timedelta(days=3), assignee=user)

    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 800}, java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("accounts:login"))
        visit = type("V", (), {"page": page})()
        submit_password(visit, user.username)
        submit_code(visit, device)
        page.goto(live_server.url + reverse("cases:case_detail", kwargs={"case_id": case.pk}))

        notes = page.locator("section#notes ol.notes")
        follow_ups = page.locator("section#follow-ups ul.entries")
        identity = page.locator("section#identity dl.facts")
        assert page.locator("details.case-fold[open]").count() == 0
        for content in (notes, follow_ups, identity):
            expect(content).to_be_hidden()

        page.emulate_media(media="print")
        if javascript:
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
            assert page.locator("details.case-fold:not([open])").count() == 0
        for content in (notes, follow_ups, identity):
            expect(content).to_be_visible()
        expect(notes).to_contain_text(NOTE_TEXT)
        expect(page.locator("section#notes details.work-form")).to_be_hidden()
        expect(page.locator("nav.section-nav")).to_be_hidden()

        if javascript:
            # After printing, the page on screen is folded as she left it.
            page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
            page.emulate_media(media="screen")
            assert page.locator("details.case-fold[open]").count() == 0
            expect(notes).to_be_hidden()
    finally:
        context.close()
