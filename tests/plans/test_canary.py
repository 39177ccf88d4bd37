"""Canaries in every sealed value of a plan never appear in clear, and shredding her key
destroys them with the rest of her record.

Canaries go into her goals, the actions, the agreement note, a periodic and a final
review note and an assistance note; goals are changed again so that history rows hold
older versions; the plan page and her printed copy are opened. Then every table of both
databases (history included), the file storage, the logs and the mail are searched.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import vocabularies as cv
from cases.services.management import confirm_shredding, request_shredding
from plans import services
from plans import vocabularies as pv
from plans.models import AssistanceEntry, Goal, GoalAction, Plan, Review
from tests.plans.conftest import agree, ratings
from vault import services as vault
from vault.exceptions import OwnerShredded
from vault.fields import encrypted_fields

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])

PLAN_MODELS = (Plan, Goal, GoalAction, Review, AssistanceEntry)


def test_every_sealed_field_of_plans_is_bound_to_her_key():
    sealed = [(model, field) for model, field in encrypted_fields()
              if model._meta.app_label == "plans"]
    live = {model.__name__ for model, _field in sealed if not model.__name__.startswith("Hist")}
    assert live == {"Plan", "Goal", "GoalAction", "Review", "AssistanceEntry"}
    assert {field.owner for _model, field in sealed} == {"survivor_id"}
    # History tables copy the ciphertext: they have the same sealed columns.
    assert len(sealed) == 2 * len(live)


def _fill_a_plan(canaries, *, case, caseworker, supervisor):
    services.start_plan(actor=caseworker, case=case)
    goals = []
    for area in (pv.Area.SAFETY, pv.Area.HEALTH, pv.Area.LEGAL):
        goal = services.add_goal(actor=caseworker, case=case, area=area,
                                 wording=canaries.new("goal"))
        services.add_action(actor=caseworker, case=case, goal=goal,
                            description=canaries.new("action"),
                            performer=pv.Performer.CASEWORKER)
        goals.append(goal)
    services.change_goal(actor=caseworker, case=case, goal=goals[0], area=pv.Area.SAFETY,
                         wording=canaries.new("goal-changed"))
    agree(caseworker, case, note=canaries.new("agreement"))
    services.submit_plan(actor=caseworker, case=case)
    plan = services.approve_plan(actor=supervisor, case=case)
    services.review_plan(actor=caseworker, case=case, note=canaries.new("review"),
                         progress=ratings(plan, pv.Progress.SOME_PROGRESS))
    services.record_assistance(actor=caseworker, case=case, category=pv.Area.HEALTH,
                               started_on=timezone.localdate(), provider=case.organization,
                               note=canaries.new("assistance"))
    return plan


def test_canaries_in_goals_actions_and_review_notes_never_appear_in_clear(
    canaries, client_for, make_case, caseworker, supervisor
):
    case = make_case(caseworker)
    plan = _fill_a_plan(canaries, case=case, caseworker=caseworker, supervisor=supervisor)
    client = client_for(caseworker)
    page = client.get(reverse("plans:plan_detail", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    copy = client.get(reverse("plans:print_copy", kwargs={"case_id": case.pk}))
    assert copy.status_code == 200
    # The pages show her goals to those who may see them ...
    assert canaries.planted[-1] in page.content.decode()
    services.final_review(
        actor=caseworker, case=case, outcomes=ratings(plan, pv.FinalOutcome.PARTLY_MET),
        status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.MOVED_AWAY,
        note=canaries.new("final-review"),
    )
    # ... and nothing of them is anywhere else in clear (history tables included).
    assert Goal.history.count() > 3
    canaries.assert_no_leaks()


def test_shredding_destroys_the_plans_sealed_values_with_the_rest(
    canaries, make_case, caseworker, supervisor, org_admin, django_capture_on_commit_callbacks
):
    case = make_case(caseworker)
    _fill_a_plan(canaries, case=case, caseworker=caseworker, supervisor=supervisor)
    asked = request_shredding(actor=supervisor, case=case, reason=cv.ShredReason.SURVIVOR_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=asked)

    for model in PLAN_MODELS:
        for field in [f.name for f in model._meta.concrete_fields
                      if f.__class__.__name__ == "EncryptedField"]:
            for row in [*model.objects.filter(survivor_id=case.survivor_id),
                        *model.history.filter(survivor_id=case.survivor_id)]:
                if getattr(row, field) is None:
                    continue
                with pytest.raises(OwnerShredded):
                    vault.unseal(row, field)
    canaries.assert_no_leaks()
