"""The homes with a frozen clock: plans awaiting approval and reviews overdue on the
supervisor's home, reviews due on the caseworker's home.

A plan approved on 2 March is due for review on 2 April (monthly, the default): the
caseworker sees it from 26 March (seven days' notice), the supervisor once it is late,
from 3 April. Both homes read codes and dates only, in a bounded number of queries.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from plans import services
from plans import vocabularies as pv
from plans.queries import reviews_due, reviews_overdue
from tests.plans.conftest import ratings, write_plan

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LIMA = ZoneInfo("America/Lima")


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=LIMA)


@pytest.fixture
def approved_on_2_march(case, caseworker, supervisor):
    with time_machine.travel(at(3, 2), tick=False):
        write_plan(caseworker, case)
        services.submit_plan(actor=caseworker, case=case)
        plan = services.approve_plan(actor=supervisor, case=case)
    assert str(plan.next_review_on) == "2026-04-02"
    return plan


def _home(client_for, person) -> str:
    response = client_for(person).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</section>", start)]


def test_a_plan_awaiting_approval_is_on_the_supervisors_home(
    client_for, awaiting, case, supervisor, caseworker
):
    assert case.code in _section(_home(client_for, supervisor), "plans-to-approve")
    assert 'id="plans-to-approve"' not in _home(client_for, caseworker)


@pytest.mark.parametrize(("when", "on_caseworker_home", "on_supervisor_home"), [
    (at(3, 20), False, False),   # not yet
    (at(3, 26), True, False),    # due within a week: the caseworker's home
    (at(4, 2), True, False),     # due today
    (at(4, 3), True, True),      # overdue: the supervisor's home too
])
def test_reviews_due_and_overdue_on_both_homes(
    client_for, approved_on_2_march, case, caseworker, supervisor,
    when, on_caseworker_home, on_supervisor_home,
):
    with time_machine.travel(when, tick=False):
        mine = _section(_home(client_for, caseworker), "plan-reviews-due")
        team = _section(_home(client_for, supervisor), "plan-reviews-overdue")
    assert (case.code in mine) is on_caseworker_home
    assert (case.code in team) is on_supervisor_home


def test_a_review_moves_the_next_one_a_month_on(
    client_for, approved_on_2_march, case, caseworker, supervisor
):
    with time_machine.travel(at(4, 5), tick=False):
        assert list(reviews_overdue(supervisor)) == [approved_on_2_march]
        services.review_plan(actor=caseworker, case=case,
                             progress=ratings(approved_on_2_march, pv.Progress.ON_TRACK))
        assert not reviews_overdue(supervisor).exists()
        assert not reviews_due(caseworker).exists()
        assert case.code not in _section(_home(client_for, supervisor), "plan-reviews-overdue")
    approved_on_2_march.refresh_from_db()
    assert str(approved_on_2_march.next_review_on) == "2026-05-05"


def test_the_review_interval_is_a_setting(settings, case, caseworker, supervisor):
    settings.AMPARO_PLAN_REVIEW_MONTHS = 3
    with time_machine.travel(at(3, 2), tick=False):
        write_plan(caseworker, case)
        services.submit_plan(actor=caseworker, case=case)
        plan = services.approve_plan(actor=supervisor, case=case)
    assert str(plan.next_review_on) == "2026-06-02"


def test_a_closed_case_has_no_review_due(approved_on_2_march, case, caseworker, supervisor):
    from cases import vocabularies as cv

    services.final_review(actor=caseworker, case=case,
                          outcomes=ratings(approved_on_2_march, pv.FinalOutcome.MET),
                          status=cv.CaseStatus.CLOSED, closure_reason=cv.ClosureReason.GOALS_MET)
    with time_machine.travel(at(6, 1), tick=False):
        assert not reviews_due(caseworker).exists()
        assert not reviews_overdue(supervisor).exists()


def test_other_teams_and_organisations_never_see_her_plan_on_their_homes(
    client_for, approved_on_2_march, case, outsider, organization
):
    from accounts.models import Role
    from tests.factories import TeamFactory, UserFactory

    other_supervisor = UserFactory(organization=organization, role=Role.SUPERVISOR,
                                   username="othersuper")
    TeamFactory(organization=organization, name="Otro equipo").supervisors.add(other_supervisor)
    with time_machine.travel(at(4, 10), tick=False):
        assert not reviews_overdue(other_supervisor).exists()
        assert not reviews_due(outsider).exists()
        assert case.code not in _home(client_for, other_supervisor)
