"""Sharing a case with a colleague, read-only or to work, and ending the share."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases.models import CaseUserObjectPermission
from cases.queries import Access, access_level, visible_cases
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that read the pages in English (the messages asserted below)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def colleague(organization):
    return UserFactory(
        organization=organization,
        role=Role.CASEWORKER,
        username="colleague",
        email="colleague@example.org",
    )


def share_url(case):
    return reverse("cases:share", kwargs={"case_id": case.pk})


def unshare_url(case):
    return reverse("cases:unshare", kwargs={"case_id": case.pk})


def test_the_owner_shares_read_only_and_the_colleague_can_then_read(
    client_for, caseworker, case, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker).post(
            share_url(case), {"colleague": colleague.pk, "level": "view"}
        )
    assert response.status_code == 302
    assert access_level(colleague, case) == Access.VIEW
    assert visible_cases(colleague).filter(pk=case.pk).exists()
    event = AccessEvent.objects.get(action=Action.CASE_SHARED)
    assert (event.case_code, event.target_type, event.target_id, event.purpose) == (
        case.code,
        "user",
        str(colleague.pk),
        "view",
    )
    assert len(mail.outbox) == 1 and case.code in mail.outbox[0].body
    assert "María" not in mail.outbox[0].body


def test_sharing_to_work_replaces_a_read_only_share(caseworker, case, client_for, viewer):
    client_for(caseworker).post(share_url(case), {"colleague": viewer.pk, "level": "work"})
    assert access_level(viewer, case) == Access.WORK
    assert CaseUserObjectPermission.objects.filter(user=viewer, content_object=case).count() == 1


def test_the_share_page_lists_current_shares(client_for, caseworker, case, viewer, collaborator):
    response = client_for(caseworker).get(share_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert viewer.display_name in page and collaborator.display_name in page
    assert AccessEvent.objects.filter(action=Action.CASE_VIEWED, purpose="share").count() == 1


def test_removing_a_share_ends_her_access(client_for, caseworker, case, viewer):
    response = client_for(caseworker).post(unshare_url(case), {"colleague": viewer.pk})
    assert response.status_code == 302
    assert access_level(viewer, case) == Access.NONE
    assert AccessEvent.objects.filter(
        action=Action.CASE_UNSHARED, target_id=str(viewer.pk)
    ).exists()
    assert (
        client_for(viewer)
        .get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
        .status_code
        == 404
    )


def test_removing_someone_it_is_not_shared_with_shows_an_error(
    client_for, caseworker, case, colleague
):
    response = client_for(caseworker).post(unshare_url(case), {"colleague": colleague.pk})
    assert response.status_code == 200
    assert "not shared with this person" in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.CASE_UNSHARED).exists()


def test_a_colleague_of_another_organisation_cannot_be_chosen(
    client_for, caseworker, case, outsider
):
    response = client_for(caseworker).post(
        share_url(case), {"colleague": outsider.pk, "level": "view"}
    )
    assert response.status_code == 200
    assert access_level(outsider, case) == Access.NONE
    assert not AccessEvent.objects.filter(action=Action.CASE_SHARED).exists()


def test_an_org_admin_or_auditor_cannot_be_chosen(client_for, caseworker, case, org_admin, auditor):
    for person in (org_admin, auditor):
        response = client_for(caseworker).post(
            share_url(case), {"colleague": person.pk, "level": "view"}
        )
        assert response.status_code == 200
    assert not CaseUserObjectPermission.objects.exclude(user__role=Role.CASEWORKER).exists()


def test_the_read_only_colleague_cannot_share(client_for, viewer, case, colleague):
    response = client_for(viewer).post(
        share_url(case), {"colleague": colleague.pk, "level": "work"}
    )
    assert response.status_code == 403
    assert access_level(colleague, case) == Access.NONE
    assert AccessEvent.objects.filter(actor=viewer, outcome=Outcome.DENIED).exists()


def test_a_collaborator_cannot_share_either(client_for, collaborator, case, colleague):
    response = client_for(collaborator).post(
        share_url(case), {"colleague": colleague.pk, "level": "view"}
    )
    assert response.status_code == 403


def test_an_outsider_gets_404(client_for, outsider, case, viewer):
    assert client_for(outsider).get(share_url(case)).status_code == 404
    assert client_for(outsider).post(unshare_url(case), {"colleague": viewer.pk}).status_code == 404
    assert access_level(viewer, case) == Access.VIEW


def test_unshare_answers_only_post(client_for, caseworker, case):
    assert client_for(caseworker).get(unshare_url(case)).status_code == 405
