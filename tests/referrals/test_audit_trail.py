"""The case's organisation's auditor sees partners' looks at the packet in the case's trail."""

import pytest
from django.urls import reverse

from audit.models import Action
from oversight.queries import case_trail
from referrals.queries import get_packet_for_partner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_case_trail_includes_the_partners_look_at_the_packet(
    sent, partner, auditor, client_for
):
    get_packet_for_partner(partner, sent.pk)

    trail = list(case_trail(auditor, sent.case.code))
    looks = [e for e in trail if e.action == Action.PACKET_VIEWED]
    assert [(e.actor_id, e.organization_id) for e in looks] == [
        (partner.pk, partner.organization_id)
    ]
    page = client_for(auditor).get(reverse("oversight:case_access"), {"code": sent.case.code})
    assert page.status_code == 200
    assert partner.username in page.content.decode()


def test_another_organisations_auditor_does_not_see_the_trail(sent, partner, other_organization):
    from accounts.models import Role

    get_packet_for_partner(partner, sent.pk)
    stranger = UserFactory(organization=other_organization, role=Role.AUDITOR)
    # Same code typed by an auditor of the provider: her own organisation's events only.
    trail = list(case_trail(stranger, sent.case.code))
    assert all(e.organization_id == other_organization.pk for e in trail)
