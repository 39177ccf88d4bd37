"""A supervisor of the team approves the plan; never the person who wrote it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from plans import services
from plans import vocabularies as pv
from plans.queries import awaiting_approval
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_supervisor_who_wrote_the_plan_cannot_approve_it(
    case, supervisor, second_supervisor
):
    write_plan(supervisor, case)
    services.submit_plan(actor=supervisor, case=case)
    with pytest.raises(PermissionDenied):
        services.approve_plan(actor=supervisor, case=case)
    with pytest.raises(PermissionDenied):
        services.return_plan(actor=supervisor, case=case)
    case.plan.refresh_from_db()
    assert case.plan.status == pv.PlanStatus.AWAITING_APPROVAL
    assert list(awaiting_approval(supervisor)) == []
    assert list(awaiting_approval(second_supervisor)) == [case.plan]
    plan = services.approve_plan(actor=second_supervisor, case=case)
    assert plan.approved_by == second_supervisor


def test_a_supervisor_who_changed_a_goal_of_this_version_cannot_approve_it(
    case, caseworker, supervisor
):
    write_plan(caseworker, case)
    goal = case.plan.goals.first()
    services.change_goal(actor=supervisor, case=case, goal=goal, area=goal.area,
                         wording="Cambiado por la supervisora.")
    services.submit_plan(actor=caseworker, case=case)
    with pytest.raises(PermissionDenied):
        services.approve_plan(actor=supervisor, case=case)


def test_a_caseworker_cannot_approve_even_a_colleagues_plan(awaiting, case, caseworker):
    with pytest.raises(PermissionDenied):
        services.approve_plan(actor=caseworker, case=case)
    awaiting.refresh_from_db()
    assert awaiting.status == pv.PlanStatus.AWAITING_APPROVAL


def test_self_approval_through_the_page_is_a_recorded_403(client_for, case, supervisor):
    write_plan(supervisor, case)
    services.submit_plan(actor=supervisor, case=case)
    before = AccessEvent.objects.count()
    response = client_for(supervisor).post(
        reverse("plans:approve_plan", kwargs={"case_id": case.pk}))
    assert response.status_code == 403
    events = list(AccessEvent.objects.order_by("id")[before:])
    assert [(e.action, e.outcome) for e in events] == [(Action.PLAN_APPROVED, Outcome.DENIED)]
    case.plan.refresh_from_db()
    assert case.plan.status == pv.PlanStatus.AWAITING_APPROVAL


def test_the_page_offers_approval_only_to_a_supervisor_who_did_not_write_it(
    client_for, awaiting, case, caseworker, supervisor
):
    url = reverse("plans:plan_detail", kwargs={"case_id": case.pk})
    approve = reverse("plans:approve_plan", kwargs={"case_id": case.pk})
    assert approve in client_for(supervisor).get(url).content.decode()
    assert approve not in client_for(caseworker).get(url).content.decode()


def test_a_returned_plan_is_a_draft_again(awaiting, case, supervisor):
    plan = services.return_plan(actor=supervisor, case=case)
    assert plan.status == pv.PlanStatus.DRAFT
    assert plan.events.last().step == pv.PlanStep.RETURNED
