"""Fixtures for referral tests: a shelter of another organisation in the directory, its
partner staff, a case with live referral consent, and referrals at each step.

People around a referral (STYLE.md: an owner, a read-only colleague and an outsider):
``caseworker`` owns the case and drafts; ``supervisor`` supervises the team and approves;
``partner`` works at the shelter it is sent to; ``other_partner`` at another provider;
``viewer`` sees the case read-only; ``outsider`` is a caseworker of another organisation.
"""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from accounts.models import OrganizationKind, Role
from cases import vocabularies as cv
from cases.services.work import add_note, record_consent
from referrals import services
from referrals import vocabularies as rv
from referrals.models import ServiceOffering
from tests.factories import OrganizationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def shelter_org(other_organization):
    other_organization.kind = OrganizationKind.SHELTER
    other_organization.save()
    return other_organization


@pytest.fixture
def shelter(shelter_org, db):
    return ServiceOffering.objects.create(
        organization=shelter_org, service_type=cv.ServiceType.SHELTER,
        name="Casa Refugio Arequipa", city="Arequipa", region="Arequipa",
        languages=["es", "qu"], accepts_children=False, genders_served=["female"],
        total_places=12, free_places=3,
    )


@pytest.fixture
def legal_clinic(db):
    org = OrganizationFactory(name="Clínica Jurídica", kind=OrganizationKind.LEGAL_AID)
    return ServiceOffering.objects.create(
        organization=org, service_type=cv.ServiceType.LEGAL_AID, name="Asesoría legal",
        city="Lima", languages=["es"], accepts_children=True,
    )


@pytest.fixture
def partner(shelter_org):
    return UserFactory(organization=shelter_org, role=Role.PARTNER, username="partner",
                       email="partner@shelter.invalid")


@pytest.fixture
def other_partner(legal_clinic):
    return UserFactory(organization=legal_clinic.organization, role=Role.PARTNER,
                       username="otherpartner", email="partner@clinic.invalid")


@pytest.fixture
def second_supervisor(organization, team):
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="supervisor2",
                       email="supervisor2@ngo.invalid")
    team.supervisors.add(user)
    return user


@pytest.fixture
def case(make_case, caseworker, supervisor):
    caseworker.email = "caseworker@ngo.invalid"
    caseworker.save(update_fields=["email"])
    supervisor.email = "supervisor@ngo.invalid"
    supervisor.save(update_fields=["email"])
    return make_case(caseworker)


@pytest.fixture
def viewer(organization, case):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="viewer")
    assign_perm("cases.view_case", user, case)
    return user


@pytest.fixture
def outsider(other_organization):
    other = OrganizationFactory(name="Tercera Organización")
    user = UserFactory(organization=other, role=Role.CASEWORKER, username="outsider")
    TeamFactory(organization=other).members.add(user)
    return user


ALL_SCOPES = [scope.value for scope in cv.ConsentScope]


@pytest.fixture
def consent_to_shelters(case, caseworker):
    return referral_consent(
        actor=caseworker, case=case, recipient_service_type=cv.ServiceType.SHELTER
    )


@pytest.fixture
def note(case, caseworker):
    return add_note(actor=caseworker, case=case, body="Prefers to be called after 18:00.")


@pytest.fixture
def draft(case, caseworker, shelter, consent_to_shelters):
    return services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.URGENT,
        reason="Needs a safe place tonight.", items=rv.minimum_necessary("shelter"),
    )


@pytest.fixture
def submitted(draft, caseworker):
    return services.submit_referral(actor=caseworker, referral=draft)


@pytest.fixture
def sent(submitted, supervisor):
    return services.approve_referral(actor=supervisor, referral=submitted)


@pytest.fixture
def accepted(sent, partner):
    return services.accept_referral(actor=partner, referral=sent)


def referral_consent(*, actor, case, **recipient):
    """Her verbal consent to a referral to ``recipient_service_type`` or
    ``recipient_organization``, allowing everything to be shared."""
    return record_consent(
        actor=actor, case=case, purpose=cv.ConsentPurpose.REFERRAL, given=True,
        method=cv.ConsentMethod.VERBAL, given_by=cv.ConsentGivenBy.SURVIVOR,
        scope=ALL_SCOPES, **recipient,
    )
