"""The packet page: only the partner of the provider opens it, once sent, while it is live."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from referrals import services
from referrals import vocabularies as rv
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NAME = "María José Pérez Salas"


def _packet(referral) -> str:
    return reverse("referrals:packet", kwargs={"referral_id": referral.pk})


def _step(referral, step: str) -> str:
    return reverse("referrals:partner_step", kwargs={"referral_id": referral.pk, "step": step})


def test_the_partner_reads_the_packet_and_the_look_is_one_event(client_for, partner, sent):
    client = client_for(partner)
    before = AccessEvent.objects.count()

    response = client.get(_packet(sent))

    page = response.content.decode()
    assert response.status_code == 200
    assert NAME in page
    assert "Needs a safe place tonight." in page
    assert sent.case.code in page
    new = list(AccessEvent.objects.order_by("id")[before:])
    assert [(event.action, event.outcome) for event in new] == [
        (Action.PACKET_VIEWED, Outcome.ALLOWED)
    ]
    assert new[0].case_code == sent.case.code


def test_the_packet_shows_its_sections_with_labels(client_for, partner, sent):
    page = client_for(partner).get(_packet(sent)).content.decode()

    # Shelter minimum: name, languages, safe contact, age band, gender, needs, risk.
    for label in (
        "Name",
        "Languages",
        "Spanish",
        "Age band",
        "Gender",
        "Woman",
        "Safe contact",
        "Needs",
        "Risk summary",
    ):
        assert label in page
    assert "Birth date" not in page
    assert "1996" not in page


def test_the_partner_never_opens_the_case(client_for, partner, sent):
    response = client_for(partner).get(
        reverse("cases:case_detail", kwargs={"case_id": sent.case_id})
    )

    assert response.status_code == 404


def test_another_provider_gets_404_and_it_is_recorded(client_for, other_partner, sent):
    response = client_for(other_partner).get(_packet(sent))

    assert response.status_code == 404
    assert NAME not in response.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.PACKET_VIEWED, actor=other_partner, outcome=Outcome.DENIED
    ).exists()


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_a_referral_not_yet_sent_is_404(client_for, partner, state, request):
    referral = request.getfixturevalue(state)

    assert client_for(partner).get(_packet(referral)).status_code == 404


@pytest.mark.parametrize("role_fixture", ["caseworker", "supervisor"])
def test_the_case_side_does_not_use_the_partner_page(client_for, role_fixture, sent, request):
    person = request.getfixturevalue(role_fixture)

    assert client_for(person).get(_packet(sent)).status_code == 403


def test_a_malformed_id_is_404(client_for, partner):
    response = client_for(partner).get("/referrals/inbox/not-a-uuid/")

    assert response.status_code == 404


def test_a_withdrawn_packet_no_longer_opens(client_for, partner, sent, caseworker):
    services.withdraw_referral(actor=caseworker, referral=sent, reason=rv.WithdrawReason.SAFETY)

    response = client_for(partner).get(_packet(sent))

    page = response.content.decode()
    assert response.status_code == 200
    assert "This referral was withdrawn" in page
    assert NAME not in page
    assert "Needs a safe place tonight." not in page
    assert reverse("referrals:print", kwargs={"referral_id": sent.pk}) not in page
    assert response.context["answers"] == []


def test_a_shredded_packet_no_longer_opens(client_for, partner, sent):
    vault.shred_owner(sent.survivor_id)

    response = client_for(partner).get(_packet(sent))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Her data was erased" in page
    assert NAME not in page
    assert response.context["answers"] == []


def test_a_sent_referral_offers_accept_and_decline_only(client_for, partner, sent):
    page = client_for(partner).get(_packet(sent)).content.decode()

    assert _step(sent, "accept") in page
    assert _step(sent, "decline") in page
    assert _step(sent, "complete") not in page
    assert "No capacity" in page  # the decline reasons, from the list


def test_an_accepted_referral_offers_completion_only(client_for, partner, accepted):
    page = client_for(partner).get(_packet(accepted)).content.decode()

    assert _step(accepted, "complete") in page
    assert _step(accepted, "accept") not in page
    assert _step(accepted, "decline") not in page


def test_a_closed_referral_offers_nothing_but_still_opens(client_for, partner, accepted):
    services.complete_referral(
        actor=partner, referral=accepted, outcome=rv.CompletionOutcome.PARTLY_PROVIDED
    )

    response = client_for(partner).get(_packet(accepted))

    assert response.context["answers"] == []
    assert NAME in response.content.decode()
    assert "Service partly provided" in response.content.decode()
