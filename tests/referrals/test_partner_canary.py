"""What was not ticked never reaches the partner: not the packet page, the printed form,
nor the inbox (canaries planted in unticked fields and unchosen notes)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cases import vocabularies as cv
from cases.services import intake
from cases.services.work import add_note
from referrals import services
from referrals import vocabularies as rv
from referrals.packet import open_packet
from tests.canary import make_canary
from tests.referrals.conftest import referral_consent

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

CHOSEN_NOTE = "Chosen note: she prefers calls after 18:00."


@pytest.fixture
def planted(make_case, caseworker, supervisor, shelter):
    """A sent shelter referral; canaries in aliases, family contacts, needs note, narrative
    and an unchosen note, none of which was ticked to share."""
    canaries = {
        name: make_canary(name) for name in ("aliases", "family", "needs", "narrative", "note")
    }
    case = make_case(caseworker, aliases=canaries["aliases"], family_contacts=canaries["family"])
    intake.update_needs_and_narrative(
        actor=caseworker,
        case=case,
        immediate_needs=["shelter"],
        needs_note=canaries["needs"],
        narrative=canaries["narrative"],
    )
    add_note(actor=caseworker, case=case, body=canaries["note"])
    chosen = add_note(actor=caseworker, case=case, body=CHOSEN_NOTE)
    referral_consent(actor=caseworker, case=case, recipient_service_type=cv.ServiceType.SHELTER)
    # The shelter's minimum without "needs", plus one chosen note (beyond the minimum).
    items = [item for item in rv.minimum_necessary("shelter") if item != rv.PacketItem.NEEDS]
    draft = services.create_referral(
        actor=caseworker,
        case=case,
        offering=shelter,
        urgency=rv.Urgency.URGENT,
        reason="Needs a safe place tonight.",
        items=[*items, rv.PacketItem.NOTES],
        note_ids=[str(chosen.pk)],
        beyond_minimum_reason="They know where she sleeps.",
    )
    submitted = services.submit_referral(actor=caseworker, referral=draft)
    return services.approve_referral(actor=supervisor, referral=submitted), canaries


def test_unticked_content_never_reaches_the_partners_pages(client_for, partner, planted):
    referral, canaries = planted
    client = client_for(partner)
    pages = {
        "packet": client.get(reverse("referrals:packet", kwargs={"referral_id": referral.pk})),
        "print": client.get(reverse("referrals:print", kwargs={"referral_id": referral.pk})),
        "inbox": client.get(reverse("referrals:inbox")),
        "home": client.get(reverse("home")),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        for field, canary in canaries.items():
            assert canary not in page, f"{field} leaked into the {name} page"
    # What was ticked and chosen is there (the test would prove nothing otherwise).
    assert CHOSEN_NOTE in pages["packet"].content.decode()
    assert CHOSEN_NOTE in pages["print"].content.decode()
    assert "They know where she sleeps." in pages["packet"].content.decode()


def test_unticked_content_is_not_in_the_sealed_packet(partner, planted):
    referral, canaries = planted

    sealed = json.dumps(open_packet(referral, actor=partner).data, ensure_ascii=False)

    for canary in canaries.values():
        assert canary not in sealed
    assert CHOSEN_NOTE in sealed
