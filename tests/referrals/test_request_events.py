"""One request, one event, on every referral URL that shows or changes survivor data.

``tests/audit/test_coverage.py`` requires a scenario for every such URL; it reads
``COVERED`` from here. Each row: who asks, how, with what, the status she gets, and the
outcome of the one event the request must leave (an allowed person gets an allowed event,
an outsider a denied 404, a read-only or wrong-role person a denied 403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@dataclass(frozen=True)
class Row:
    url: str
    fixture: str  # the referral (or case) the URL is about
    person: str
    method: str = "GET"
    data: dict | None = None
    status: int = 200
    kwargs: Callable | None = None  # referral -> URL kwargs; default {"referral_id": pk}
    step: str = ""

    @property
    def outcome(self) -> str:
        return Outcome.DENIED if self.status in (403, 404) else Outcome.ALLOWED


def _case(referral):
    return {"case_id": referral.case_id}


ROWS = [
    # the case side: caseworkers and supervisors
    Row("referrals:create", "case", "caseworker", kwargs=lambda case: {"case_id": case.pk}),
    Row("referrals:create", "draft", "viewer", status=403, kwargs=_case),
    Row("referrals:create", "draft", "outsider", status=404, kwargs=_case),
    Row("referrals:create", "draft", "partner", status=404, kwargs=_case),
    Row("referrals:detail", "sent", "caseworker"),
    Row("referrals:detail", "sent", "viewer"),
    Row("referrals:detail", "sent", "outsider", status=404),
    Row("referrals:detail", "sent", "partner", status=404),
    Row("referrals:edit", "draft", "caseworker"),
    Row("referrals:edit", "draft", "caseworker", "POST", status=302, data={
        "urgency": "normal", "reason": "Necesita un lugar seguro.",
        "items": ["name", "languages", "safe_contact"],
    }),
    Row("referrals:edit", "draft", "viewer", "POST", status=403, data={}),
    Row("referrals:edit", "draft", "outsider", status=404),
    Row("referrals:step", "draft", "caseworker", "POST", status=302, step="submit"),
    Row("referrals:step", "draft", "viewer", "POST", status=403, step="submit"),
    Row("referrals:step", "draft", "partner", "POST", status=404, step="submit"),
    Row("referrals:step", "submitted", "supervisor", "POST", status=302, step="approve"),
    Row("referrals:step", "submitted", "caseworker", "POST", status=403, step="approve"),
    Row("referrals:step", "submitted", "outsider", "POST", status=404, step="approve"),
    Row("referrals:review", "emergency", "supervisor", "POST", status=302,
        data={"review-finding": "reviewed", "review-note": ""}),
    Row("referrals:review", "emergency", "viewer", "POST", status=403,
        data={"review-finding": "reviewed"}),
    Row("referrals:review", "emergency", "outsider", "POST", status=404,
        data={"review-finding": "reviewed"}),
    # the partner side: the provider's staff
    Row("referrals:inbox", "sent", "partner", kwargs=lambda r: {}),
    Row("referrals:inbox", "sent", "caseworker", status=403, kwargs=lambda r: {}),
    Row("referrals:packet", "sent", "partner"),
    Row("referrals:packet", "sent", "other_partner", status=404),
    Row("referrals:packet", "sent", "caseworker", status=403),
    Row("referrals:partner_step", "sent", "partner", "POST", status=302, step="accept"),
    Row("referrals:partner_step", "sent", "partner", "POST", status=302, step="decline",
        data={"decline-reason": "no_capacity", "decline-note": "Sin camas hoy."}),
    Row("referrals:partner_step", "sent", "other_partner", "POST", status=404, step="accept"),
    Row("referrals:partner_step", "accepted", "partner", "POST", status=302, step="complete",
        data={"complete-outcome": "service_provided", "complete-note": ""}),
    Row("referrals:print", "sent", "partner"),
    Row("referrals:print", "sent", "other_partner", status=404),
]

COVERED = {row.url for row in ROWS}


@pytest.fixture
def emergency(draft, caseworker):
    from referrals import services

    return services.send_emergency(actor=caseworker, referral=draft, reason="No puede esperar.")


def _last() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r.url}-{r.step or r.method}-{r.person}-{r.status}" for r in ROWS]
)
def test_each_referral_request_leaves_exactly_one_event(
    request, client_for, django_capture_on_commit_callbacks, row
):
    target = request.getfixturevalue(row.fixture)
    person = request.getfixturevalue(row.person)
    kwargs = row.kwargs(target) if row.kwargs else {"referral_id": target.pk}
    if row.step:
        kwargs["step"] = row.step
    url = reverse(row.url, kwargs=kwargs)
    client = client_for(person)
    before = _last()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, row.data or {}) if row.method == "POST" else client.get(url)

    assert response.status_code == row.status, response.status_code
    events = list(
        AccessEvent.objects.filter(pk__gt=before)
        .exclude(action__in=(Action.VAULT_KEY_CREATED, Action.VAULT_OWNER_SHREDDED))
        .order_by("pk")
    )
    assert [(e.outcome, e.actor_id) for e in events] == [(row.outcome, person.pk)], [
        (e.action, e.outcome, e.actor_username) for e in events
    ]
