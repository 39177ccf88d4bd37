"""Issue 5 in a real browser, in Spanish, each person in a browser of her own.

- A caseworker refers a survivor to a shelter from her case page ("minimum necessary"
  pre-ticked) and submits it; her supervisor finds it on her team home and approves it;
  the shelter's partner finds it in the inbox, opens the packet, accepts, and completes it
  with an outcome; the caseworker sees it completed on the case page.
- The emergency path: the caseworker sends it at once with a reason; the partner has it in
  the inbox; the supervisor finds it among the emergency sends to review and reviews it.
- Axe finds nothing on the inbox, the packet, the referral page and the referral form (in
  English and Spanish, with their error states).

The case and her consent are made through the services; every referral step goes through
the pages. Every step leaves screenshots in var/screenshots/<lang>/referral-*.png.

Spanish strings may reach the catalogue after these tests are written: the tests find
things by ids, names, form actions and URLs, and compare text only against the
English-or-Spanish alternatives of ``_either``.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import OrganizationKind
from cases import vocabularies as cv
from cases.services.work import record_consent
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral, ServiceOffering
from tests.e2e.conftest import (
    DESKTOP,
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

SURVIVOR_NAME = "María José Pérez Salas"  # tests/conftest.py ``make_case``
REASON = "Necesita un lugar seguro esta semana; llegó sin documentos ni dinero."
EMERGENCY_REASON = "Su explotador la busca esta noche en el albergue temporal."
OUTCOME_NOTE = "Se quedó tres semanas y pasó a una vivienda propia."
REVIEW_NOTE = "Hablé con ella y con la casa refugio: no podía esperar a la mañana."


def _either(english: str, spanish: str) -> re.Pattern:
    """Text as it reads in English or in Spanish, whichever the catalogue gives today."""
    return re.compile(f"{re.escape(english)}|{re.escape(spanish)}", re.IGNORECASE)


COMPLETED = _either("Completed", "Completad")
SENT = _either("Sent", "Enviad")


# --- the people and what is set up around them ------------------------------------------


@pytest.fixture
def shelter(other_organization) -> ServiceOffering:
    """A shelter of another organisation of the network, with free places; its partner
    staff is the shared ``partner`` fixture (of ``other_organization``)."""
    other_organization.kind = OrganizationKind.SHELTER
    other_organization.name = "Casa Refugio del Sur"
    other_organization.save()
    return ServiceOffering.objects.create(
        organization=other_organization,
        service_type=cv.ServiceType.SHELTER,
        name="Casa Refugio Arequipa",
        city="Arequipa",
        region="Arequipa",
        languages=["es", "qu"],
        accepts_children=False,
        genders_served=["female"],
        total_places=12,
        free_places=3,
    )


@pytest.fixture
def people(person_with_phone, shelter):
    """Caseworker, supervisor (same team) and the shelter's partner, each with an
    authenticator and an address for the notifications."""
    found = {}
    for role in ("caseworker", "supervisor", "partner"):
        user, device = person_with_phone(role)
        user.email = f"{role}@amparo.invalid"
        user.save(update_fields=["email"])
        found[role] = (user, device)
    return found


@pytest.fixture
def case(make_case, people):
    """Her case, with her (verbal) consent to be referred to shelters, all scopes."""
    caseworker = people["caseworker"][0]
    case = make_case(caseworker)
    record_consent(
        actor=caseworker,
        case=case,
        purpose=cv.ConsentPurpose.REFERRAL,
        given=True,
        method=cv.ConsentMethod.VERBAL,
        given_by=cv.ConsentGivenBy.SURVIVOR,
        recipient_service_type=cv.ServiceType.SHELTER,
        scope=[scope.value for scope in cv.ConsentScope],
    )
    return case


# --- helpers ---------------------------------------------------------------------------


def _sign_in(open_page, user, device, language: str = "es"):
    visit = open_page(language, viewport=DESKTOP)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    expect(visit.page).to_have_url(visit.url(reverse("home")))
    expect(visit.page.locator("html")).to_have_attribute("lang", language)
    return visit


def _check(visit, name: str) -> None:
    """Axe finds nothing serious; screenshots at desktop and phone width (and no sideways
    scrolling at 360 px)."""
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


def _step_button(page, step: str):
    """The button of a workflow step's form, found by where the form posts."""
    return page.locator(f"form[action$='/step/{step}/'] button[type=submit]")


