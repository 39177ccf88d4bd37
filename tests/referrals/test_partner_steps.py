"""The provider's answers: accept, decline (reason and note), complete; POST only."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral
from referrals.workflow import StepRefused

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _step(referral, step: str) -> str:
    return reverse("referrals:partner_step", kwargs={"referral_id": referral.pk, "step": step})


def _packet(referral) -> str:
    return reverse("referrals:packet", kwargs={"referral_id": referral.pk})


def _state(referral) -> str:
    return Referral.objects.get(pk=referral.pk).state


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("step", ["accept", "decline", "complete"])
def test_no_step_is_taken_through_a_get(client_for, partner, sent, step):
    response = client_for(partner).get(_step(sent, step))

    assert response.status_code == 405
    assert _state(sent) == rv.State.SENT


def test_she_accepts(client_for, partner, sent):
    response = client_for(partner).post(_step(sent, "accept"))

    assert response.status_code == 302
    assert response.url == _packet(sent)
    referral = Referral.objects.get(pk=sent.pk)
    assert referral.state == rv.State.ACCEPTED
    assert referral.answered_by == partner
    assert AccessEvent.objects.filter(action=Action.REFERRAL_ACCEPTED, actor=partner).count() == 1
    assert any(sent.case.code in message for message in _messages(response))


def test_she_declines_with_a_reason_and_a_note(client_for, partner, sent):
    response = client_for(partner).post(
        _step(sent, "decline"),
        {"decline-reason": rv.DeclineReason.NO_CAPACITY, "decline-note": "Full this week."},
    )

    assert response.status_code == 302
    referral = Referral.objects.get(pk=sent.pk)
    assert referral.state == rv.State.DECLINED
    assert referral.decline_reason == rv.DeclineReason.NO_CAPACITY


@pytest.mark.parametrize(
    "data",
    [
        {"decline-reason": rv.DeclineReason.NO_CAPACITY, "decline-note": ""},
        {"decline-reason": rv.DeclineReason.NO_CAPACITY, "decline-note": "   "},
        {"decline-reason": "", "decline-note": "Full."},
        {"decline-reason": "bogus", "decline-note": "Full."},
        {"decline-reason": rv.DeclineReason.OTHER, "decline-note": "x" * 5000},
    ],
)
def test_a_decline_without_reason_or_note_changes_nothing(client_for, partner, sent, data):
    before = AccessEvent.objects.count()

    response = client_for(partner).post(_step(sent, "decline"), data)

    assert response.status_code == 200
    assert response.context["answers"]  # the forms are shown again, with their messages
    assert "error" in response.content.decode()
    assert _state(sent) == rv.State.SENT
    new = list(AccessEvent.objects.order_by("id")[before:])
    assert [event.action for event in new] == [Action.PACKET_VIEWED]


def test_she_completes_with_an_outcome(client_for, partner, accepted):
    response = client_for(partner).post(
        _step(accepted, "complete"),
        {"complete-outcome": rv.CompletionOutcome.SERVICE_PROVIDED, "complete-note": ""},
    )

    assert response.status_code == 302
    referral = Referral.objects.get(pk=accepted.pk)
    assert referral.state == rv.State.COMPLETED
    assert referral.outcome == rv.CompletionOutcome.SERVICE_PROVIDED


def test_completion_needs_an_outcome(client_for, partner, accepted):
    response = client_for(partner).post(_step(accepted, "complete"), {"complete-outcome": "x"})

    assert response.status_code == 200
    assert _state(accepted) == rv.State.ACCEPTED


@pytest.mark.parametrize("step", ["withdraw", "approve", "submit", "send_emergency", "bogus"])
def test_other_step_names_are_404(client_for, partner, sent, step):
    response = client_for(partner).post(_step(sent, step), {"reason": "other"})

    assert response.status_code == 404
    assert _state(sent) == rv.State.SENT


def test_a_step_the_state_no_longer_allows_changes_nothing_and_says_so(
    client_for, partner, accepted
):
    events = AccessEvent.objects.count()

    response = client_for(partner).post(_step(accepted, "accept"))

    assert response.status_code == 302
    assert response.url == _packet(accepted)
    assert _state(accepted) == rv.State.ACCEPTED
    assert any("Nothing was changed" in message for message in _messages(response))
    assert Referral.objects.get(pk=accepted.pk).events.count() == 3
    assert AccessEvent.objects.count() == events


def test_a_withdrawn_referral_cannot_be_accepted(client_for, partner, sent, caseworker):
    services.withdraw_referral(actor=caseworker, referral=sent, reason=rv.WithdrawReason.OTHER)

    response = client_for(partner).post(_step(sent, "accept"))

    assert response.status_code == 302
    assert _state(sent) == rv.State.WITHDRAWN


def test_another_provider_gets_404(client_for, other_partner, sent):
    response = client_for(other_partner).post(_step(sent, "accept"))

    assert response.status_code == 404
    assert _state(sent) == rv.State.SENT
    assert AccessEvent.objects.filter(
        action=Action.REFERRAL_ACCEPTED, actor=other_partner, outcome=Outcome.DENIED
    ).exists()


def test_the_case_side_cannot_answer_for_the_provider(client_for, caseworker, sent):
    response = client_for(caseworker).post(_step(sent, "accept"))

    assert response.status_code == 403
    assert _state(sent) == rv.State.SENT


def test_a_refused_step_is_403_and_recorded(client_for, partner, sent, monkeypatch):
    def refuse(**kwargs):
        raise StepRefused("Only the organisation the referral was sent to can accept it.")

    monkeypatch.setattr(services, "accept_referral", refuse)

    response = client_for(partner).post(_step(sent, "accept"))

    assert response.status_code == 403
    assert _state(sent) == rv.State.SENT
    assert AccessEvent.objects.filter(
        action=Action.REFERRAL_ACCEPTED, actor=partner, outcome=Outcome.DENIED
    ).exists()
