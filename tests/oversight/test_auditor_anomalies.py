"""Anomaly rules, with a frozen clock (oversight/anomalies.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.services.management import request_emergency_access
from oversight import anomalies
from oversight.anomalies import Rule
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=LIMA)  # a Thursday afternoon


def _found(rule: Rule) -> list:
    with time_machine.travel(NOW, tick=False):
        return anomalies.find_anomalies(AccessEvent.objects.all())[rule]


def _open_cases(user, count: int, *, start: datetime, every: timedelta) -> None:
    for number in range(count):
        event(actor=user, case_code=f"PE-2026-{number:04d}", at=start + number * every)


# --- many cases in an hour ----------------------------------------------------------


def test_more_than_the_limit_of_distinct_cases_within_an_hour_is_found(caseworker, settings):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 15
    _open_cases(caseworker, 16, start=NOW - timedelta(hours=5), every=timedelta(minutes=3))

    [found] = _found(Rule.MANY_CASES)

    assert (found.username, found.count) == ("caseworker", 16)
    assert found.started_at == NOW - timedelta(hours=5)


def test_the_limit_itself_is_not_an_anomaly(caseworker, settings):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 15
    _open_cases(caseworker, 15, start=NOW - timedelta(hours=5), every=timedelta(minutes=3))
    # The same case again and again is one case.
    for minute in range(10):
        event(
            actor=caseworker,
            case_code="PE-2026-0000",
            at=NOW - timedelta(hours=5) + timedelta(minutes=minute),
        )

    assert _found(Rule.MANY_CASES) == []


def test_cases_spread_over_more_than_an_hour_are_not_found(caseworker, settings):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 15
    _open_cases(caseworker, 20, start=NOW - timedelta(hours=5), every=timedelta(minutes=4))

    assert _found(Rule.MANY_CASES) == []


def test_the_threshold_is_a_setting(caseworker, settings):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 3
    _open_cases(caseworker, 4, start=NOW - timedelta(hours=1), every=timedelta(minutes=1))

    assert [f.count for f in _found(Rule.MANY_CASES)] == [4]


def test_events_older_than_the_window_are_not_read(caseworker, settings):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 3
    settings.AMPARO_ANOMALY_WINDOW_DAYS = 7
    _open_cases(caseworker, 4, start=NOW - timedelta(days=8), every=timedelta(minutes=1))

    assert _found(Rule.MANY_CASES) == []


# --- at night -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "at_night"),
    [(21, 59, False), (22, 0, True), (23, 30, True), (2, 0, True), (5, 59, True), (6, 0, False)],
)
def test_activity_between_22_and_6_local_time_is_found(
    caseworker, settings, hour, minute, at_night
):
    settings.AMPARO_ANOMALY_NIGHT_START, settings.AMPARO_ANOMALY_NIGHT_END = 22, 6
    moment = datetime(2026, 3, 10, hour, minute, tzinfo=LIMA)
    event(actor=caseworker, case_code="PE-2026-0001", at=moment)

    found = _found(Rule.NIGHT)

    assert [f.started_at for f in found] == ([moment] if at_night else [])


def test_the_night_is_a_setting(caseworker, settings):
    settings.AMPARO_ANOMALY_NIGHT_START, settings.AMPARO_ANOMALY_NIGHT_END = 20, 7
    event(actor=caseworker, at=datetime(2026, 3, 10, 20, 30, tzinfo=LIMA))

    assert len(_found(Rule.NIGHT)) == 1


def test_the_auditors_own_reading_at_night_is_not_an_anomaly(auditor):
    event(actor=auditor, action=Action.AUDIT_SEARCHED, at=datetime(2026, 3, 10, 23, tzinfo=LIMA))

    assert _found(Rule.NIGHT) == []


# --- outside her teams ----------------------------------------------------------------


def test_a_case_outside_her_teams_is_found_and_her_own_teams_cases_are_not(
    organization, team, make_case, caseworker, supervisor
):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        case = make_case(caseworker)
        nightshift = UserFactory(
            organization=organization, role=Role.CASEWORKER, username="nightshift"
        )
        TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
        teammate = UserFactory(organization=organization, role=Role.CASEWORKER, username="teammate")
        team.members.add(teammate)
        outcome = request_emergency_access(
            actor=nightshift, code=case.code, reason="Llamada urgente", password=TEST_PASSWORD
        )
        assert outcome.grant is not None
        for person in (caseworker, supervisor, teammate, nightshift):
            event(actor=person, case_code=case.code)

    found = _found(Rule.OUTSIDE_TEAMS)

    assert {f.username for f in found} == {"nightshift"}
    assert {f.case_code for f in found} == {case.code}


def test_a_code_that_matches_no_case_is_ignored(caseworker):
    event(actor=caseworker, case_code="PE-1999-9999", at=NOW - timedelta(hours=1))

    assert _found(Rule.OUTSIDE_TEAMS) == []


# --- repeated refusals ------------------------------------------------------------------


def test_repeated_refusals_within_an_hour_are_found(caseworker, settings):
    settings.AMPARO_ANOMALY_DENIALS_PER_HOUR = 5
    start = NOW - timedelta(hours=3)
    for minute in range(6):
        event(
            actor=caseworker,
            outcome=Outcome.DENIED,
            case_code=f"PE-2026-{minute:04d}",
            at=start + timedelta(minutes=minute),
        )

    [found] = _found(Rule.DENIALS)

    assert (found.username, found.count) == ("caseworker", 6)


def test_five_refusals_are_not_an_anomaly(caseworker, settings):
    settings.AMPARO_ANOMALY_DENIALS_PER_HOUR = 5
    for minute in range(5):
        event(actor=caseworker, outcome=Outcome.DENIED, at=NOW - timedelta(minutes=minute + 1))

    assert _found(Rule.DENIALS) == []


# --- exports ------------------------------------------------------------------------------


def test_exports_and_downloads_are_listed(caseworker, auditor):
    event(
        actor=caseworker,
        action=Action.ATTACHMENT_DOWNLOADED,
        case_code="PE-2026-0001",
        at=NOW - timedelta(hours=1),
    )
    event(actor=auditor, action=Action.AUDIT_EXPORTED, at=NOW - timedelta(hours=2))
    event(actor=caseworker, action=Action.CASE_VIEWED, at=NOW - timedelta(hours=3))

    found = _found(Rule.EXPORT)

    assert [(f.username, f.action) for f in found] == [
        ("caseworker", Action.ATTACHMENT_DOWNLOADED),
        ("auditor", Action.AUDIT_EXPORTED),
    ]


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_every_rule_and_is_recorded(client_for, auditor, caseworker, settings):
    settings.AMPARO_ANOMALY_DENIALS_PER_HOUR = 1
    for minute in range(2):
        event(actor=caseworker, outcome=Outcome.DENIED, at=NOW - timedelta(minutes=minute + 1))
    client = client_for(auditor)

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("oversight:anomalies"))

    assert response.status_code == 200
    assert response.context["total"] == 1
    assert [rule for rule, _label, _items in response.context["found"]] == list(Rule)
    assert AccessEvent.objects.filter(action=Action.AUDIT_ANOMALIES_VIEWED, actor=auditor).exists()


def test_an_auditor_of_another_organisation_finds_none_of_these(
    client_for, caseworker, other_organization, settings
):
    settings.AMPARO_ANOMALY_DENIALS_PER_HOUR = 1
    for minute in range(3):
        event(actor=caseworker, outcome=Outcome.DENIED, at=NOW - timedelta(minutes=minute + 1))
    foreign = UserFactory(organization=other_organization, role=Role.AUDITOR, username="foreign")
    client = client_for(foreign)

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("oversight:anomalies"))

    assert response.context["total"] == 0


# --- read by the database ---------------------------------------------------------------


def test_a_burst_across_two_clock_hours_is_found(caseworker, settings):
    """The rules count per clock hour first: a burst split over two hours, under the limit
    in each, is still found."""
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 15
    # 8 cases before and 8 after the full hour (UTC), 16 within 48 minutes.
    start = datetime(2026, 3, 12, 13, 36, tzinfo=ZoneInfo("UTC"))
    _open_cases(caseworker, 16, start=start, every=timedelta(minutes=3))

    [found] = _found(Rule.MANY_CASES)

    assert (found.count, found.started_at) == (16, start)


def test_the_rules_read_a_few_aggregates_however_many_events(
    caseworker, supervisor, settings, django_assert_max_num_queries
):
    settings.AMPARO_ANOMALY_CASES_PER_HOUR = 15
    settings.AMPARO_ANOMALY_DENIALS_PER_HOUR = 5

    def queries_for(events_each: int) -> int:
        for person in (caseworker, supervisor):
            for number in range(events_each):
                event(
                    actor=person,
                    case_code=f"PE-2026-{number % 3:04d}",
                    at=NOW - timedelta(hours=30) + number * timedelta(minutes=7),
                )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            _found(Rule.MANY_CASES)
        return len(captured)

    few = queries_for(10)
    many = queries_for(200)

    assert few == many
    with django_assert_max_num_queries(7), time_machine.travel(NOW, tick=False):
        anomalies.find_anomalies(AccessEvent.objects.all())


def test_the_administrators_shredding_duty_and_cascaded_withdrawals_are_not_outside_teams(
    make_case, caseworker, supervisor, org_admin
):
    from cases import vocabularies as cv
    from cases.services.management import confirm_shredding, request_shredding
    from referrals.vocabularies import WithdrawReason

    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        case = make_case(caseworker)
        shred_request = request_shredding(
            actor=supervisor, case=case, reason=cv.ShredReason.values[0]
        )
        confirm_shredding(actor=org_admin, shred_request=shred_request)
        # The referrals of her data withdrawn inside the confirmation, as referrals.services
        # records them; and one withdrawn because the caseworker withdrew a consent.
        event(actor=org_admin, action=Action.REFERRAL_WITHDRAWN, case_code=case.code,
              purpose=WithdrawReason.DATA_ERASED)
        event(actor=org_admin, action=Action.REFERRAL_WITHDRAWN, case_code=case.code,
              purpose=WithdrawReason.CONSENT_WITHDRAWN)
    assert AccessEvent.objects.filter(
        actor=org_admin, action=Action.SHRED_CONFIRMED, case_code=case.code
    ).exists()

    assert _found(Rule.OUTSIDE_TEAMS) == []


def test_the_administrator_reading_a_case_outside_her_teams_is_still_found(
    make_case, caseworker, org_admin
):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        case = make_case(caseworker)
        event(actor=org_admin, case_code=case.code)
        # A withdrawal she chose herself is an access like any other.
        event(actor=org_admin, action=Action.REFERRAL_WITHDRAWN, case_code=case.code,
              purpose="other")

    found = _found(Rule.OUTSIDE_TEAMS)

    assert [(f.username, f.action) for f in found] == [
        (org_admin.username, Action.REFERRAL_WITHDRAWN.value),
        (org_admin.username, Action.CASE_VIEWED.value),
    ]
