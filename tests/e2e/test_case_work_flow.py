"""Issue 4 in a real browser, in Spanish: a caseworker registers an intake, adds a note and
a follow-up; her supervisor finds the case on the team home. Axe finds nothing serious on
the intake and case pages, nothing scrolls sideways at 360 px, and every step leaves a
screenshot in var/screenshots/es/flow-*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, FollowUp, Note
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    scroll_width,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
    unfold_section,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

CASE_CODE = re.compile(r"PE-\d{4}-\d{4}")
NOTE_TEXT = "Llegó a la oficina acompañada; necesita alojamiento esta semana."


def _sign_in(open_page, user, device, viewport=DESKTOP):
    visit = open_page("es", viewport=viewport)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    expect(visit.page.get_by_role("navigation", name="Principal")).to_be_visible()
    return visit


def _submit(page, form) -> None:
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def _heading_clear_of_the_section_nav(page, heading_id: str) -> None:
    """After a save the page jumps to the section: its heading must not hide under the
    sticky section navigation."""
    nav_bottom, heading_top = page.evaluate(
        """id => [document.querySelector('.section-nav').getBoundingClientRect().bottom,
                  document.getElementById(id).getBoundingClientRect().top]""",
        heading_id,
    )
    assert heading_top >= nav_bottom, f"#{heading_id} is under the section navigation"


def _register_and_work_the_case(visit, caseworker, *, check) -> Case:
    """The caseworker's part of the flow; ``check(name)`` runs after every step."""
    page = visit.page

    # "Nuevo registro" from the navigation, as she would find it.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Nuevo registro"
    ).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Nuevo registro")
    form = page.locator("form.intake-form")
    expect(form.locator("select[name=team]")).to_be_visible()
    form.locator("input[name=given_names]").fill("María Elena")
    form.locator("input[name=family_names]").fill("Quispe Huamán")
    form.locator("input[name=estimated_age]").fill("24")
    form.locator("select[name=gender]").select_option("female")
    form.locator("select[name=nationality]").select_option("VE")
    form.locator("input[name=languages][value=es]").check()
    check("flow-1-intake")
    # The first press only checks for an existing record; its answer takes focus, and
    # the case exists only after "Register the case" (issue 18).
    _submit(page, form)
    answer = page.locator(".check-result")
    expect(answer).to_be_focused()
    assert not Case.objects.filter(owner=caseworker).exists()
    check("flow-1b-intake-checked")
    form.locator("button[name=confirm]").click()
    page.wait_for_load_state()

    # The case page: its h1 names the case by code (never her name); the header shows the
    # code and, under it, her name.
    header = page.locator(".case-header")
    expect(header.locator(".case-code a")).to_have_text(CASE_CODE)
    expect(header.locator(".case-name")).to_have_text("María Elena Quispe Huamán")
    expect(page.locator("h1")).not_to_contain_text("María")
    case = Case.objects.get(owner=caseworker)
    assert page.url.rstrip("/").endswith(str(case.pk))
    assert CASE_CODE.fullmatch(case.code)
    check("flow-2-case")

    # A note.
    unfold_section(page, "notes")
    notes = page.locator("#notes")
    notes.locator("details.work-form > summary").click()
    note_form = notes.locator("form")
    note_form.locator("textarea[name=note-body]").fill(NOTE_TEXT)
    _submit(page, note_form)
    expect(page.locator("#notes ol.notes")).to_contain_text(NOTE_TEXT)
    _heading_clear_of_the_section_nav(page, "notes-title")
    check("flow-3-note")

    # A follow-up that was due yesterday, for herself (the form's default assignee).
    yesterday = timezone.localdate() - timedelta(days=1)
    unfold_section(page, "follow-ups")
    follow_ups = page.locator("#follow-ups")
    follow_ups.locator("details.work-form > summary").click()
    follow_up_form = follow_ups.locator("form")
    follow_up_form.locator("select[name=follow_up-kind]").select_option("check_in")
    follow_up_form.locator("input[name=follow_up-due_on]").fill(yesterday.isoformat())
    assignee = follow_up_form.locator("select[name=follow_up-assignee]")
    expect(assignee).to_have_value(str(caseworker.pk))
    _submit(page, follow_up_form)
    planned = page.locator("#follow-ups li.entry--overdue")
    expect(planned).to_have_count(1)
    expect(planned).to_contain_text("Contacto de seguimiento")  # Check-in
    expect(planned).to_contain_text(caseworker.display_name)
    expect(page.locator("#notes ol.notes")).to_contain_text(NOTE_TEXT)
    _heading_clear_of_the_section_nav(page, "follow-ups-title")
    check("flow-4-follow-up")

    assert Note.objects.filter(case=case, author=caseworker).count() == 1
    assert FollowUp.objects.get(case=case).assignee == caseworker
    return case


def test_a_caseworker_registers_and_works_a_case_and_her_supervisor_finds_it(
    open_page,
    person_with_phone,
):
    caseworker, caseworker_device = person_with_phone("caseworker")
    supervisor, supervisor_device = person_with_phone("supervisor")

    visit = _sign_in(open_page, caseworker, caseworker_device)

    def check(name: str) -> None:
        assert serious_axe_violations(visit) == [], name
        shoot(visit, name)

    case = _register_and_work_the_case(visit, caseworker, check=check)

    # Her supervisor, in a browser of her own: the team home is her home page.
    boss = _sign_in(open_page, supervisor, supervisor_device)
    page = boss.page
    assert page.url.rstrip("/") == boss.url(reverse("home")).rstrip("/")
    overdue = page.locator("section[aria-labelledby=overdue-title]")
    overdue.locator("summary").click()  # folded under its count on the home (issue 18)
    row = overdue.locator("tbody tr").filter(has_text=case.code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(caseworker.display_name)
    expect(
        page.locator("section[aria-labelledby=caseload-title] tbody tr").filter(
            has_text=caseworker.display_name
        )
    ).to_have_count(1)
    assert serious_axe_violations(boss) == [], "flow-5-team-home"
    shoot(boss, "flow-5-team-home")

    row.get_by_role("link", name=case.code).click()
    page.wait_for_load_state()
    expect(page.locator(".case-header .case-code a")).to_have_text(case.code)
    expect(page.locator("#notes ol.notes")).to_contain_text(NOTE_TEXT)
    expect(page.locator("#follow-ups li.entry--overdue")).to_have_count(1)
    shoot(boss, "flow-6-supervisor-case")


def test_the_worked_case_page_fits_a_phone(
    open_page,
    person_with_phone,
):
    caseworker, device = person_with_phone("caseworker")
    visit = _sign_in(open_page, caseworker, device, viewport=PHONE)

    def fits(name: str) -> None:
        assert scroll_width(visit) <= PHONE["width"], f"{name} scrolls sideways"

    _register_and_work_the_case(visit, caseworker, check=fits)
    # With every form of the case page open as well.
    page = visit.page
    summaries = page.locator("main details:not([open]) > summary")
    for _ in range(summaries.count()):
        summaries.first.click()  # each click opens one and drops it from the list
    assert page.locator("main details:not([open])").count() == 0
    fits("flow-case-all-open")
