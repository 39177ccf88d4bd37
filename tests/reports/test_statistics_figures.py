"""The statistics count the right cases in SQL, publish only bands, and cost the same
number of queries whatever the number of cases (issue 13, items 1 and 5)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import FollowUp
from referrals.models import Referral, ServiceOffering
from reports import figures
from reports.queries import statistics_scope
from reports.suppression import publish
from tests.factories import OrganizationFactory
from tests.reports.population import add_cases

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def month(months_ago: int) -> date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def raw_counts(monkeypatch):
    """The exact counts handed to publication, by the first code of the table: a list
    of (counts, total), one per table published with that first label (grid rows)."""
    seen: dict[str, list[tuple[dict, int | None]]] = {}
    real = figures.publish_table

    def spy(counts, labels, *, total=None, k=None):
        labels = list(labels)
        seen.setdefault(str(labels[0][0]), []).append((dict(counts), total))
        return real(counts, labels, total=total, k=k)

    monkeypatch.setattr(figures, "publish_table", spy)
    return seen


def _nonzero(counts: dict) -> dict:
    return {code: n for code, n in counts.items() if n}


def _view(supervisor, first: date, last: date, **kwargs) -> figures.Statistics:
    scope = statistics_scope(supervisor, action="statistics.viewed")
    return figures.statistics(scope, figures.Filters(first=first, last=last, **kwargs))


def by_key(result: figures.Statistics, key: str) -> figures.Figure:
    return next(f for f in result.figures if f.key == key)


def test_cases_are_counted_by_month_and_coded_trait(supervisor, caseworker, raw_counts):
    add_cases(caseworker, 12, opened_on=month(1), nationality="CO", gender="female",
              exploitation_types=["sexual_prostitution", "forced_labour"],
              means_of_control=["debt_bondage"], recruitment_methods=["job_offer"],
              risk_level="high")
    add_cases(caseworker, 3, opened_on=month(0), nationality="VE", age_band="13-17",
              exploitation_types=["sexual_remote"], risk_level="critical")
    add_cases(caseworker, 5, opened_on=month(5))  # outside the period
    result = _view(supervisor, month(1), month(0))

    assert result.cases.rows[0].band == publish(15)
    assert raw_counts["VE"][0][0]["CO"] == 12 and raw_counts["VE"][0][1] == 15
    exploitation = raw_counts["sexual_prostitution"][0][0]
    assert exploitation["sexual_prostitution"] == 12
    assert exploitation["forced_labour"] == 12
    # "sexual_remote" is not taken for a prefix of another code, nor another for it
    assert exploitation["sexual_remote"] == 3 and exploitation["sexual_private"] == 0
    assert raw_counts["debt_bondage"][0][0]["debt_bondage"] == 12
    assert _nonzero(raw_counts["job_offer"][0][0]) == {"job_offer": 12, "": 3}
    assert _nonzero(raw_counts["low"][0][0]) == {"high": 12, "critical": 3}
    assert raw_counts["0-12"][0][0]["13-17"] == 3
    assert by_key(result, "nationality").table.total == publish(15)
    assert by_key(result, "exploitation").table.total is None  # several per case


def _offering(service_type: str) -> ServiceOffering:
    return ServiceOffering.objects.create(
        organization=OrganizationFactory(), service_type=service_type, name="Servicio",
        city="Lima",
    )


def _referral(case, offering, *, user, sent: datetime, urgency: str, state: str,
              answered: datetime | None = None, outcome: str = "") -> Referral:
    hours = {"emergency": 24, "urgent": 72, "normal": 336}[urgency]
    return Referral.objects.create(
        id=uuid.uuid4(), case=case, survivor_id=case.survivor_id, offering=offering,
        provider=offering.organization, urgency=urgency, state=state, created_by=user,
        created_at=sent, sent_at=sent, due_at=sent + timedelta(hours=hours),
        answered_at=answered, outcome=outcome,
    )


def test_referrals_are_counted_by_type_state_outcome_and_answer_time(
    supervisor, caseworker, raw_counts
):
    cases = add_cases(caseworker, 6, opened_on=month(3))
    shelter, legal = _offering("shelter"), _offering("legal_aid")
    sent = timezone.now() - timedelta(days=20)
    _referral(cases[0], shelter, user=caseworker, sent=sent, urgency="emergency",
              state="completed", answered=sent + timedelta(hours=5), outcome="service_provided")
    _referral(cases[1], shelter, user=caseworker, sent=sent, urgency="emergency",
              state="accepted", answered=sent + timedelta(hours=30))
    _referral(cases[2], legal, user=caseworker, sent=sent, urgency="urgent", state="sent")
    _referral(cases[3], legal, user=caseworker, sent=timezone.now(), urgency="normal",
              state="sent")
    result = _view(supervisor, month(1), month(0))

    assert raw_counts["shelter"][0][0] == {"shelter": 2, "legal_aid": 2}
    assert raw_counts["submitted"][0][0] == {"completed": 1, "accepted": 1, "sent": 2}
    assert raw_counts["service_provided"][0][0] == {"service_provided": 1}
    assert len(by_key(result, "time_to_answer").grid) == 3
    only_shelter = _view(supervisor, month(1), month(0), service_type="shelter")
    assert by_key(only_shelter, "referrals_by_service").table.total == publish(2)


def test_answer_times_against_the_deadlines(supervisor, caseworker, monkeypatch):
    cases = add_cases(caseworker, 4, opened_on=month(3))
    shelter = _offering("shelter")
    sent = timezone.now() - timedelta(days=20)
    _referral(cases[0], shelter, user=caseworker, sent=sent, urgency="emergency",
              state="accepted", answered=sent + timedelta(hours=5))
    _referral(cases[1], shelter, user=caseworker, sent=sent, urgency="emergency",
              state="accepted", answered=sent + timedelta(hours=30))
    _referral(cases[2], shelter, user=caseworker, sent=sent, urgency="urgent", state="sent")
    _referral(cases[3], shelter, user=caseworker, sent=timezone.now(), urgency="normal",
              state="sent")
    grids = []
    real = figures.publish_table

    def spy(counts, labels, *, total=None, k=None):
        labels = list(labels)
        if labels[0][0] == "in_time":
            grids.append(dict(counts))
        return real(counts, labels, total=total, k=k)

    monkeypatch.setattr(figures, "publish_table", spy)
    _view(supervisor, month(1), month(0))
    emergency, urgent, normal = grids
    assert emergency == {"in_time": 1, "late": 1, "overdue": 0, "waiting": 0}
    assert urgent == {"in_time": 0, "late": 0, "overdue": 1, "waiting": 0}
    assert normal == {"in_time": 0, "late": 0, "overdue": 0, "waiting": 1}


def _follow_up(case, user, *, due: date, kind: str = "check_in", done=None, outcome=""):
    return FollowUp.objects.create(
        id=uuid.uuid4(), case=case, survivor_id=case.survivor_id, kind=kind, due_on=due,
        assignee=user, created_by=user, done_at=done, outcome=outcome,
    )


def test_follow_up_adherence_and_check_ins_after_closure(supervisor, caseworker, raw_counts):
    today = timezone.localdate()
    cases = add_cases(caseworker, 4, opened_on=month(30), status="closed",
                      closed_on=today - timedelta(days=200))
    moment = timezone.now()
    _follow_up(cases[0], caseworker, due=today - timedelta(days=3), done=moment - timedelta(days=5))
    _follow_up(cases[0], caseworker, due=today - timedelta(days=3), done=moment)
    _follow_up(cases[1], caseworker, due=today - timedelta(days=2))
    _follow_up(cases[1], caseworker, due=today)
    # a check-in six months after closure (due 20 days ago: 180 days after), and one at 3
    _follow_up(cases[2], caseworker, kind="retrafficking_check_in",
               due=today - timedelta(days=20), done=moment, outcome="reached_concern")
    _follow_up(cases[3], caseworker, kind="retrafficking_check_in",
               due=today - timedelta(days=110))
    result = _view(supervisor, month(11), month(0))

    adherence = raw_counts["on_time"][0][0]
    assert adherence == {"on_time": 1, "late": 1, "missed": 1, "pending": 1}
    three, six, twelve, twenty_four = [counts for counts, _t in raw_counts["reached_safe"]]
    assert three == {"reached_safe": 0, "reached_concern": 0, "not_reached": 0, "open": 1}
    assert six == {"reached_safe": 0, "reached_concern": 1, "not_reached": 0, "open": 0}
    assert twelve == twenty_four == dict.fromkeys(three, 0)
    assert len(by_key(result, "retrafficking_check_ins").grid) == 4


def test_open_cases_per_caseworker_name_every_member_of_the_team(
    supervisor, caseworker, raw_counts
):
    add_cases(caseworker, 11, opened_on=month(40))
    add_cases(caseworker, 2, opened_on=month(40), status="closed")
    result = _view(supervisor, month(1), month(0))
    table = by_key(result, "open_per_caseworker").table
    labels = [row.label for row in table.rows]
    assert caseworker.display_name in labels and supervisor.display_name in labels
    assert table.total == publish(11)


def test_the_page_never_shows_a_count_under_the_threshold(client_for, supervisor, caseworker):
    add_cases(caseworker, 3, opened_on=month(0), nationality="HT")
    add_cases(caseworker, 27, opened_on=month(0), nationality="VE")
    html = client_for(supervisor).get(reverse("reports:statistics")).content.decode()
    cells = re.findall(r'<td class="num"><span aria-hidden="true">([^<]*)</span>', html)
    assert cells and set(cells) <= {"&lt;10", "28–30", "25–27", "10–12"}, set(cells)
    assert "&lt;10" in cells and "28–30" in cells


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_few_and_many_cases(
    client_for, supervisor, caseworker
):
    client = client_for(supervisor)
    url = reverse("reports:statistics")
    add_cases(caseworker, 5, opened_on=month(0))
    few = _queries(client, url)
    cases = add_cases(caseworker, 120, opened_on=month(2), nationality="CO")
    offering = _offering("medical")
    for case in cases[:30]:
        _referral(case, offering, user=caseworker, sent=timezone.now() - timedelta(days=40),
                  urgency="urgent", state="sent")
        _follow_up(case, caseworker, due=timezone.localdate())
    many = _queries(client, url)
    assert few == many
