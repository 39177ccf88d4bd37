"""The whole path once, through the services: a quick proof the workflow hangs together."""

import pytest

from referrals import services
from referrals import vocabularies as rv
from referrals.packet import open_packet

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_referral_goes_from_draft_to_completed(accepted, partner, caseworker):
    done = services.complete_referral(
        actor=partner, referral=accepted, outcome=rv.CompletionOutcome.SERVICE_PROVIDED
    )
    assert done.state == rv.State.COMPLETED
    assert [e.action for e in done.events.all()] == ["submit", "approve", "accept", "complete"]
    packet = open_packet(done, actor=partner)
    assert packet.items["name"] == "María José Pérez Salas"
    assert "birth_date" not in packet.items
