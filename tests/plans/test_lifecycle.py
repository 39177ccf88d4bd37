"""The plan's life: draft → awaiting approval → approved → reviewed → closed with the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from cases.services.management import add_months, close_case, reopen_case
from plans import services
from plans import vocabularies as pv
from plans.models import Plan, PlanEvent
from tests.plans.conftest import ratings, write_plan

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_plan_goes_from_draft_to_closed_with_the_case(case, caseworker, supervisor):
    plan = write_plan(caseworker, case)
    assert plan.status == pv.PlanStatus.DRAFT

    plan = services.submit_plan(actor=caseworker, case=case)
    assert plan.status == pv.PlanStatus.AWAITING_APPROVAL

    plan = services.approve_plan(actor=supervisor, case=case)
    today = timezone.localdate()
    assert plan.status == pv.PlanStatus.APPROVED
    assert plan.approved_by == supervisor
    assert plan.next_review_on == add_months(today, 1)

    later = timezone.now() + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        review = services.review_plan(actor=caseworker, case=case,
                                      progress=ratings(plan, pv.Progress.ON_TRACK), note="Bien.")
        plan.refresh_from_db()
        assert plan.status == pv.PlanStatus.REVIEWED
        assert plan.next_review_on == add_months(timezone.localdate(), 1)
        assert review.progress.count() == 3

        services.final_review(
            actor=caseworker, case=case,
            outcomes={**ratings(plan, pv.FinalOutcome.MET)}, status=cv.CaseStatus.CLOSED,
            closure_reason=cv.ClosureReason.GOALS_MET, note="Cerrado.",
        )
    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == pv.PlanStatus.CLOSED
    assert case.status == cv.CaseStatus.CLOSED
    assert case.closure_reason == cv.ClosureReason.GOALS_MET
    assert set(plan.goals.values_list("final_outcome", flat=True)) == {pv.FinalOutcome.MET}
    steps = list(PlanEvent.objects.filter(plan=plan).values_list("step", "to_status"))
    assert [step for step, _to in steps if step != pv.PlanStep.CHANGED] == [
        pv.PlanStep.STARTED, pv.PlanStep.SUBMITTED, pv.PlanStep.APPROVED,
        pv.PlanStep.REVIEWED, pv.PlanStep.FINAL_REVIEW,
    ]
    actions = set(AccessEvent.objects.filter(case_code=case.code).values_list("action", flat=True))
    assert {Action.PLAN_STARTED, Action.PLAN_SUBMITTED, Action.PLAN_APPROVED,
            Action.PLAN_REVIEWED, Action.CASE_CLOSED} <= actions


def test_closing_the_case_asks_for_the_final_review_of_a_plan_in_force(
    approved, case, caseworker
):
    with pytest.raises(ValidationError) as refused:
        close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
                   reason=cv.ClosureReason.GOALS_MET)
    assert "final review" in " ".join(refused.value.messages)
    case.refresh_from_db()
    approved.refresh_from_db()
    assert case.status == cv.CaseStatus.OPEN
    assert approved.status == pv.PlanStatus.APPROVED


def test_a_plan_never_approved_closes_with_the_case(draft, case, caseworker):
    close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
               reason=cv.ClosureReason.LOST_CONTACT)
    draft.refresh_from_db()
    assert draft.status == pv.PlanStatus.CLOSED
    assert draft.events.last().step == pv.PlanStep.CLOSED_WITH_CASE


def test_a_final_review_that_close_case_refuses_changes_nothing(approved, case, caseworker):
    """The check-ins are close_case's to refuse: the review is undone with it."""
    with pytest.raises(ValidationError):
        services.final_review(
            actor=caseworker, case=case, outcomes=ratings(approved, pv.FinalOutcome.MET),
            status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.GOALS_MET,
            check_ins=[timezone.localdate() - timedelta(days=1)],
        )
    approved.refresh_from_db()
    assert approved.status == pv.PlanStatus.APPROVED
    assert not approved.reviews.exists()
    assert set(approved.goals.values_list("final_outcome", flat=True)) == {""}


def test_every_goal_must_be_rated_at_a_review(approved, case, caseworker):
    partial = dict(list(ratings(approved, pv.Progress.MET).items())[:2])
    with pytest.raises(ValidationError):
        services.review_plan(actor=caseworker, case=case, progress=partial)
    assert not approved.reviews.exists()


