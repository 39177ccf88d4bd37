"""Every plan URL × every kind of person → the status she gets (DESIGN §5).

The plan is part of its case, so the rules are the case's: ``ROUTES`` says which access
level each URL of the ``plans`` namespace needs, and ``PEOPLE`` (from the case matrix,
``tests/cases/test_access_matrix.py``) who has which. Enough access → the row's status
and exactly one event; can see the case but not enough → 403, recorded; cannot see it →
404, recorded; not signed in → the sign-in page. A new plan URL without a row fails
``test_every_plan_url_has_a_row``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from cases.queries import Access
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from plans.urls import urlpatterns
from tests.cases.conftest import collaborator, other_supervisor, teammate  # noqa: F401
from tests.cases.test_access_matrix import PEOPLE, Row, emergency, expected_status  # noqa: F401
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NONE, VIEW, WORK, MANAGE, SUPERVISE = tuple(Access)

# fmt: off
ROUTES: dict[str, Row] = {
    # URL name              needed      method   ok
    "plan_detail":          Row(VIEW),
    "print_copy":           Row(WORK),
    "agreement":            Row(WORK),
    "edit_goal":            Row(WORK),
    "review":               Row(WORK),
    "confirm_assistance":   Row(WORK),
    "final_review":         Row(MANAGE),
    # POST only, sent empty: the form comes back with its errors (200, nothing saved),
    # or the step is refused on the page for the plan's state (200, nothing changed)
    "start_plan":           Row(WORK,       "POST"),   # the case has a plan already
    "add_goal":             Row(WORK,       "POST"),
    "add_action":           Row(WORK,       "POST"),
    "update_action":        Row(WORK,       "POST"),
    "add_assistance":       Row(WORK,       "POST"),
    "submit_plan":          Row(WORK,       "POST",  302),  # a complete draft is submitted
    "approve_plan":         Row(SUPERVISE,  "POST"),   # a draft is not approved
    "return_plan":          Row(SUPERVISE,  "POST"),   # nor returned
}
# fmt: on

PLAN_URLS = {p.name: p for p in urlpatterns if isinstance(p, URLPattern)}
FIXTURE_OF = {"owner": "caseworker"}


def test_every_plan_url_has_a_row():
    assert set(PLAN_URLS) == set(ROUTES)
    assert all("case_id" in p.pattern.converters for p in PLAN_URLS.values())


@pytest.fixture
def targets(case, caseworker):
    """Every kwarg a plan URL may take: a complete draft plan, a goal, an action, and an
    assistance entry waiting for confirmation."""
    plan = write_plan(caseworker, case)
    goal = plan.goals.first()
    entry = AssistanceEntry.objects.create(
        case=case, survivor_id=case.survivor_id, category=pv.Area.HEALTH,
        started_on=timezone.localdate(), provider=case.organization,
        source=pv.AssistanceSource.REFERRAL, status=pv.AssistanceStatus.TO_CONFIRM,
    )
    return {"case_id": case.pk, "goal_id": goal.pk, "action_id": goal.actions.first().pk,
            "entry_id": entry.pk}


MATRIX = [(name, person) for name in sorted(ROUTES) for person in PEOPLE]


@pytest.mark.parametrize(("url_name", "person"), MATRIX, ids=[f"{n}-{p}" for n, p in MATRIX])
def test_access(request, client_for, targets, url_name, person):
    row, level = ROUTES[url_name], PEOPLE[person]
    pattern = PLAN_URLS[url_name]
    url = reverse(f"plans:{url_name}",
                  kwargs={name: targets[name] for name in pattern.pattern.converters})
    if level is None:
        user, client = None, Client()
    else:
        user = request.getfixturevalue(FIXTURE_OF.get(person, person))
        client = client_for(user)
    before = AccessEvent.objects.count()

    response = client.post(url, {}) if row.method == "POST" else client.get(url)

    expected = expected_status(row, level)
    assert response.status_code == expected, (
        f"{person} ({level!r}) on {url_name} needing {row.needed!r}: "
        f"got {response.status_code}, expected {expected}"
    )
    new_events = AccessEvent.objects.order_by("id")[before:]
    if level is None:
        assert "/accounts/login" in response.url
        assert not [event for event in new_events if event.outcome == Outcome.ALLOWED]
    elif expected in (403, 404):
        assert [event.outcome for event in new_events if event.actor_id == user.pk] == [
            Outcome.DENIED
        ], "a refused attempt leaves exactly one denied event"
    else:
        assert len(new_events) == 1, (
            f"{url_name} by {person}: one audit event per request, got "
            f"{[event.action for event in new_events]}"
        )
        assert new_events[0].outcome == Outcome.ALLOWED


POST_ONLY = sorted(name for name, row in ROUTES.items() if row.method == "POST")


@pytest.mark.parametrize("url_name", POST_ONLY)
def test_post_only_urls_refuse_get_without_touching_anything(
    client_for, supervisor, targets, url_name
):
    pattern = PLAN_URLS[url_name]
    url = reverse(f"plans:{url_name}",
                  kwargs={name: targets[name] for name in pattern.pattern.converters})
    before = AccessEvent.objects.count()
    assert client_for(supervisor).get(url).status_code == 405
    assert AccessEvent.objects.count() == before
