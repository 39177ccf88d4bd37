"""The referral page guides the person who must act: missing consent is said before she
tries, an emergency draft offers "send now" first, and the supervisor approves the packet
itself, not a list of labels."""

import pytest
from django.urls import reverse

from referrals import services
from referrals import vocabularies as rv

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def page(client, referral):
    return client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()


def test_a_draft_without_consent_says_so_and_links_to_the_consent_section(
    client_for, caseworker, case, shelter
):
    draft = services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.URGENT,
        reason="Necesita un lugar seguro.", items=rv.minimum_necessary("shelter"),
    )
    html = page(client_for(caseworker), draft)
    assert "There is no live consent from her" in html
    assert reverse("cases:case_detail", args=[case.pk]) + "?section=consent#consent" in html


def test_a_draft_with_consent_does_not_warn(client_for, caseworker, draft):
    assert "There is no live consent from her" not in page(client_for(caseworker), draft)


def test_an_emergency_draft_opens_the_send_now_step(client_for, caseworker, case, shelter,
                                                    consent_to_shelters):
    draft = services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.EMERGENCY,
        reason="Hoy mismo.", items=rv.minimum_necessary("shelter"),
    )
    html = page(client_for(caseworker), draft)
    assert "Urgency alone does not send it" in html
    send_now = html.index('step--send_emergency')
    assert "<details class=\"work-form\" open>" in html[send_now:send_now + 200]


def test_the_supervisor_sees_the_packet_she_is_asked_to_approve(
    client_for, supervisor, submitted
):
    html = page(client_for(supervisor), submitted)
    assert "What the provider will read once it is sent" in html
    assert "María José Pérez Salas" in html
    # Unticked for a shelter: her birth date is not in the preview.
    assert "1996" not in html
