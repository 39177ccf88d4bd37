"""Shredding her data ends her referrals: every open one is withdrawn in the shredding's
own transaction, the providers that had the packet are told, and nobody can pick that
reason by hand."""

import pytest
from django.core.exceptions import ValidationError

from cases import vocabularies as cv
from cases.models import ShredRequest
from cases.services.management import confirm_shredding, request_shredding
from referrals import services
from referrals import vocabularies as rv
from referrals.models import OutgoingMail, Referral
from referrals.workflow import StepRefused

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _ask(supervisor, case) -> ShredRequest:
    return request_shredding(actor=supervisor, case=case, reason=cv.ShredReason.SURVIVOR_REQUEST)


def test_confirming_the_shredding_withdraws_her_open_referrals_and_tells_the_provider(
    django_capture_on_commit_callbacks, case, caseworker, supervisor, org_admin, shelter,
    accepted, partner,
):
    draft = services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.NORMAL,
        reason="Otra derivación.", items=rv.minimum_necessary("shelter"),
    )
    asked = _ask(supervisor, case)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=asked)

    for referral in (accepted, draft):
        referral = Referral.objects.get(pk=referral.pk)
        assert referral.state == rv.State.WITHDRAWN
        assert referral.withdraw_reason == rv.WithdrawReason.DATA_ERASED
        assert referral.packet is None
        assert referral.events.last().actor_id == org_admin.pk
    told = OutgoingMail.objects.filter(kind=OutgoingMail.Kind.WITHDRAWN)
    assert [(m.referral_id, m.recipient_id) for m in told] == [(accepted.pk, partner.pk)]


def test_a_completed_referral_keeps_its_outcome(
    case, supervisor, org_admin, accepted, partner
):
    services.complete_referral(actor=partner, referral=accepted, outcome="service_provided")
    confirm_shredding(actor=org_admin, shred_request=_ask(supervisor, case))
    assert Referral.objects.get(pk=accepted.pk).state == rv.State.COMPLETED


def test_nobody_chooses_the_erasure_reason_by_hand(caseworker, sent):
    with pytest.raises(ValidationError):
        services.withdraw_referral(
            actor=caseworker, referral=sent, reason=rv.WithdrawReason.DATA_ERASED
        )
    assert Referral.objects.get(pk=sent.pk).state == rv.State.SENT


def test_an_unconfirmed_shredding_request_gives_no_authority(case, supervisor, org_admin, sent):
    pending = _ask(supervisor, case)
    with pytest.raises(StepRefused):
        services.withdraw_referral(
            actor=org_admin, referral=sent, erasure=pending,
            reason=rv.WithdrawReason.DATA_ERASED,
        )
    assert Referral.objects.get(pk=sent.pk).state == rv.State.SENT
