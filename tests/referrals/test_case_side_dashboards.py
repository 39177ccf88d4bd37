"""Referrals on the case page and on the homes: the caseworker's referrals, and the
supervisor's approvals, emergency sends to review and overdue referrals (frozen clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import vocabularies as cv
from cases.services.management import close_case
from referrals import services
from referrals import vocabularies as rv

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def case_url(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def new_draft(case, caseworker, offering, reason="Necesita apoyo."):
    return services.create_referral(
        actor=caseworker, case=case, offering=offering, urgency=rv.Urgency.NORMAL,
        reason=reason, items=["name"],
    )


def count_queries(client, url):
    with CaptureQueriesContext(connections["default"]) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- the case page -------------------------------------------------------------------------


def test_the_case_page_lists_her_referrals_with_status_and_deadline(
    client_for, caseworker, sent
):
    response = client_for(caseworker).get(case_url(sent.case))
    assert [r.pk for r in response.context["referrals"]] == [sent.pk]
    body = response.content.decode()
    assert reverse("referrals:detail", kwargs={"referral_id": sent.pk}) in body
    assert "Casa Refugio Arequipa" in body and "Sent" in body
    assert "Refer her to a service" in body


def test_a_read_only_colleague_sees_the_referrals_but_no_button(client_for, viewer, sent):
    response = client_for(viewer).get(case_url(sent.case))
    assert len(response.context["referrals"]) == 1
    assert not response.context["can_refer"]
    assert "Refer her to a service" not in response.content.decode()


def test_a_closed_case_offers_no_new_referral(client_for, caseworker, case):
    close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
               reason=cv.ClosureReason.GOALS_MET)
    response = client_for(caseworker).get(case_url(case))
    assert not response.context["can_refer"]


def test_the_case_page_marks_an_overdue_referral(client_for, caseworker, sent):
    with time_machine.travel(sent.due_at + timedelta(minutes=5), tick=False):
        body = client_for(caseworker).get(case_url(sent.case)).content.decode()
    assert "row--overdue" in body


def test_the_case_page_query_count_does_not_grow_with_referrals(
    client_for, caseworker, case, shelter, legal_clinic, consent_to_shelters
):
    client = client_for(caseworker)
    new_draft(case, caseworker, shelter)
    client.get(case_url(case))
    one = count_queries(client, case_url(case))
    for _ in range(4):
        new_draft(case, caseworker, legal_clinic)
    assert count_queries(client, case_url(case)) == one


# --- the caseworker's home -------------------------------------------------------------------


def test_her_home_shows_her_referrals_status_without_their_content(
    client_for, caseworker, submitted
):
    response = client_for(caseworker).get("/")
    assert [r.pk for r in response.context["referrals"]] == [submitted.pk]
    body = response.content.decode()
    assert "Awaiting approval" in body and submitted.case.code in body
    assert reverse("referrals:detail", kwargs={"referral_id": submitted.pk}) in body
    assert "Needs a safe place tonight." not in body


def test_a_teammates_referrals_are_not_on_her_home(
    client_for, caseworker, teammate_with_referral
):
    assert client_for(caseworker).get("/").context["referrals"] == []


@pytest.fixture
def teammate_with_referral(organization, team, make_case, shelter):
    from accounts.models import Role
    from cases.services.work import record_consent
    from tests.factories import UserFactory

    teammate = UserFactory(organization=organization, role=Role.CASEWORKER, username="mate")
    team.members.add(teammate)
    other_case = make_case(teammate, given_names="Génesis")
    record_consent(
        actor=teammate, case=other_case, purpose=cv.ConsentPurpose.REFERRAL, given=True,
        method=cv.ConsentMethod.VERBAL, given_by=cv.ConsentGivenBy.SURVIVOR,
        recipient_service_type=cv.ServiceType.SHELTER,
        scope=[scope.value for scope in cv.ConsentScope],
    )
    return new_draft(other_case, teammate, shelter)


# --- the supervisor's team home ---------------------------------------------------------------


def test_the_team_home_shows_referrals_awaiting_approval(client_for, supervisor, submitted):
    response = client_for(supervisor).get("/")
    assert [r.pk for r in response.context["to_approve"]] == [submitted.pk]
    assert response.context["to_approve_count"] == 1
    assert response.context["to_review"] == [] and response.context["late_referrals"] == []
    body = response.content.decode()
    assert reverse("referrals:detail", kwargs={"referral_id": submitted.pk}) in body
    assert "Needs a safe place tonight." not in body


def test_the_team_home_shows_emergency_sends_until_reviewed(
    client_for, supervisor, caseworker, draft
):
    services.send_emergency(actor=caseworker, referral=draft, reason="No puede esperar.")
    client = client_for(supervisor)
    assert [r.pk for r in client.get("/").context["to_review"]] == [draft.pk]
    services.review_emergency_send(actor=supervisor, referral=draft,
                                   finding=rv.ReviewFinding.REVIEWED, note="")
    assert client.get("/").context["to_review"] == []


def test_the_team_home_shows_overdue_referrals_with_a_frozen_clock(
    client_for, supervisor, sent
):
    before_deadline = sent.due_at - timedelta(minutes=1)
    with time_machine.travel(before_deadline, tick=False):
        assert client_for(supervisor).get("/").context["late_referrals"] == []
    with time_machine.travel(sent.due_at + timedelta(minutes=1), tick=False):
        response = client_for(supervisor).get("/")
    assert [r.pk for r in response.context["late_referrals"]] == [sent.pk]
    assert "overdue" in response.content.decode()


def test_an_answered_referral_is_never_overdue(client_for, supervisor, accepted):
    with time_machine.travel(accepted.due_at + timedelta(days=1), tick=False):
        assert client_for(supervisor).get("/").context["late_referrals"] == []


def test_another_teams_supervisor_sees_none_of_them(client_for, organization, submitted):
    from accounts.models import Role
    from tests.factories import TeamFactory, UserFactory

    other = UserFactory(organization=organization, role=Role.SUPERVISOR, username="othersup")
    TeamFactory(organization=organization, name="Otro equipo").supervisors.add(other)
    context = client_for(other).get("/").context
    assert context["to_approve"] == [] and context["to_review"] == []


def test_the_team_home_query_count_does_not_grow_with_referrals(
    client_for, supervisor, caseworker, case, shelter, legal_clinic, consent_to_shelters
):
    services.submit_referral(actor=caseworker, referral=new_draft(case, caseworker, shelter))
    client = client_for(supervisor)
    client.get("/")
    one = count_queries(client, "/")
    for _ in range(4):
        referral = new_draft(case, caseworker, shelter)
        services.submit_referral(actor=caseworker, referral=referral)
    assert len(client.get("/").context["to_approve"]) == 5
    assert count_queries(client, "/") == one


def test_her_home_query_count_does_not_grow_with_referrals(
    client_for, caseworker, case, shelter, consent_to_shelters
):
    new_draft(case, caseworker, shelter)
    client = client_for(caseworker)
    client.get("/")
    one = count_queries(client, "/")
    for _ in range(4):
        new_draft(case, caseworker, shelter)
    assert count_queries(client, "/") == one
