"""The partner's inbox: her organisation's sent referrals, by deadline, without content."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from referrals import services
from referrals import vocabularies as rv
from tests.referrals.conftest import referral_consent

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

INBOX = reverse("referrals:inbox")


@pytest.fixture
def clinic_sent(make_case, caseworker, supervisor, legal_clinic):
    """A referral of another case, sent to the legal-aid clinic (another provider)."""
    case = make_case(caseworker, given_names="Yuleisy", family_names="Rondón Guerra")
    referral_consent(actor=caseworker, case=case, recipient_organization=legal_clinic.organization)
    draft = services.create_referral(
        actor=caseworker,
        case=case,
        offering=legal_clinic,
        urgency=rv.Urgency.NORMAL,
        reason="Quiere orientación legal.",
        items=rv.minimum_necessary("legal_aid"),
    )
    submitted = services.submit_referral(actor=caseworker, referral=draft)
    return services.approve_referral(actor=supervisor, referral=submitted)


def _rows(response) -> list:
    return [referral.pk for referral in response.context["rows"]]


def test_it_lists_only_the_referrals_sent_to_her_organisation(
    client_for, partner, other_partner, sent, clinic_sent
):
    assert _rows(client_for(partner).get(INBOX)) == [sent.pk]
    assert _rows(client_for(other_partner).get(INBOX)) == [clinic_sent.pk]


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_referrals_not_yet_sent_are_not_in_the_inbox(client_for, partner, state, request):
    referral = request.getfixturevalue(state)

    response = client_for(partner).get(INBOX)

    assert response.status_code == 200
    assert _rows(response) == []
    assert referral.case.code not in response.content.decode()


def test_the_list_shows_codes_and_dates_but_nothing_of_her(client_for, partner, sent):
    page = client_for(partner).get(INBOX).content.decode()

    assert sent.case.code in page
    assert "Casa Refugio Arequipa" in page
    for content in ("María", "Pérez", "Needs a safe place tonight"):
        assert content not in page


def test_opening_the_inbox_is_one_event(client_for, partner, sent):
    client = client_for(partner)
    before = AccessEvent.objects.count()

    client.get(INBOX)

    events = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
    assert [event.action for event in events] == [Action.INBOX_VIEWED]


@pytest.mark.parametrize("role_fixture", ["caseworker", "supervisor", "org_admin", "auditor"])
def test_only_partners_have_an_inbox(client_for, role_fixture, request):
    person = request.getfixturevalue(role_fixture)

    response = client_for(person).get(INBOX)

    assert response.status_code == 403
    assert AccessEvent.objects.filter(
        action=Action.INBOX_VIEWED, actor=person, outcome=Outcome.DENIED
    ).exists()


def test_the_tabs_filter_new_accepted_and_closed(client_for, partner, accepted, caseworker):
    client = client_for(partner)

    assert _rows(client.get(INBOX, {"show": "accepted"})) == [accepted.pk]
    assert _rows(client.get(INBOX, {"show": "new"})) == []
    assert _rows(client.get(INBOX, {"show": "closed"})) == []

    services.complete_referral(
        actor=partner, referral=accepted, outcome=rv.CompletionOutcome.SERVICE_PROVIDED
    )

    assert _rows(client.get(INBOX, {"show": "closed"})) == [accepted.pk]
    assert _rows(client.get(INBOX, {"show": "accepted"})) == []


def test_an_unknown_tab_shows_everything(client_for, partner, sent):
    assert _rows(client_for(partner).get(INBOX, {"show": "<script>"})) == [sent.pk]


def test_a_referral_past_its_deadline_is_marked_overdue(client_for, partner, sent):
    assert _rows(client_for(partner).get(INBOX, {"show": "overdue"})) == []

    with time_machine.travel(sent.due_at + timedelta(hours=1)):
        # Signed in again: her session of before the journey has expired.
        response = client_for(partner).get(INBOX, {"show": "overdue"})

    assert _rows(response) == [sent.pk]
    assert "Overdue since" in response.content.decode()
    assert response.context["counts"] == {"new": 1, "overdue": 1, "accepted": 0, "closed": 0}


def test_a_withdrawn_referral_moves_to_closed(client_for, partner, sent, caseworker):
    services.withdraw_referral(actor=caseworker, referral=sent, reason=rv.WithdrawReason.NEED_MET)

    client = client_for(partner)

    assert _rows(client.get(INBOX, {"show": "closed"})) == [sent.pk]
    assert _rows(client.get(INBOX, {"show": "new"})) == []


def test_the_inbox_costs_the_same_queries_for_one_or_two_referrals(client_for, partner, sent):
    client = client_for(partner)
    client.get(INBOX)  # warm the session and the content types

    with CaptureQueriesContext(connection) as one:
        client.get(INBOX)
    services.accept_referral(actor=partner, referral=sent)
    with CaptureQueriesContext(connection) as still_one:
        client.get(INBOX)

    assert len(one) == len(still_one)
    assert len(one) <= 15


def test_her_home_shows_the_counts_and_links_to_the_inbox(client_for, partner, sent, shelter):
    response = client_for(partner).get(reverse("home"))

    page = response.content.decode()
    assert response.context["inbox_counts"]["new"] == 1
    assert f'href="{INBOX}?show=new"' in page
    assert sent.case.code not in page
    assert "3 free places" in page


def test_the_navigation_offers_each_role_its_referral_pages(
    client_for, partner, caseworker, supervisor, org_admin, auditor
):
    def links(person) -> list[str]:
        navigation = client_for(person).get(reverse("home")).context["navigation"]
        return [url for url, _label in navigation]

    assert {"referrals:inbox", "referrals:directory", "referrals:own_services"} <= set(
        links(partner)
    )
    for person in (caseworker, supervisor):
        assert "referrals:directory" in links(person)
        assert "referrals:inbox" not in links(person)
        assert "referrals:own_services" not in links(person)
    assert {"referrals:directory", "referrals:own_services"} <= set(links(org_admin))
    assert not {"referrals:directory", "referrals:inbox"} & set(links(auditor))
