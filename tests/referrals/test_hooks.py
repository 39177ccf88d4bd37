"""Case work's cascades into referrals go through the hooks of ``cases/hooks.py``: referrals
fills every one of them, only a named receiver can be connected, and a receiver that fails
rolls back the whole change of its caller (the consent stays given, her data unshredded)."""

from __future__ import annotations

import functools

import pytest
from django.core.checks import Error

from cases import hooks
from cases import vocabularies as cv
from cases.models import Consent, ShredRequest, Survivor
from cases.services.consent import withdraw_consent
from cases.services.management import confirm_shredding, request_shredding
from referrals import services
from referrals import vocabularies as rv
from referrals.models import OutgoingMail, Referral, ReferralEvent
from vault.models import DataKey

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


class ReceiverBroke(Exception):
    pass


def _failing_after(receiver):
    """The real receiver, then a failure: what it did must be rolled back with the rest."""

    @functools.wraps(receiver)  # keeps its dotted path: still the receiver the hook names
    def fail_after_doing_its_work(**arguments):
        receiver(**arguments)
        raise ReceiverBroke

    return fail_after_doing_its_work


def test_referrals_fills_every_hook_with_the_receivers_it_names():
    assert hooks.CONSENT_WITHDRAWN.connected == (
        "referrals.services.withdraw_referrals_covered_by",
    )
    assert hooks.SHREDDING_CONFIRMED.connected == (
        "referrals.services.withdraw_referrals_of_shredded_survivor",
    )
    for hook in hooks.HOOKS:
        assert hook.missing == ()
    assert hooks.hooks_are_filled() == []


def test_the_start_up_check_names_a_receiver_that_is_missing(monkeypatch):
    monkeypatch.setattr(hooks.CONSENT_WITHDRAWN, "_connected", [])

    problems = hooks.hooks_are_filled()

    assert [(type(p), p.id) for p in problems] == [(Error, "cases.E001")]
    assert "withdraw_referrals_covered_by" in problems[0].msg


def test_the_check_covers_hooks_that_apps_above_cases_build(monkeypatch):
    monkeypatch.setattr(hooks, "_ALL", list(hooks._ALL))
    hooks.Hook(name="referral_completed", caller="referrals.services.complete_referral",
               arguments=("referral", "actor"), receivers=("plans.receivers.record",))

    assert [p.msg for p in hooks.hooks_are_filled()] == [
        "The referral_completed hook has no receiver plans.receivers.record: its cascade "
        "would not happen."
    ]


def test_a_receiver_not_named_by_the_hook_cannot_be_connected():
    def somewhere_else(**arguments):
        pass

    with pytest.raises(ValueError, match="not a receiver"):
        hooks.CONSENT_WITHDRAWN.connect(somewhere_else)
    assert hooks.CONSENT_WITHDRAWN.connected == hooks.CONSENT_WITHDRAWN.receivers


def test_connecting_a_receiver_twice_runs_it_once():
    hooks.CONSENT_WITHDRAWN.connect(services.withdraw_referrals_covered_by)
    assert len(hooks.CONSENT_WITHDRAWN.connected) == 1


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_a_hook_runs_only_inside_its_callers_transaction():
    # Outside any transaction (this test has none around it) a failing receiver could
    # leave half a cascade behind: the hook refuses before calling anyone.
    with pytest.raises(RuntimeError, match="transaction"):
        hooks.CONSENT_WITHDRAWN.call(consent=None, actor=None)


def test_a_hook_with_a_missing_receiver_refuses_to_run_half_a_cascade(
    monkeypatch, case, caseworker, consent_to_shelters, sent
):
    monkeypatch.setattr(hooks.CONSENT_WITHDRAWN, "_connected", [])

    with pytest.raises(RuntimeError, match="not filled"):
        withdraw_consent(actor=caseworker, case=case, consent=consent_to_shelters,
                         reason=cv.ConsentWithdrawalReason.SURVIVOR_REQUEST)

    assert Consent.objects.get(pk=consent_to_shelters.pk).withdrawn_at is None
    assert Referral.objects.get(pk=sent.pk).state == rv.State.SENT


def test_withdrawing_consent_withdraws_its_referrals_through_the_hook(
    case, caseworker, consent_to_shelters, sent
):
    withdraw_consent(actor=caseworker, case=case, consent=consent_to_shelters,
                     reason=cv.ConsentWithdrawalReason.SURVIVOR_REQUEST)

    referral = Referral.objects.get(pk=sent.pk)
    assert referral.state == rv.State.WITHDRAWN
    assert referral.withdraw_reason == rv.WithdrawReason.CONSENT_WITHDRAWN


def test_a_failing_consent_receiver_rolls_back_the_withdrawal_and_every_referral(
    monkeypatch, django_capture_on_commit_callbacks, case, caseworker, consent_to_shelters, sent
):
    hook = hooks.CONSENT_WITHDRAWN
    monkeypatch.setattr(hook, "_connected", [_failing_after(r) for r in hook._connected])
    events_before = ReferralEvent.objects.count()
    mail_before = OutgoingMail.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReceiverBroke):
        withdraw_consent(actor=caseworker, case=case, consent=consent_to_shelters,
                         reason=cv.ConsentWithdrawalReason.SURVIVOR_REQUEST)

    consent = Consent.objects.get(pk=consent_to_shelters.pk)
    assert consent.withdrawn_at is None and consent.withdrawal_reason == ""
    referral = Referral.objects.get(pk=sent.pk)
    assert referral.state == rv.State.SENT and referral.packet is not None
    assert ReferralEvent.objects.count() == events_before
    assert OutgoingMail.objects.count() == mail_before


def test_a_failing_shredding_receiver_rolls_back_the_shredding_and_keeps_her_key(
    monkeypatch, django_capture_on_commit_callbacks, case, supervisor, org_admin, accepted
):
    asked = request_shredding(actor=supervisor, case=case, reason=cv.ShredReason.SURVIVOR_REQUEST)
    hook = hooks.SHREDDING_CONFIRMED
    monkeypatch.setattr(hook, "_connected", [_failing_after(r) for r in hook._connected])
    mail_before = OutgoingMail.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReceiverBroke):
        confirm_shredding(actor=org_admin, shred_request=asked)

    assert ShredRequest.objects.get(pk=asked.pk).status == ShredRequest.Status.PENDING
    assert Survivor.objects.get(pk=case.survivor_id).shredded_at is None
    key = DataKey.objects.get(owner_id=case.survivor_id)
    assert key.shredded_at is None and key.wrapped_key is not None
    referral = Referral.objects.get(pk=accepted.pk)
    assert referral.state == rv.State.ACCEPTED and referral.packet is not None
    assert OutgoingMail.objects.count() == mail_before