def test_changing_her_goals_after_approval_makes_a_new_version_to_approve(
    approved, case, caseworker, supervisor
):
    goal = approved.goals.first()
    services.change_goal(actor=caseworker, case=case, goal=goal, area=goal.area,
                         wording="Un lugar seguro con mi hija.")
    approved.refresh_from_db()
    assert (approved.status, approved.version, approved.approved_version) == (
        pv.PlanStatus.DRAFT, 2, 1)
    services.submit_plan(actor=caseworker, case=case)
    plan = services.approve_plan(actor=supervisor, case=case)
    assert (plan.status, plan.approved_version) == (pv.PlanStatus.APPROVED, 2)
    assert plan.history.count() > 3  # earlier versions stay in its history


def test_actions_change_without_a_new_approval(approved, case, caseworker):
    action = approved.goals.first().actions.first()
    services.update_action(actor=caseworker, case=case, action=action,
                           status=pv.ActionStatus.DROPPED, drop_reason=pv.DropReason.NOT_NEEDED)
    approved.refresh_from_db()
    assert approved.status == pv.PlanStatus.APPROVED
    with pytest.raises(ValidationError):
        services.update_action(actor=caseworker, case=case, action=action,
                               status=pv.ActionStatus.DROPPED, drop_reason="")


def test_a_plan_waiting_for_approval_cannot_be_changed(awaiting, case, caseworker):
    with pytest.raises(ValidationError):
        services.add_goal(actor=caseworker, case=case, area=pv.Area.HEALTH, wording="Otra.")
    assert awaiting.goals.count() == 3


def test_a_plan_is_not_submitted_without_goals_or_her_agreement(case, caseworker):
    services.start_plan(actor=caseworker, case=case)
    with pytest.raises(ValidationError):
        services.submit_plan(actor=caseworker, case=case)
    services.add_goal(actor=caseworker, case=case, area=pv.Area.SAFETY, wording="Estar a salvo.")
    with pytest.raises(ValidationError):
        services.submit_plan(actor=caseworker, case=case)
    assert Plan.objects.get(case=case).status == pv.PlanStatus.DRAFT


def test_a_reopened_case_plans_again_as_a_new_version(approved, case, caseworker):
    services.final_review(
        actor=caseworker, case=case, outcomes=ratings(approved, pv.FinalOutcome.PARTLY_MET),
        status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.MOVED_AWAY,
    )
    with pytest.raises(ValidationError):
        services.start_plan(actor=caseworker, case=case)
    reopen_case(actor=caseworker, case=case, reason=cv.ReopenReason.NEW_NEED)
    plan = services.start_plan(actor=caseworker, case=case)
    assert (plan.status, plan.version, plan.agreed_on) == (pv.PlanStatus.DRAFT, 2, None)


def test_a_plan_changed_after_approval_still_needs_its_final_review(approved, case, caseworker):
    """Changing a goal sends the plan back for approval; it does not open a way round the
    final review."""
    goal = approved.goals.first()
    services.change_goal(actor=caseworker, case=case, goal=goal, area=goal.area,
                         wording="Otra forma de decirlo.")
    with pytest.raises(ValidationError):
        close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
                   reason=cv.ClosureReason.GOALS_MET)
    services.final_review(actor=caseworker, case=case,
                          outcomes=ratings(approved, pv.FinalOutcome.NOT_MET),
                          status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.LOST_CONTACT)
    case.refresh_from_db()
    assert case.status == cv.CaseStatus.CLOSED


def test_a_plan_planned_again_needs_its_own_approval_and_no_final_review_before(
    approved, case, caseworker
):
    services.final_review(actor=caseworker, case=case,
                          outcomes=ratings(approved, pv.FinalOutcome.MET),
                          status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.GOALS_MET)
    reopen_case(actor=caseworker, case=case, reason=cv.ReopenReason.NEW_NEED)
    plan = services.start_plan(actor=caseworker, case=case)
    assert (plan.approved_at, plan.approved_by) == (None, None)
    assert set(plan.goals.values_list("final_outcome", flat=True)) == {""}
    # Never approved in this life: it closes with the case.
    close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
               reason=cv.ClosureReason.MOVED_AWAY)
    plan.refresh_from_db()
    assert plan.status == pv.PlanStatus.CLOSED
