"""One request, one event, on every plan URL, with valid forms so the writing paths run.

``tests/audit/test_coverage.py`` requires a scenario for every URL that shows or changes
survivor data; it reads ``COVERED`` from here. Each row: the plan's state, who asks, how,
with what, the status she gets; the one event is allowed for an allowed person, denied
for an outsider (404) or a read-only colleague (403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as cv
from plans import services
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from tests.cases.test_manage_close_reopen import close_data
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@dataclass
class World:
    case: object
    plan: object = None
    goal: object = None
    action: object = None
    entry: object = None


def _goal(w: World) -> dict:
    return {"goal_id": w.goal.pk}


def _action(w: World) -> dict:
    return {"action_id": w.action.pk}


def _entry(w: World) -> dict:
    return {"entry_id": w.entry.pk}


def _today() -> str:
    return timezone.localdate().isoformat()


def _ratings(w: World, rating: str) -> dict:
    return {f"goal_{goal.pk}": rating for goal in w.plan.goals.all()}


AGREEMENT = {"agreed_on": _today(), "method": "verbal", "agreed_by": "survivor", "note": "Sí."}


@dataclass(frozen=True)
class Request:
    url: str
    state: str  # none, draft, awaiting, approved
    person: str
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    status: int = 200
    kwargs: Callable[[World], dict] | None = None

    @property
    def outcome(self) -> str:
        return Outcome.DENIED if self.status in (403, 404) else Outcome.ALLOWED


ROWS = [
    Request("plans:plan_detail", "draft", "viewer"),
    Request("plans:plan_detail", "draft", "outsider", status=404),
    Request("plans:start_plan", "none", "caseworker", "POST", status=302),
    Request("plans:start_plan", "none", "viewer", "POST", status=403),
    Request("plans:start_plan", "none", "outsider", "POST", status=404),
    Request("plans:agreement", "draft", "caseworker"),
    Request("plans:agreement", "draft", "caseworker", "POST", lambda w: AGREEMENT, status=302),
    Request("plans:agreement", "draft", "viewer", "POST", lambda w: AGREEMENT, status=403),
    Request("plans:agreement", "draft", "outsider", "POST", lambda w: AGREEMENT, status=404),
    Request("plans:add_goal", "draft", "caseworker", "POST",
            lambda w: {"goal-area": "education", "goal-wording": "Estudiar."}, status=302),
    Request("plans:add_goal", "draft", "viewer", "POST", lambda w: {}, status=403),
    Request("plans:add_goal", "draft", "outsider", "POST", lambda w: {}, status=404),
    Request("plans:edit_goal", "approved", "caseworker", kwargs=_goal),
    Request("plans:edit_goal", "approved", "caseworker", "POST",
            lambda w: {"area": "health", "wording": "Sanar."}, status=302, kwargs=_goal),
    Request("plans:edit_goal", "approved", "viewer", status=403, kwargs=_goal),
    Request("plans:edit_goal", "approved", "outsider", status=404, kwargs=_goal),
    Request("plans:add_action", "approved", "caseworker", "POST",
            lambda w: {f"action-{w.goal.pk}-description": "Llamar al albergue.",
                       f"action-{w.goal.pk}-performer": "caseworker",
                       f"action-{w.goal.pk}-due_on": _today()}, status=302, kwargs=_goal),
    Request("plans:add_action", "approved", "viewer", "POST", lambda w: {}, status=403,
            kwargs=_goal),
    Request("plans:add_action", "approved", "outsider", "POST", lambda w: {}, status=404,
            kwargs=_goal),
    Request("plans:update_action", "approved", "caseworker", "POST",
            lambda w: {f"action-{w.action.pk}-status": "in_progress",
                       f"action-{w.action.pk}-drop_reason": ""}, status=302, kwargs=_action),
    Request("plans:update_action", "approved", "viewer", "POST", lambda w: {}, status=403,
            kwargs=_action),
    Request("plans:update_action", "approved", "outsider", "POST", lambda w: {}, status=404,
            kwargs=_action),
    Request("plans:submit_plan", "draft", "caseworker", "POST", status=302),
    Request("plans:submit_plan", "draft", "viewer", "POST", status=403),
    Request("plans:submit_plan", "draft", "outsider", "POST", status=404),
    Request("plans:approve_plan", "awaiting", "supervisor", "POST", status=302),
    Request("plans:approve_plan", "awaiting", "caseworker", "POST", status=403),
    Request("plans:approve_plan", "awaiting", "outsider", "POST", status=404),
    Request("plans:return_plan", "awaiting", "supervisor", "POST", status=302),
    Request("plans:return_plan", "awaiting", "viewer", "POST", status=403),
    Request("plans:return_plan", "awaiting", "outsider", "POST", status=404),
    Request("plans:review", "approved", "caseworker"),
    Request("plans:review", "approved", "caseworker", "POST",
            lambda w: {**_ratings(w, pv.Progress.SOME_PROGRESS), "note": "Avanza."},
            status=302),
    Request("plans:review", "approved", "viewer", status=403),
    Request("plans:review", "approved", "outsider", "POST", lambda w: {}, status=404),
    Request("plans:final_review", "approved", "caseworker"),
    Request("plans:final_review", "approved", "caseworker", "POST",
            lambda w: {**_ratings(w, pv.FinalOutcome.MET), **close_data(), "note": ""},
            status=302),
    Request("plans:final_review", "approved", "viewer", status=403),
    Request("plans:final_review", "approved", "outsider", status=404),
    Request("plans:print_copy", "approved", "caseworker"),
    Request("plans:print_copy", "approved", "viewer", status=403),
    Request("plans:print_copy", "approved", "outsider", status=404),
    Request("plans:add_assistance", "approved", "caseworker", "POST",
            lambda w: {"assistance-category": "health", "assistance-started_on": _today(),
                       "assistance-provider": w.case.organization_id,
                       "assistance-quantity": "2", "assistance-unit": "consultations"},
            status=302),
    Request("plans:add_assistance", "approved", "viewer", "POST", lambda w: {}, status=403),
    Request("plans:add_assistance", "approved", "outsider", "POST", lambda w: {}, status=404),
    Request("plans:confirm_assistance", "approved", "caseworker", kwargs=_entry),
    Request("plans:confirm_assistance", "approved", "caseworker", "POST",
            lambda w: {"category": "health", "started_on": _today()}, status=302,
            kwargs=_entry),
    Request("plans:confirm_assistance", "approved", "viewer", status=403, kwargs=_entry),
    Request("plans:confirm_assistance", "approved", "outsider", status=404, kwargs=_entry),
]

COVERED = {row.url for row in ROWS}


@pytest.fixture
def world(case, caseworker, supervisor):
    return World(case=case)


def _prepare(w: World, state: str, caseworker, supervisor) -> None:
    if state == "none":
        return
    w.plan = write_plan(caseworker, w.case)
    if state in ("awaiting", "approved"):
        services.submit_plan(actor=caseworker, case=w.case)
    if state == "approved":
        services.approve_plan(actor=supervisor, case=w.case)
    w.plan.refresh_from_db()
    w.goal = w.plan.goals.first()
    w.action = w.goal.actions.first()
    w.entry = AssistanceEntry.objects.create(
        case=w.case, survivor_id=w.case.survivor_id, category=pv.Area.HEALTH,
        started_on=timezone.localdate(), provider=w.case.organization,
        source=pv.AssistanceSource.REFERRAL, status=pv.AssistanceStatus.TO_CONFIRM,
    )


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r.url}-{r.method}-{r.person}-{r.status}" for r in ROWS]
)
def test_each_plan_request_leaves_exactly_one_event(
    request, client_for, world, caseworker, supervisor, django_capture_on_commit_callbacks, row
):
    _prepare(world, row.state, caseworker, supervisor)
    person = request.getfixturevalue(row.person)
    kwargs = {"case_id": world.case.pk, **(row.kwargs(world) if row.kwargs else {})}
    url = reverse(row.url, kwargs=kwargs)
    client = client_for(person)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    with django_capture_on_commit_callbacks(execute=True):
        data = row.data(world) if row.data else {}
        response = client.post(url, data) if row.method == "POST" else client.get(url)

    assert response.status_code == row.status, (
        response.status_code,
        response.context and [f.errors for f in response.context.get("errors", [])]
        or response.context and response.context.get("form") and response.context["form"].errors,
    )
    events = list(
        AccessEvent.objects.filter(pk__gt=before)
        .exclude(action__in=(Action.VAULT_KEY_CREATED, Action.VAULT_OWNER_SHREDDED))
        .order_by("pk")
    )
    assert [(e.outcome, e.actor_id) for e in events] == [(row.outcome, person.pk)], [
        (e.action, e.outcome, e.actor_username) for e in events
    ]


def test_the_final_review_closes_the_case_in_the_same_request(
    client_for, world, caseworker, supervisor
):
    """The final review and the case closure are one transaction; its one event is the
    case's closure, with the closure reason as purpose."""
    _prepare(world, "approved", caseworker, supervisor)
    url = reverse("plans:final_review", kwargs={"case_id": world.case.pk})
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client_for(caseworker).post(
        url, {**_ratings(world, pv.FinalOutcome.NOT_MET), **close_data()})
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == cv.CaseStatus.CLOSED
    events = list(AccessEvent.objects.filter(pk__gt=before).values_list("action", "purpose"))
    assert events == [(Action.CASE_CLOSED, cv.ClosureReason.GOALS_MET)]
    assert world.plan.reviews.get().kind == pv.ReviewKind.FINAL


