"""Issue 16 in a real browser, in Spanish, each person in a browser of her own.

- The caseworker writes a plan with three goals in her words, records how she agreed and
  links the shelter referral to an action; she submits it. Her supervisor finds it on her
  home and approves it. The shelter's partner completes the referral; the caseworker finds
  the assistance to confirm on her home, confirms it, reviews the plan, and prints her
  copy (her safe contact is not on it).
- Axe finds nothing serious on every plan page, with and without errors, in English and
  Spanish; no page scrolls sideways on a phone.

The case, her consent and the referral up to "accepted" are made through the services;
every plan step goes through the pages. Screenshots land in
var/screenshots/<lang>/plan-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import OrganizationKind
from cases import vocabularies as cv
from cases.services.intake import SafeContact, update_safe_contact
from cases.services.work import record_consent
from plans import services as plan_services
from plans import vocabularies as pv
from plans.models import AssistanceEntry, Plan
from referrals import services
from referrals import vocabularies as rv
from referrals.models import ServiceOffering
from tests.e2e.conftest import (
    DESKTOP,
    serious_axe_violations,
    shoot,
    submit_code,
    submit_password,
    unfold_section,
)
from tests.plans.conftest import THREE_GOALS, write_plan

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
]

SAFE_NUMBER = "+51 987 654 321"
CODE_WORD = "girasol"
REVIEW_NOTE = "Ya duerme en la casa refugio; el pasaporte sigue retenido."


@pytest.fixture
def shelter(other_organization) -> ServiceOffering:
    other_organization.kind = OrganizationKind.SHELTER
    other_organization.name = "Casa Refugio del Sur"
    other_organization.save()
    return ServiceOffering.objects.create(
        organization=other_organization, service_type=cv.ServiceType.SHELTER,
        name="Casa Refugio Arequipa", city="Arequipa", languages=["es"],
        genders_served=["female"], total_places=12, free_places=3,
    )


@pytest.fixture
def people(person_with_phone, shelter):
    return {role: person_with_phone(role) for role in ("caseworker", "supervisor", "partner")}


@pytest.fixture
def case(make_case, people):
    caseworker = people["caseworker"][0]
    case = make_case(caseworker)
    update_safe_contact(actor=caseworker, case=case, contact=SafeContact(
        channel=cv.ContactChannel.WHATSAPP, address=SAFE_NUMBER, code_word=CODE_WORD))
    record_consent(
        actor=caseworker, case=case, purpose=cv.ConsentPurpose.REFERRAL, given=True,
        method=cv.ConsentMethod.VERBAL, given_by=cv.ConsentGivenBy.SURVIVOR,
        recipient_service_type=cv.ServiceType.SHELTER,
        scope=[scope.value for scope in cv.ConsentScope],
    )
    return case


@pytest.fixture
def accepted(case, people, shelter):
    caseworker, supervisor, partner = (people[r][0] for r in ("caseworker", "supervisor",
                                                              "partner"))
    referral = services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.URGENT,
        reason="Necesita un lugar seguro.", items=rv.minimum_necessary("shelter"),
    )
    services.submit_referral(actor=caseworker, referral=referral)
    services.approve_referral(actor=supervisor, referral=referral)
    return services.accept_referral(actor=partner, referral=referral)


def _sign_in(open_page, user, device, language: str = "es"):
    visit = open_page(language, viewport=DESKTOP)
    visit.goto(reverse("accounts:login"))
    submit_password(visit, user.username)
    submit_code(visit, device)
    expect(visit.page).to_have_url(visit.url(reverse("home")))
    expect(visit.page.locator("html")).to_have_attribute("lang", language)
    return visit


def _check(visit, name: str) -> None:
    assert serious_axe_violations(visit) == [], name
    shoot(visit, name)


def _click_and_wait(page, locator) -> None:
    locator.click()
    page.wait_for_load_state()


def _success(page) -> None:
    expect(page.locator(".messages .message--success")).to_be_visible()


def _plan_url(case) -> str:
    return reverse("plans:plan_detail", kwargs={"case_id": case.pk})


def test_a_plan_is_written_approved_fed_by_a_referral_reviewed_and_printed(
    open_page, people, case, accepted, shelter
):
    caseworker, worker_device = people["caseworker"]
    supervisor, supervisor_device = people["supervisor"]
    partner, partner_device = people["partner"]

    # --- the caseworker writes the plan with her ---------------------------------------
    worker = _sign_in(open_page, caseworker, worker_device)
    page = worker.page
    worker.goto(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    unfold_section(page, "plan")
    plan_link = page.locator(f"section#plan a[href='{_plan_url(case)}']")
    _click_and_wait(page, plan_link)
    _click_and_wait(page, page.locator("form[action$='/plan/start/'] button"))
    _success(page)
    for index, (area, wording) in enumerate(THREE_GOALS):
        form = page.locator("form[action$='/plan/goals/']")
        if index:  # the form is folded away once she has a goal
            page.locator("details.work-form:has(form[action$='/plan/goals/']) > summary").click()
        form.locator("select[name=goal-area]").select_option(area.value)
        form.locator("textarea[name=goal-wording]").fill(wording)
        _click_and_wait(page, form.locator("button[type=submit]"))
        _success(page)
    for _area, wording in THREE_GOALS:
        expect(page.locator("section#goals")).to_contain_text(wording)
    _check(worker, "plan-1-goals")

    # An action of the accommodation goal goes through the shelter referral.
    plan = Plan.objects.get(case=case)
    goal = plan.goals.get(area=pv.Area.ACCOMMODATION)
    goal_box = page.locator(f"#goal-{goal.pk}")
    goal_box.locator("details > summary").last.click()
    action_form = goal_box.locator(f"form[action$='/plan/goals/{goal.pk}/actions/']")
    action_form.locator(f"textarea[name=action-{goal.pk}-description]").fill(
        "Estancia en la Casa Refugio Arequipa")
    action_form.locator(f"input[name=action-{goal.pk}-performer][value=provider]").check()
    action_form.locator(f"select[name=action-{goal.pk}-referral]").select_option(
        str(accepted.pk))
    _click_and_wait(page, action_form.locator("button[type=submit]"))
    _success(page)

    # How she agreed, then submit.
    _click_and_wait(page, page.locator(f"a[href='{reverse('plans:agreement', args=[case.pk])}']"))
    _check(worker, "plan-2-agreement")
    page.locator("input[name=method][value=verbal]").check()
    page.locator("input[name=agreed_by][value=survivor]").check()
    _click_and_wait(page, page.locator("main form button[type=submit]"))
    _success(page)
    _click_and_wait(page, page.locator("form[action$='/plan/submit/'] button"))
    _success(page)
    plan.refresh_from_db()
    assert plan.status == pv.PlanStatus.AWAITING_APPROVAL
    expect(page.locator("form[action$='/plan/approve/']")).to_have_count(0)

    # --- the supervisor approves it from her home ----------------------------------------
    boss = _sign_in(open_page, supervisor, supervisor_device)
    bpage = boss.page
    waiting = bpage.locator("#plans-to-approve")
    expect(waiting).to_contain_text(case.code)
    _check(boss, "plan-3-supervisor-home")
    waiting.locator("summary").click()  # folded under its count on the home (issue 18)
    _click_and_wait(bpage, waiting.get_by_role("link", name=case.code))
    _click_and_wait(bpage, bpage.locator("form[action$='/plan/approve/'] button"))
    _success(bpage)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == (pv.PlanStatus.APPROVED, supervisor)

    # --- the partner completes the referral ----------------------------------------------
    shelter_staff = _sign_in(open_page, partner, partner_device)
    spage = shelter_staff.page
    shelter_staff.goto(reverse("referrals:packet", args=[accepted.pk]))
    complete = spage.locator("form[action$='/step/complete/']")
    complete.locator("select[name=complete-outcome]").select_option(
        rv.CompletionOutcome.SERVICE_PROVIDED.value)
    _click_and_wait(spage, complete.locator("button[type=submit]"))
    _success(spage)
    entry = AssistanceEntry.objects.get(referral=accepted)
    assert entry.status == pv.AssistanceStatus.TO_CONFIRM

    # --- the caseworker confirms the assistance, reviews, prints -------------------------
    worker.goto(reverse("home"))
    to_confirm = page.locator("#assistance-to-confirm")
    expect(to_confirm).to_contain_text(case.code)
    to_confirm.locator("summary").click()  # folded under its count on the home (issue 18)
    _click_and_wait(page, to_confirm.get_by_role("link", name=case.code))
    _check(worker, "plan-4-confirm-assistance")
    page.locator("input[name=quantity]").fill("21")
    page.locator("select[name=unit]").select_option(pv.Unit.NIGHTS.value)
    _click_and_wait(page, page.locator("main form button[type=submit]"))
    _success(page)
    entry.refresh_from_db()
    assert (entry.status, entry.quantity) == (pv.AssistanceStatus.CORRECTED, 21)
    expect(page.locator("section#assistance")).to_contain_text(shelter.organization.name)

    _click_and_wait(page, page.locator(f"a[href='{reverse('plans:review', args=[case.pk])}']"))
    for goal in plan.goals.all():
        page.locator(f"input[name=goal_{goal.pk}][value=some_progress]").check()
    page.locator("textarea[name=note]").fill(REVIEW_NOTE)
    _check(worker, "plan-5-review")
    _click_and_wait(page, page.locator("main form button[type=submit]"))
    _success(page)
    plan.refresh_from_db()
    assert plan.status == pv.PlanStatus.REVIEWED
    expect(page.locator("section#reviews")).to_contain_text(REVIEW_NOTE)
    _check(worker, "plan-6-reviewed")

    unfold_section(page, "copy")
    copy = page.locator("section#copy form")
    copy.locator("input[name=parts][value=name]").check()
    _click_and_wait(page, copy.locator("button[type=submit]"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    sheet = page.locator("main")
    for _area, wording in THREE_GOALS:
        expect(sheet).to_contain_text(wording)
    expect(sheet).not_to_contain_text(SAFE_NUMBER)
    expect(sheet).not_to_contain_text(CODE_WORD)
    _check(worker, "plan-7-copy")


LANGUAGES = ["en", "es"]


def _no_serious_violations(visit, name: str) -> None:
    expect(visit.page.locator("html")).to_have_attribute("lang", visit.language)
    _check(visit, name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plan_page_has_no_serious_axe_violations(
    language, open_page, people, case, accepted
):
    caseworker, device = people["caseworker"]
    supervisor = people["supervisor"][0]
    plan = write_plan(caseworker, case)
    plan_services.submit_plan(actor=caseworker, case=case)
    plan_services.approve_plan(actor=supervisor, case=case)
    entry = AssistanceEntry.objects.create(
        case=case, survivor_id=case.survivor_id, category=pv.Area.ACCOMMODATION,
        started_on=timezone.localdate(), provider=accepted.provider, referral=accepted,
        source=pv.AssistanceSource.REFERRAL, status=pv.AssistanceStatus.TO_CONFIRM,
        partner_outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
    )
    goal = plan.goals.first()
    worker = _sign_in(open_page, caseworker, device, language)
    page = worker.page
    pages = {
        "plan": _plan_url(case),
        "agreement": reverse("plans:agreement", args=[case.pk]),
        "goal": reverse("plans:edit_goal", args=[case.pk, goal.pk]),
        "review": reverse("plans:review", args=[case.pk]),
        "final-review": reverse("plans:final_review", args=[case.pk]),
        "confirm": reverse("plans:confirm_assistance", args=[case.pk, entry.pk]),
        "copy": reverse("plans:print_copy", args=[case.pk]),
    }
    for name, url in pages.items():
        worker.goto(url)
        _no_serious_violations(worker, f"plan-axe-{name}")
    # Every form sent back with its errors, the summary at the top.
    for name in ("agreement", "goal", "review", "final-review", "confirm"):
        worker.goto(pages[name])
        form = page.locator("main form[method=post]").last
        for field in form.locator("textarea").all():
            field.fill("")
        for field in form.locator("input[type=date]").all():
            field.fill("")
        _click_and_wait(page, form.locator("button[type=submit]"))
        # The page's one error summary (base.html) takes the focus; there is no other.
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("main [role=alert]")).to_have_count(0)
        _no_serious_violations(worker, f"plan-axe-{name}-errors")
    worker.goto(pages["plan"])
    unfold_section(page, "goals")
    page.locator("details.work-form:has(form[action$='/plan/goals/']) > summary").click()
    _click_and_wait(page, page.locator("form[action$='/plan/goals/'] button[type=submit]"))
    expect(page.locator("#error-summary")).to_contain_text(re.compile(".+"))
    _no_serious_violations(worker, "plan-axe-plan-errors")
