"""A page shows a referral as it was; a step chosen there applies to that referral or to
nothing. The forms post back the state they showed (``seen_state``)."""

import pytest
from django.urls import reverse

from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_a_withdrawal_from_a_page_that_showed_it_awaiting_approval_is_refused_once_sent(
    client_for, caseworker, supervisor, submitted
):
    page = client_for(caseworker).get(reverse("referrals:detail", args=[submitted.pk]))
    assert 'name="seen_state" value="submitted"' in page.content.decode()
    services.approve_referral(actor=supervisor, referral=submitted)

    response = client_for(caseworker).post(
        reverse("referrals:step", args=[submitted.pk, "withdraw"]),
        {"seen_state": "submitted", "withdraw-reason": "need_met"},
    )

    assert response.status_code == 409
    assert "Someone changed this referral in the meantime" in response.content.decode()
    assert Referral.objects.get(pk=submitted.pk).state == rv.State.SENT


def test_the_partners_answer_from_a_stale_packet_page_changes_nothing(
    client_for, caseworker, partner, sent
):
    services.withdraw_referral(actor=caseworker, referral=sent, reason="need_met")
    response = client_for(partner).post(
        reverse("referrals:partner_step", args=[sent.pk, "accept"]), {"seen_state": "sent"}
    )
    assert response.status_code == 302
    assert Referral.objects.get(pk=sent.pk).state == rv.State.WITHDRAWN
