"""Two supervisors approving the same plan while the caseworker returns a goal change:
exactly one approval wins (PostgreSQL, where requests really run in parallel).

Every write to a plan locks its case row first (``plans.services._locked_case``), so the
second approval waits for the first to commit, then finds the plan approved and is
refused with a ``ValidationError`` that changed nothing.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from audit.models import AccessEvent, Action
from plans import services
from plans import vocabularies as pv
from plans.models import Plan, PlanEvent

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "keys"]),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite lets one writer in at a time, so there is no race to test",
    ),
]

ROUNDS = 4


def _race(case, actors) -> list:
    barrier = threading.Barrier(len(actors))
    outcomes: list = []

    def run(actor) -> None:
        try:
            barrier.wait()
            services.approve_plan(actor=actor, case=case)
            outcomes.append("won")
        except Exception as error:  # noqa: BLE001 - judged by the test
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a contender hung"
    return outcomes


def test_two_approvals_at_once_leave_exactly_one(
    awaiting, case, caseworker, supervisor, second_supervisor
):
    for round_ in range(ROUNDS):
        outcomes = _race(case, [supervisor, second_supervisor])
        assert outcomes.count("won") == 1, outcomes
        assert all(isinstance(o, ValidationError) for o in outcomes if o != "won"), outcomes
        plan = Plan.objects.get(case=case)
        assert plan.status == pv.PlanStatus.APPROVED
        approvals = PlanEvent.objects.filter(plan=plan, step=pv.PlanStep.APPROVED,
                                             version=plan.version)
        assert approvals.count() == 1
        assert AccessEvent.objects.filter(action=Action.PLAN_APPROVED).count() == round_ + 1
        if round_ + 1 < ROUNDS:  # a change to her goals, and the plan waits again
            goal = plan.goals.first()
            services.change_goal(actor=caseworker, case=case, goal=goal, area=goal.area,
                                 wording=f"Versión {round_ + 2}")
            services.submit_plan(actor=caseworker, case=case)
