"""An emergency grant lets a colleague read a case, never act on it (issue 12, opening 9).

A stolen password plus a plausible reason opens a case outside one's teams; it must not be
enough to record a consent and send her name and safe contact to another organisation.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from cases import vocabularies as cv
from cases.queries import Access, access_level
from cases.services.management import EmergencyAnswer, request_emergency_access, share_case
from cases.services.work import add_note, record_consent
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral
from referrals.workflow import StepRefused, allowed_steps
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def night_worker(organization, case):
    """A caseworker of another team who opened the case with emergency access."""
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(user)
    outcome = request_emergency_access(
        actor=user, code=case.code, reason="Llamó desde el hospital.", password=TEST_PASSWORD
    )
    assert outcome.answer == EmergencyAnswer.GRANTED
    return user


def test_an_emergency_grant_reads_the_case(client_for, night_worker, case):
    assert access_level(night_worker, case) == Access.VIEW
    page = client_for(night_worker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert page.status_code == 200


def test_an_emergency_grant_cannot_record_a_consent(night_worker, case):
    with pytest.raises(PermissionDenied):
        record_consent(
            actor=night_worker, case=case, purpose=cv.ConsentPurpose.REFERRAL, given=True,
            method=cv.ConsentMethod.VERBAL, given_by=cv.ConsentGivenBy.SURVIVOR,
            recipient_service_type=cv.ServiceType.SHELTER,
        )
    assert not case.consents.filter(recorded_by=night_worker).exists()


def test_an_emergency_grant_cannot_refer_or_send(night_worker, case, shelter, draft):
    with pytest.raises(PermissionDenied):
        services.create_referral(
            actor=night_worker, case=case, offering=shelter, urgency=rv.Urgency.URGENT,
            reason="Tonight.", items=rv.minimum_necessary("shelter"),
        )
    assert allowed_steps(night_worker, draft) == []
    with pytest.raises(StepRefused):
        services.send_emergency(actor=night_worker, referral=draft, reason="No puede esperar.")
    assert Referral.objects.get(pk=draft.pk).state == draft.state


def test_an_emergency_grant_cannot_share_or_write(night_worker, case, organization):
    colleague = UserFactory(organization=organization, role=Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        share_case(actor=night_worker, case=case, colleague=colleague, can_work=True)
    with pytest.raises(PermissionDenied):
        add_note(actor=night_worker, case=case, body="Escrito bajo acceso de emergencia.")
    assert access_level(colleague, case) == Access.NONE
    assert not case.notes.exists()
