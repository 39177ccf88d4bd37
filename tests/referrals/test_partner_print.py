"""The printable referral form: the sealed packet on paper, its printing recorded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from referrals import services
from referrals import vocabularies as rv
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NAME = "María José Pérez Salas"


def _print(referral) -> str:
    return reverse("referrals:print", kwargs={"referral_id": referral.pk})


def test_the_form_shows_the_packet_with_its_own_styles_and_script(client_for, partner, sent):
    response = client_for(partner).get(_print(sent))

    page = response.content.decode()
    assert response.status_code == 200
    assert NAME in page
    assert "Needs a safe place tonight." in page
    assert "css/print.css" in page
    assert "css/amparo.css" not in page
    assert re.search(r'<script src="[^"]*js/print\.js"', page)
    # No inline script or style (the CSP allows neither).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page
    assert "data-print" in page


def test_printing_is_recorded_as_one_event(client_for, partner, sent):
    client = client_for(partner)
    before = AccessEvent.objects.count()

    client.get(_print(sent))

    new = list(AccessEvent.objects.order_by("id")[before:])
    assert [(event.action, event.outcome) for event in new] == [
        (Action.PACKET_PRINTED, Outcome.ALLOWED)
    ]
    assert new[0].case_code == sent.case.code


def test_the_packet_page_links_to_the_printable_form(client_for, partner, sent):
    assert (
        _print(sent)
        in client_for(partner)
        .get(reverse("referrals:packet", kwargs={"referral_id": sent.pk}))
        .content.decode()
    )


def test_a_withdrawn_packet_is_not_printed(client_for, partner, sent, caseworker):
    services.withdraw_referral(actor=caseworker, referral=sent, reason=rv.WithdrawReason.SAFETY)

    response = client_for(partner).get(_print(sent))

    assert response.status_code == 403
    assert NAME not in response.content.decode()
    assert "This referral was withdrawn" in response.content.decode()
    assert not AccessEvent.objects.filter(
        action=Action.PACKET_PRINTED, outcome=Outcome.ALLOWED
    ).exists()
    assert AccessEvent.objects.filter(
        action=Action.PACKET_PRINTED, actor=partner, outcome=Outcome.DENIED
    ).exists()


def test_a_shredded_packet_is_not_printed(client_for, partner, sent):
    vault.shred_owner(sent.survivor_id)

    response = client_for(partner).get(_print(sent))

    assert response.status_code == 403
    assert NAME not in response.content.decode()


def test_another_provider_gets_404(client_for, other_partner, sent):
    response = client_for(other_partner).get(_print(sent))

    assert response.status_code == 404
    assert not AccessEvent.objects.filter(
        action=Action.PACKET_PRINTED, outcome=Outcome.ALLOWED
    ).exists()


def test_a_draft_is_404(client_for, partner, draft):
    assert client_for(partner).get(_print(draft)).status_code == 404


def test_the_form_is_only_read(client_for, partner, sent):
    assert client_for(partner).post(_print(sent)).status_code == 405


def test_the_print_script_is_served():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/print.js")).read_text(encoding="utf-8")
    assert "window.print()" in script
    assert finders.find("css/print.css")
