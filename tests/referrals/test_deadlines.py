"""Deadlines with a frozen clock: urgency sets the answer's due time from sending, overdue
referrals show to the team's supervisors and in the partner's inbox until answered, and
emergency sends wait in the supervisors' review queue (DESIGN §7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import Role
from audit.models import AccessEvent, Action
from referrals import queries, services
from referrals import vocabularies as rv
from referrals.models import Referral
from referrals.workflow import StepRefused
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def other_team_supervisor(organization):
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="othersuper")
    TeamFactory(organization=organization, name="Otro equipo").supervisors.add(user)
    return user


def draft_with(case, caseworker, shelter, urgency):
    return services.create_referral(
        actor=caseworker,
        case=case,
        offering=shelter,
        urgency=urgency,
        reason="Needs a safe place.",
        items=rv.minimum_necessary("shelter"),
    )


def sent_at(moment, case, caseworker, supervisor, shelter, urgency):
    """Drafted and submitted an hour before ``moment``, approved at ``moment``."""
    with time_machine.travel(moment - timedelta(hours=1), tick=False):
        referral = draft_with(case, caseworker, shelter, urgency)
        services.submit_referral(actor=caseworker, referral=referral)
    with time_machine.travel(moment, tick=False):
        services.approve_referral(actor=supervisor, referral=referral)
    return Referral.objects.get(pk=referral.pk)


# --- the due time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "hours"),
    [(rv.Urgency.EMERGENCY, 24), (rv.Urgency.URGENT, 72), (rv.Urgency.NORMAL, 14 * 24)],
)
def test_urgency_sets_the_answer_due_from_sending(
    urgency, hours, case, caseworker, supervisor, shelter, consent_to_shelters
):
    referral = sent_at(T0, case, caseworker, supervisor, shelter, urgency)
    assert referral.sent_at == T0
    assert referral.due_at == T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("urgency", "hours"),
    [(rv.Urgency.EMERGENCY, 24), (rv.Urgency.URGENT, 72), (rv.Urgency.NORMAL, 14 * 24)],
)
def test_an_emergency_send_starts_the_clock_when_it_leaves(
    urgency, hours, case, caseworker, shelter, consent_to_shelters
):
    with time_machine.travel(T0 - timedelta(days=3), tick=False):
        referral = draft_with(case, caseworker, shelter, urgency)
    with time_machine.travel(T0, tick=False):
        services.send_emergency(actor=caseworker, referral=referral, reason="He found her.")
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.sent_at, referral.due_at) == (T0, T0 + timedelta(hours=hours))


def test_no_due_time_before_sending(case, caseworker, shelter, consent_to_shelters):
    referral = services.submit_referral(
        actor=caseworker, referral=draft_with(case, caseworker, shelter, rv.Urgency.EMERGENCY)
    )
    assert Referral.objects.get(pk=referral.pk).due_at is None


# --- overdue ----------------------------------------------------------------------------


def overdue_everywhere(supervisor, partner) -> tuple[set, set]:
    for_supervisor = {r.pk for r in queries.overdue_for_supervisor(supervisor)}
    in_inbox = {r.pk for r in queries.INBOX_FILTERS["overdue"](queries.inbox(partner))}
    return for_supervisor, in_inbox


def test_a_referral_is_overdue_only_after_its_deadline_and_until_answered(
    case,
    caseworker,
    supervisor,
    second_supervisor,
    other_team_supervisor,
    partner,
    other_partner,
    shelter,
    consent_to_shelters,
):
    referral = sent_at(T0, case, caseworker, supervisor, shelter, rv.Urgency.URGENT)
    deadline = T0 + timedelta(hours=72)

    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert overdue_everywhere(supervisor, partner) == (set(), set())
        assert not Referral.objects.get(pk=referral.pk).is_overdue
        assert {r.pk for r in queries.INBOX_FILTERS["new"](queries.inbox(partner))} == {referral.pk}

    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert overdue_everywhere(supervisor, partner) == ({referral.pk}, {referral.pk})
        assert Referral.objects.get(pk=referral.pk).is_overdue
        # Every supervisor of the team sees it; nobody else.
        assert {r.pk for r in queries.overdue_for_supervisor(second_supervisor)} == {referral.pk}
        assert not queries.overdue_for_supervisor(other_team_supervisor).exists()
        assert not queries.overdue_for_supervisor(caseworker).exists()
        assert not queries.INBOX_FILTERS["overdue"](queries.inbox(other_partner)).exists()

        services.accept_referral(actor=partner, referral=referral)
        assert overdue_everywhere(supervisor, partner) == (set(), set())
        assert not Referral.objects.get(pk=referral.pk).is_overdue
        assert {r.pk for r in queries.INBOX_FILTERS["accepted"](queries.inbox(partner))} == {
            referral.pk
        }


@pytest.mark.parametrize("ending", ["decline", "withdraw"])
def test_a_declined_or_withdrawn_referral_is_not_overdue(
    ending, case, caseworker, supervisor, partner, shelter, consent_to_shelters
):
    referral = sent_at(T0, case, caseworker, supervisor, shelter, rv.Urgency.EMERGENCY)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert overdue_everywhere(supervisor, partner) == ({referral.pk}, {referral.pk})
        if ending == "decline":
            services.decline_referral(
                actor=partner, referral=referral, reason=rv.DeclineReason.NO_CAPACITY, note="Full."
            )
        else:
            services.withdraw_referral(
                actor=caseworker, referral=referral, reason=rv.WithdrawReason.NEED_MET
            )
        assert overdue_everywhere(supervisor, partner) == (set(), set())
        assert {r.pk for r in queries.INBOX_FILTERS["closed"](queries.inbox(partner))} == {
            referral.pk
        }


def test_overdue_lists_are_ordered_by_deadline(
    case, caseworker, supervisor, shelter, consent_to_shelters
):
    normal = sent_at(T0, case, caseworker, supervisor, shelter, rv.Urgency.NORMAL)
    emergency = sent_at(
        T0 + timedelta(days=1), case, caseworker, supervisor, shelter, rv.Urgency.EMERGENCY
    )
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert [r.pk for r in queries.overdue_for_supervisor(supervisor)] == [
            emergency.pk,
            normal.pk,
        ]


# --- the emergency review queue ---------------------------------------------------------


@pytest.fixture
def emergency(draft, caseworker):
    with time_machine.travel(T0, tick=False):
        services.send_emergency(actor=caseworker, referral=draft, reason="He found her.")
    return Referral.objects.get(pk=draft.pk)


def review(actor, referral, finding=rv.ReviewFinding.REVIEWED, note=""):
    return services.review_emergency_send(
        actor=actor, referral=referral, finding=finding, note=note
    )


def test_an_emergency_send_waits_for_the_teams_supervisors(
    emergency, supervisor, second_supervisor, other_team_supervisor, caseworker
):
    assert [r.pk for r in queries.awaiting_review(supervisor)] == [emergency.pk]
    assert [r.pk for r in queries.awaiting_review(second_supervisor)] == [emergency.pk]
    assert not queries.awaiting_review(other_team_supervisor).exists()
    assert not queries.awaiting_review(caseworker).exists()
    assert emergency.awaits_review
    # Sent already: it never waits for approval.
    assert not queries.awaiting_approval(supervisor).exists()


def test_the_review_is_not_by_the_sender(draft, supervisor, second_supervisor):
    services.send_emergency(actor=supervisor, referral=draft, reason="He found her.")
    with pytest.raises(StepRefused) as refused:
        review(supervisor, draft)
    assert "another supervisor" in refused.value.message
    reviewed = review(second_supervisor, draft)
    assert reviewed.reviewed_by == second_supervisor


def test_only_a_team_supervisor_reviews(
    emergency, caseworker, other_team_supervisor, partner, viewer
):
    for person in (caseworker, other_team_supervisor, partner, viewer):
        with pytest.raises(StepRefused):
            review(person, emergency)
    assert Referral.objects.get(pk=emergency.pk).review_finding == ""


def test_a_concern_needs_a_note(emergency, supervisor):
    with pytest.raises(ValidationError) as refused:
        review(supervisor, emergency, finding=rv.ReviewFinding.CONCERN, note="  ")
    assert "note" in refused.value.message_dict
    assert Referral.objects.get(pk=emergency.pk).awaits_review
    with pytest.raises(ValidationError):
        review(supervisor, emergency, finding="fine")
    reviewed = review(
        supervisor,
        emergency,
        finding=rv.ReviewFinding.CONCERN,
        note="Could have waited for the morning.",
    )
    assert reviewed.review_finding == rv.ReviewFinding.CONCERN


def test_an_emergency_send_is_reviewed_only_once(emergency, supervisor, second_supervisor):
    review(supervisor, emergency)
    assert not queries.awaiting_review(supervisor).exists()
    with pytest.raises(ValidationError) as refused:
        review(second_supervisor, emergency, finding=rv.ReviewFinding.CONCERN, note="No.")
    assert "already reviewed" in refused.value.messages[0]
    stored = Referral.objects.get(pk=emergency.pk)
    assert (stored.review_finding, stored.reviewed_by) == (rv.ReviewFinding.REVIEWED, supervisor)
    assert AccessEvent.objects.filter(action=Action.REFERRAL_REVIEWED).count() == 1


def test_only_emergency_sends_are_reviewed(sent, supervisor, second_supervisor):
    with pytest.raises(ValidationError):
        review(second_supervisor, sent)
    assert not queries.awaiting_review(supervisor).exists()


def test_an_emergency_send_is_reviewed_even_after_it_was_answered(emergency, partner, supervisor):
    services.accept_referral(actor=partner, referral=emergency)
    assert [r.pk for r in queries.awaiting_review(supervisor)] == [emergency.pk]
    review(supervisor, emergency)
    assert not queries.awaiting_review(supervisor).exists()
