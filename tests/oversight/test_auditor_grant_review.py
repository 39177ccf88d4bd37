"""An auditor reviews an emergency grant: once, with a finding from a fixed list and an
optional note that stays out of the events and away from everyone but auditors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action
from cases.services.management import request_emergency_access
from oversight.models import GrantFinding, GrantReview
from oversight.reviews import AlreadyReviewed, review_emergency_grant
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

REASON = "Llamada del hospital: la señora Quispe fue ingresada de urgencia"
NOTE = "Comprobado con la supervisora del turno de noche."


@pytest.fixture
def grant(organization, make_case, caseworker):
    case = make_case(caseworker)
    nightshift = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
    outcome = request_emergency_access(
        actor=nightshift, code=case.code, reason=REASON, password=TEST_PASSWORD
    )
    assert outcome.grant is not None
    return outcome.grant


def test_grants_awaiting_review_are_listed_without_their_reason(client_for, auditor, grant):
    response = client_for(auditor).get(reverse("oversight:grants"))

    assert response.context["awaiting"] == [grant]
    page = response.content.decode()
    assert grant.case.code in page
    assert "nightshift" in page
    assert "Quispe" not in page


def test_an_auditor_reviews_a_grant_and_the_review_is_recorded(client_for, auditor, grant):
    client = client_for(auditor)
    url = reverse("oversight:grant_review", args=[grant.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert "Quispe" not in form_page.content.decode()

    response = client.post(url, {"finding": GrantFinding.JUSTIFIED, "note": NOTE})

    assert response.status_code == 302
    review = GrantReview.objects.get(grant=grant)
    assert (review.finding, review.note, review.reviewed_by) == (
        GrantFinding.JUSTIFIED,
        NOTE,
        auditor,
    )
    recorded = AccessEvent.objects.get(action=Action.GRANT_REVIEWED)
    assert recorded.actor == auditor
    assert recorded.case_code == grant.case.code
    assert recorded.purpose == GrantFinding.JUSTIFIED
    assert (recorded.target_type, recorded.target_id) == ("emergencygrant", str(grant.pk))
    listing = client.get(reverse("oversight:grants"))
    assert listing.context["awaiting"] == []
    assert listing.context["reviewed"] == [grant]
    assert NOTE in listing.content.decode()


def test_the_note_never_reaches_an_event(client_for, auditor, grant):
    client_for(auditor).post(
        reverse("oversight:grant_review", args=[grant.pk]),
        {"finding": GrantFinding.NEEDS_FOLLOW_UP, "note": NOTE},
    )

    for values in AccessEvent.objects.values():
        assert NOTE not in " ".join(str(value) for value in values.values())


def test_a_finding_outside_the_list_is_refused(client_for, auditor, grant):
    response = client_for(auditor).post(
        reverse("oversight:grant_review", args=[grant.pk]), {"finding": "fine"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["finding"]
    assert not GrantReview.objects.exists()


def test_a_grant_is_reviewed_once(client_for, auditor, grant, organization):
    review_emergency_grant(actor=auditor, grant=grant, finding=GrantFinding.JUSTIFIED)
    second = UserFactory(organization=organization, role=Role.AUDITOR, username="auditor2")

    response = client_for(second).post(
        reverse("oversight:grant_review", args=[grant.pk]), {"finding": GrantFinding.NOT_JUSTIFIED}
    )

    assert response.status_code == 302
    assert GrantReview.objects.get().finding == GrantFinding.JUSTIFIED
    with pytest.raises(AlreadyReviewed):
        review_emergency_grant(actor=second, grant=grant, finding=GrantFinding.NOT_JUSTIFIED)
    assert AccessEvent.objects.filter(action=Action.GRANT_REVIEWED).count() == 1


def test_an_auditor_of_another_organisation_gets_404(client_for, grant, other_organization):
    foreign = UserFactory(organization=other_organization, role=Role.AUDITOR, username="foreign")
    client = client_for(foreign)

    listing = client.get(reverse("oversight:grants"))
    response = client.post(
        reverse("oversight:grant_review", args=[grant.pk]), {"finding": GrantFinding.JUSTIFIED}
    )

    assert listing.context["awaiting"] == []
    assert response.status_code == 404
    assert not GrantReview.objects.exists()


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "org_admin"])
def test_others_get_403_and_never_the_note(request, client_for, auditor, grant, role):
    review_emergency_grant(actor=auditor, grant=grant, finding=GrantFinding.JUSTIFIED, note=NOTE)
    user = request.getfixturevalue(role)
    client = client_for(user)

    review = client.post(
        reverse("oversight:grant_review", args=[grant.pk]), {"finding": GrantFinding.NOT_JUSTIFIED}
    )
    home = client.get(reverse("home"))

    assert review.status_code == 403
    assert NOTE not in home.content.decode()


def test_the_home_page_counts_grants_awaiting_review(client_for, auditor, grant):
    response = client_for(auditor).get(reverse("home"))

    assert response.context["grants_awaiting"] == 1
    assert reverse("oversight:grants") in response.content.decode()
