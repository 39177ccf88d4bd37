"""Packets end when they are no longer needed (issue 12, opening 8): closed on decline,
emptied a configurable number of days after completion, and emptied when the consent they
relied on is withdrawn, whatever the referral's state. The partner then sees a clear "no
longer available" page, and the look is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from cases.services.work import withdraw_consent
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NAME = "María José Pérez Salas"
GONE = "This packet is no longer available"


@pytest.fixture
def client_for(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def _packet(referral) -> str:
    return reverse("referrals:packet", kwargs={"referral_id": referral.pk})


def _read(client_for, partner, referral) -> str:
    response = client_for(partner).get(_packet(referral))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def completed(accepted, partner):
    return services.complete_referral(
        actor=partner, referral=accepted, outcome=rv.CompletionOutcome.SERVICE_PROVIDED
    )


def test_a_declined_packet_no_longer_opens_and_the_look_is_recorded(
    client_for, partner, sent
):
    services.decline_referral(actor=partner, referral=sent,
                              reason=rv.DeclineReason.values[0], note="Sin cupo.")
    referral = Referral.objects.get(pk=sent.pk)
    assert referral.packet is None and referral.packet_end == rv.PacketEnd.DECLINED

    page = _read(client_for, partner, sent)
    assert GONE in page and "declined this referral" in page
    assert NAME not in page
    assert reverse("referrals:print", kwargs={"referral_id": sent.pk}) not in page
    assert AccessEvent.objects.filter(
        action=Action.PACKET_VIEWED, actor=partner, case_code=sent.case.code
    ).exists()


def test_the_other_people_still_get_nothing(client_for, other_partner, viewer, sent, partner):
    services.decline_referral(actor=partner, referral=sent,
                              reason=rv.DeclineReason.values[0], note="Sin cupo.")
    assert client_for(other_partner).get(_packet(sent)).status_code == 404
    assert client_for(viewer).get(_packet(sent)).status_code in (403, 404)


def test_a_completed_packet_expires_after_the_configured_days(
    client_for, partner, completed, settings
):
    settings.AMPARO_PACKET_DAYS_AFTER_COMPLETION = 10
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        assert services.expire_completed_packets() == 0
        assert NAME in _read(client_for, partner, completed)
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        call_command("expire_packets")
        page = _read(client_for, partner, completed)
    assert GONE in page and NAME not in page
    referral = Referral.objects.get(pk=completed.pk)
    assert referral.packet is None and referral.packet_end == rv.PacketEnd.EXPIRED
    closed = AccessEvent.objects.get(action=Action.PACKET_CLOSED)
    assert (closed.case_code, closed.purpose) == (completed.case.code, rv.PacketEnd.EXPIRED)
    assert services.expire_completed_packets(now=timezone.now() + timedelta(days=40)) == 0


def test_the_default_keeps_a_completed_packet_thirty_days(completed):
    assert services.packet_days_after_completion() == 30
    assert services.expire_completed_packets(now=timezone.now() + timedelta(days=29)) == 0
    assert services.expire_completed_packets(now=timezone.now() + timedelta(days=31)) == 1


def test_withdrawing_the_consent_empties_a_completed_packet(
    client_for, partner, completed, caseworker, consent_to_shelters
):
    withdraw_consent(actor=caseworker, case=completed.case, consent=consent_to_shelters,
                     reason=cv.ConsentWithdrawalReason.SURVIVOR_REQUEST)

    referral = Referral.objects.get(pk=completed.pk)
    assert referral.state == rv.State.COMPLETED  # its history stays as it was
    assert referral.packet is None and referral.packet_end == rv.PacketEnd.CONSENT_WITHDRAWN
    page = _read(client_for, partner, completed)
    assert GONE in page and "withdrew the consent" in page and NAME not in page
    assert AccessEvent.objects.filter(
        action=Action.PACKET_CLOSED, purpose=rv.PacketEnd.CONSENT_WITHDRAWN
    ).count() == 1


def test_the_worker_job_expires_completed_packets(completed):
    from operations import jobs

    assert "expire_packets" in [job.name for job in jobs.periodic_jobs()]
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert jobs.expire_packets() == 1
    assert Referral.objects.get(pk=completed.pk).packet_end == rv.PacketEnd.EXPIRED