def _click_and_wait(page, locator) -> None:
    locator.click()
    page.wait_for_load_state()


def _success_message(page) -> None:
    expect(page.locator(".messages .message--success")).to_be_visible()


def _open_case_from_home(visit, case) -> None:
    """As she would at the start of a shift: her home lists her open cases."""
    page = visit.page
    section = page.locator("section[aria-labelledby=open-cases-title]")
    section.locator("summary").click()  # the list is folded under its count (issue 18)
    link = section.get_by_role("link", name=case.code)
    _click_and_wait(page, link.first)
    expect(page.locator(".case-header .case-code")).to_contain_text(case.code)


def _draft_referral(visit, case, shelter, *, urgency: str, shots: str) -> Referral:
    """From the case page to a saved draft: the service, the urgency, why, what to share
    (minimum necessary, as pre-ticked). ``shots`` prefixes the screenshots' names."""
    page = visit.page
    referrals = page.locator("section#referrals")
    expect(referrals).to_be_visible()
    unfold_section(page, "referrals")
    _check(visit, f"{shots}-1-case")
    create_url = reverse("referrals:create", kwargs={"case_id": case.pk})
    _click_and_wait(page, referrals.locator(f"a[href='{create_url}']"))

    # Step 1 of 2: the service.
    choice = page.locator(f"input[name=offering][value='{shelter.pk}']")
    expect(choice).to_have_count(1)
    choice.check()
    _check(visit, f"{shots}-2-choose")
    _click_and_wait(page, page.locator("form:has(input[name=offering]) button[type=submit]"))

    # Step 2 of 2: why, how urgent, what to share; "minimum necessary" is ticked already.
    form = page.locator("form:has(textarea[name=reason])")
    expect(form).to_be_visible()
    minimum = set(rv.minimum_necessary(shelter.service_type))
    offered = form.locator("input[name=items]")
    assert offered.count() > 0
    for index in range(offered.count()):
        box = offered.nth(index)
        value = box.get_attribute("value")
        if value in minimum:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
    form.locator(f"input[name=urgency][value={urgency}]").check()
    form.locator("textarea[name=reason]").fill(REASON)
    _check(visit, f"{shots}-3-form")
    _click_and_wait(page, form.locator("button[type=submit]"))

    # The referral page, a draft.
    _success_message(page)
    expect(page.locator(".referral-state .badge--referral-draft")).to_be_visible()
    referral = Referral.objects.get(case=case)
    assert page.url.rstrip("/").endswith(str(referral.pk))
    assert referral.state == rv.State.DRAFT
    assert set(referral.items) == minimum - {rv.PacketItem.GUARDIAN}  # she is an adult
    return referral


def _find_in_inbox(visit, case, *, shot: str):
    """The partner, from her navigation to the inbox, finds the case's row."""
    page = visit.page
    inbox_url = reverse("referrals:inbox")
    _click_and_wait(page, page.locator(f"nav.main-nav a[href='{inbox_url}']"))
    row = page.locator("table.inbox-table tbody tr").filter(has_text=case.code)
    expect(row).to_have_count(1)
    # The inbox names the case by its code only: nothing of her.
    expect(page.locator("main")).not_to_contain_text(SURVIVOR_NAME)
    _check(visit, shot)
    return row


# --- the whole path -------------------------------------------------------------------


