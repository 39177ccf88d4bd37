"""A referral's page on a phone (issue 18): the packet open made it over three phone
screens, so it is folded under its heading; status, steps, reason and timeline stay open."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _page(client, referral):
    return client.get(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))


def _packet_fold(html: str) -> str:
    found = re.search(r'<section class="card referral-packet"[^>]*>.*?</section>', html, flags=re.S)
    assert found, "the page shows the packet"
    return found.group(0)


def test_the_sent_packet_is_folded_under_its_heading(client_for, caseworker, sent):
    html = _page(client_for(caseworker), sent).content.decode()
    packet = _packet_fold(html)
    assert re.search(
        r'<details class="case-fold">\s*<summary><h3 id="packet-title">The packet the provider '
        r"reads</h3>",
        packet,
    )
    assert "María José Pérez Salas" in packet  # folded, not left out
    assert '<h3 id="timeline-title">' in html
    assert '<details class="case-fold" open' not in packet


def test_a_drafts_preview_is_folded_too(client_for, caseworker, draft):
    packet = _packet_fold(_page(client_for(caseworker), draft).content.decode())
    assert '<summary><h3 id="packet-title">What the provider will read once it is sent</h3>' in (
        packet
    )


def test_a_read_only_colleague_sees_it_folded_and_an_outsider_not_at_all(
    client_for, viewer, outsider, sent
):
    assert _page(client_for(outsider), sent).status_code == 404
    response = _page(client_for(viewer), sent)
    assert response.status_code == 200
    assert '<details class="case-fold">' in _packet_fold(response.content.decode())