@pytest.mark.parametrize(("name", "kwarg", "method"), [
    ("plans:edit_goal", "goal_id", "GET"),
    ("plans:edit_goal", "goal_id", "POST"),
    ("plans:add_action", "goal_id", "POST"),
    ("plans:update_action", "action_id", "POST"),
    ("plans:confirm_assistance", "entry_id", "GET"),
    ("plans:confirm_assistance", "entry_id", "POST"),
])
def test_a_part_of_another_cases_plan_is_a_recorded_404(
    client_for, world, caseworker, supervisor, make_case, name, kwarg, method
):
    """Her case is open to him; the goal (action, entry) is of another case: 404, one
    denied event, nothing read."""
    _prepare(world, "approved", caseworker, supervisor)
    other = World(case=make_case(caseworker, given_names="Rosa"))
    _prepare(other, "approved", caseworker, supervisor)
    foreign = {"goal_id": other.goal.pk, "action_id": other.action.pk,
               "entry_id": other.entry.pk}[kwarg]
    url = reverse(name, kwargs={"case_id": world.case.pk, kwarg: foreign})
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    client = client_for(caseworker)
    response = client.post(url, {}) if method == "POST" else client.get(url)
    assert response.status_code == 404
    events = list(AccessEvent.objects.filter(pk__gt=before))
    assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.DENIED, caseworker.pk)]