def test_a_referral_goes_from_the_caseworker_through_her_supervisor_to_the_shelter(
    open_page, people, case, shelter
):
    caseworker, caseworker_device = people["caseworker"]
    supervisor, supervisor_device = people["supervisor"]
    partner, partner_device = people["partner"]

    # The caseworker drafts it from the case page and submits it for approval.
    worker = _sign_in(open_page, caseworker, caseworker_device)
    _open_case_from_home(worker, case)
    referral = _draft_referral(worker, case, shelter, urgency="urgent", shots="referral-flow")
    page = worker.page
    _check(worker, "referral-flow-4-draft")
    _click_and_wait(page, _step_button(page, "submit"))
    _success_message(page)
    expect(page.locator(".referral-state .badge--referral-submitted")).to_be_visible()
    # Nothing left Amparo yet; only the approval is on offer to others, not to her.
    expect(_step_button(page, "approve")).to_have_count(0)
    _check(worker, "referral-flow-5-submitted")
    referral.refresh_from_db()
    assert (referral.state, referral.submitted_by, referral.packet) == (
        rv.State.SUBMITTED,
        caseworker,
        None,
    )
    to_approve = [m for m in mail.outbox if supervisor.email in m.to]
    assert len(to_approve) == 1
    assert reverse("referrals:detail", args=[referral.pk]) in to_approve[0].body
    assert SURVIVOR_NAME not in to_approve[0].body

    # Her supervisor, in her own browser: the team home lists it awaiting approval.
    boss = _sign_in(open_page, supervisor, supervisor_device)
    page = boss.page
    awaiting = page.locator("section[aria-labelledby=approve-title] tbody tr").filter(
        has_text=case.code
    )
    expect(awaiting).to_have_count(1)
    expect(awaiting).to_contain_text(shelter.name)
    expect(awaiting).to_contain_text(caseworker.display_name)
    _check(boss, "referral-flow-6-team-home")
    _click_and_wait(page, awaiting.get_by_role("link", name=case.code))
    expect(page.locator(".referral-state .badge--referral-submitted")).to_be_visible()
    expect(page.locator("main")).to_contain_text(REASON)
    _check(boss, "referral-flow-7-to-approve")
    _click_and_wait(page, _step_button(page, "approve"))
    _success_message(page)
    expect(page.locator(".referral-state .badge--referral-sent")).to_be_visible()
    # The sealed packet, exactly as the shelter will read it.
    expect(page.locator(".referral-packet")).to_contain_text(SURVIVOR_NAME)
    _check(boss, "referral-flow-8-approved")
    referral.refresh_from_db()
    assert (referral.state, referral.approved_by) == (rv.State.SENT, supervisor)
    assert referral.due_at is not None and referral.packet_sealed_at is not None
    boss.goto(reverse("home"))
    expect(
        page.locator("section[aria-labelledby=approve-title] tbody tr").filter(has_text=case.code)
    ).to_have_count(0)

    # The shelter's partner, in her own browser: the inbox, the packet, accept.
    shelter_staff = _sign_in(open_page, partner, partner_device)
    page = shelter_staff.page
    row = _find_in_inbox(shelter_staff, case, shot="referral-flow-9-inbox")
    expect(row).to_contain_text(shelter.name)
    _click_and_wait(page, row.get_by_role("link", name=case.code))
    assert page.url.rstrip("/").endswith(
        reverse("referrals:packet", args=[referral.pk]).rstrip("/")
    )
    packet = page.locator(".packet")
    expect(packet).to_contain_text(SURVIVOR_NAME)
    expect(packet).to_contain_text(REASON)
    # Not ticked, so not shared: her birth date (12/04/1996) is nowhere on the page.
    expect(page.locator("main")).not_to_contain_text("1996")
    _check(shelter_staff, "referral-flow-10-packet")
    _click_and_wait(page, _step_button(page, "accept"))
    _success_message(page)
    expect(_step_button(page, "accept")).to_have_count(0)
    expect(_step_button(page, "decline")).to_have_count(0)
    _check(shelter_staff, "referral-flow-11-accepted")
    referral.refresh_from_db()
    assert (referral.state, referral.answered_by) == (rv.State.ACCEPTED, partner)
    # The packet is all she gets: the case itself is not found for her.
    case_url = shelter_staff.url(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert page.goto(case_url).status == 404
    page.go_back()
    page.wait_for_load_state()

    # Three weeks later, the partner completes it with its outcome.
    complete = page.locator("form[action$='/step/complete/']")
    complete.locator("select[name=complete-outcome]").select_option(
        rv.CompletionOutcome.SERVICE_PROVIDED.value
    )
    complete.locator("textarea[name=complete-note]").fill(OUTCOME_NOTE)
    _click_and_wait(page, complete.locator("button[type=submit]"))
    _success_message(page)
    expect(page.locator("form[action$='/step/complete/']")).to_have_count(0)
    _check(shelter_staff, "referral-flow-12-completed")
    referral.refresh_from_db()
    assert (referral.state, referral.outcome, referral.completed_by) == (
        rv.State.COMPLETED,
        rv.CompletionOutcome.SERVICE_PROVIDED,
        partner,
    )
    assert [event.action for event in referral.events.order_by("at")] == [
        "submit",
        "approve",
        "accept",
        "complete",
    ]

    # The caseworker sees it completed on the case page, and its outcome on the referral.
    page = worker.page
    worker.goto(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    unfold_section(page, "referrals")
    row = page.locator("section#referrals tbody tr").filter(has_text=shelter.name)
    expect(row).to_have_count(1)
    status = row.locator(".badge--referral-completed")
    expect(status).to_be_visible()
    expect(status).to_have_text(COMPLETED)
    _check(worker, "referral-flow-13-case-completed")
    _click_and_wait(page, row.get_by_role("link", name=shelter.name))
    expect(page.locator(".referral-state .badge--referral-completed")).to_be_visible()
    expect(page.locator("main")).to_contain_text(OUTCOME_NOTE)
    _check(worker, "referral-flow-14-referral-completed")
    answered = [m for m in mail.outbox if caseworker.email in m.to]
    assert len(answered) == 2  # accepted, then completed
    assert all(SURVIVOR_NAME not in m.body and OUTCOME_NOTE not in m.body for m in answered)


# --- the emergency path --------------------------------------------------------------


def test_an_emergency_send_reaches_the_shelter_at_once_and_her_supervisor_reviews_it(
    open_page, people, case, shelter
):
    caseworker, caseworker_device = people["caseworker"]
    supervisor, supervisor_device = people["supervisor"]
    partner, partner_device = people["partner"]

    # At night, the caseworker sends it at once, saying why it cannot wait.
    worker = _sign_in(open_page, caseworker, caseworker_device)
    _open_case_from_home(worker, case)
    referral = _draft_referral(
        worker, case, shelter, urgency="emergency", shots="referral-emergency"
    )
    page = worker.page
    step = page.locator("li.step--send_emergency")
    # An emergency draft opens "send now" by itself: the caseworker only writes why.
    expect(step.locator("details")).to_have_attribute("open", "")
    step.locator("textarea[name=send_emergency-reason]").fill(EMERGENCY_REASON)
    _check(worker, "referral-emergency-4-send")
    _click_and_wait(page, _step_button(page, "send_emergency"))
    _success_message(page)
    expect(page.locator(".referral-state .badge--referral-sent")).to_be_visible()
    expect(page.locator(".referral-state .badge--emergency")).to_be_visible()
    expect(page.locator("main")).to_contain_text(EMERGENCY_REASON)
    _check(worker, "referral-emergency-5-sent")
    referral.refresh_from_db()
    assert (referral.state, referral.emergency, referral.approved_by) == (rv.State.SENT, True, None)

    # The shelter has it in its inbox straight away, marked as an emergency.
    shelter_staff = _sign_in(open_page, partner, partner_device)
    row = _find_in_inbox(shelter_staff, case, shot="referral-emergency-6-inbox")
    expect(row.locator("th .badge")).to_have_text(_either("Emergency", "Emergencia"))
    expect(row).to_contain_text(SENT)
    _click_and_wait(shelter_staff.page, row.get_by_role("link", name=case.code))
    expect(shelter_staff.page.locator(".packet")).to_contain_text(REASON)
    expect(_step_button(shelter_staff.page, "accept")).to_be_visible()
    _check(shelter_staff, "referral-emergency-7-packet")

    # Her supervisor finds it among the emergency sends to review, and reviews it.
    boss = _sign_in(open_page, supervisor, supervisor_device)
    page = boss.page
    expect(
        page.locator("section[aria-labelledby=approve-title] tbody tr").filter(has_text=case.code)
    ).to_have_count(0)
    to_review = page.locator("section[aria-labelledby=review-emergency-title] tbody tr").filter(
        has_text=case.code
    )
    expect(to_review).to_have_count(1)
    expect(to_review).to_contain_text(caseworker.display_name)
    _check(boss, "referral-emergency-8-team-home")
    # Folded under its count on the home (issue 18): she opens it.
    page.locator("section[aria-labelledby=review-emergency-title] summary").click()
    _click_and_wait(page, to_review.get_by_role("link", name=case.code))
    expect(page.locator("main")).to_contain_text(EMERGENCY_REASON)
    review = page.locator(f"form[action='{reverse('referrals:review', args=[referral.pk])}']")
    review.locator("xpath=ancestor::details[1]/summary").click()
    review.locator(f"input[name=review-finding][value={rv.ReviewFinding.REVIEWED}]").check()
    review.locator("textarea[name=review-note]").fill(REVIEW_NOTE)
    _check(boss, "referral-emergency-9-review")
    _click_and_wait(page, review.locator("button[type=submit]"))
    _success_message(page)
    expect(page.locator("main")).to_contain_text(REVIEW_NOTE)
    expect(page.locator(f"form[action$='/{referral.pk}/review/']")).to_have_count(0)
    _check(boss, "referral-emergency-10-reviewed")
    referral.refresh_from_db()
    assert (referral.review_finding, referral.reviewed_by) == (
        rv.ReviewFinding.REVIEWED,
        supervisor,
    )

    # Off her list once reviewed.
    boss.goto(reverse("home"))
    expect(
        page.locator("section[aria-labelledby=review-emergency-title] tbody tr").filter(
            has_text=case.code
        )
    ).to_have_count(0)


# --- accessibility ----------------------------------------------------------------------


def all_axe_violations(visit) -> list[str]:
    """Every axe violation, whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"])
        for v in results.response["violations"]
    ]


def _no_axe_violations(visit, name: str) -> None:
    expect(visit.page.locator("html")).to_have_attribute("lang", visit.language)
    assert all_axe_violations(visit) == [], name
    shoot(visit, name)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_referral_pages_have_no_axe_violations(
    language, open_page, people, case, shelter, make_case
):
    caseworker, caseworker_device = people["caseworker"]
    partner, partner_device = people["partner"]
    supervisor = people["supervisor"][0]
    # One referral the shelter has answered, and one still awaiting its answer.
    minimum = [i for i in rv.minimum_necessary(shelter.service_type) if i != "guardian"]
    answered = services.create_referral(
        actor=caseworker,
        case=case,
        offering=shelter,
        urgency=rv.Urgency.URGENT,
        reason=REASON,
        items=minimum,
    )
    services.submit_referral(actor=caseworker, referral=answered)
    services.approve_referral(actor=supervisor, referral=answered)
    services.accept_referral(actor=partner, referral=answered)
    waiting = services.create_referral(
        actor=caseworker,
        case=case,
        offering=shelter,
        urgency=rv.Urgency.EMERGENCY,
        reason=REASON,
        items=minimum,
    )
    services.send_emergency(actor=caseworker, referral=waiting, reason=EMERGENCY_REASON)
    # A draft to a shelter that is full, and a draft of a case without her consent.
    full = ServiceOffering.objects.create(
        organization=shelter.organization,
        service_type=cv.ServiceType.SHELTER,
        name="Casa Refugio Cusco",
        city="Cusco",
        total_places=6,
        free_places=0,
    )
    to_full = services.create_referral(
        actor=caseworker,
        case=case,
        offering=full,
        urgency=rv.Urgency.URGENT,
        reason=REASON,
        items=minimum,
    )
    unconsented = services.create_referral(
        actor=caseworker,
        case=make_case(caseworker, given_names="Rosa"),
        offering=shelter,
        urgency=rv.Urgency.URGENT,
        reason=REASON,
        items=minimum,
    )

    worker = _sign_in(open_page, caseworker, caseworker_device, language)
    page = worker.page
    create_url = reverse("referrals:create", kwargs={"case_id": case.pk})
    worker.goto(create_url)
    _no_axe_violations(worker, "referral-axe-choose")
    worker.goto(f"{create_url}?offering={shelter.pk}")
    _no_axe_violations(worker, "referral-axe-form")
    # Sent without a reason: the form comes back with its errors.
    page.locator("form:has(textarea[name=reason]) button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".field--error")).not_to_have_count(0)
    _no_axe_violations(worker, "referral-axe-form-errors")
    worker.goto(reverse("referrals:detail", args=[answered.pk]))
    page.locator("main details:not([open]) > summary").first.wait_for()
    for _ in range(page.locator("main details:not([open]) > summary").count()):
        page.locator("main details:not([open]) > summary").first.click()
    _no_axe_violations(worker, "referral-axe-referral-accepted")
    worker.goto(reverse("referrals:detail", args=[waiting.pk]))
    _no_axe_violations(worker, "referral-axe-referral-emergency")

    # No consent: submitting is refused, and the page says why; it stays a draft.
    worker.goto(reverse("referrals:detail", args=[unconsented.pk]))
    _click_and_wait(page, _step_button(page, "submit"))
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(".referral-state .badge--referral-draft")).to_be_visible()
    _no_axe_violations(worker, "referral-axe-referral-no-consent")
    unconsented.refresh_from_db()
    assert unconsented.state == rv.State.DRAFT

    # A full shelter: she must tick "refer anyway"; without it nothing happens.
    worker.goto(reverse("referrals:detail", args=[to_full.pk]))
    submit = page.locator("li.step--submit")
    submit.locator("details > summary").click()
    confirm = submit.locator("input[type=checkbox][name=submit-confirm_without_places]")
    expect(confirm).to_be_visible()
    _click_and_wait(page, _step_button(page, "submit"))
    expect(page.locator(".referral-state .badge--referral-draft")).to_be_visible()
    expect(
        page.locator("li.step--submit .field--error, li.step--submit .alert")
    ).not_to_have_count(0)
    _no_axe_violations(worker, "referral-axe-referral-full")
    page.locator("input[name=submit-confirm_without_places]").check()
    _click_and_wait(page, _step_button(page, "submit"))
    expect(page.locator(".referral-state .badge--referral-submitted")).to_be_visible()
    to_full.refresh_from_db()
    assert (to_full.state, to_full.confirmed_without_places) == (rv.State.SUBMITTED, True)

    shelter_staff = _sign_in(open_page, partner, partner_device, language)
    shelter_staff.goto(reverse("referrals:inbox"))
    expect(shelter_staff.page.locator("table.inbox-table tbody tr")).to_have_count(2)
    _no_axe_violations(shelter_staff, "referral-axe-inbox")
    shelter_staff.goto(reverse("referrals:packet", args=[waiting.pk]))
    _no_axe_violations(shelter_staff, "referral-axe-packet-new")
    # Declined without a reason or a note: the packet comes back with the form's errors.
    _step_button(shelter_staff.page, "decline").click()
    shelter_staff.page.wait_for_load_state()
    expect(shelter_staff.page.locator(".field--error")).not_to_have_count(0)
    _no_axe_violations(shelter_staff, "referral-axe-packet-errors")
    shelter_staff.goto(reverse("referrals:packet", args=[answered.pk]))
    _no_axe_violations(shelter_staff, "referral-axe-packet-accepted")
