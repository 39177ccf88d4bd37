"""Who may open the case page, what each of them is offered, and what it records."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _url(case):
    return reverse("cases:case_detail", kwargs={"case_id": case.pk})


def _views(case):
    return AccessEvent.objects.filter(action=Action.CASE_VIEWED)


def test_it_shows_the_owner_her_case_with_its_work_forms(client_for, caseworker, case):
    response = client_for(caseworker).get(_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "María José" in page
    assert reverse("cases:add_note", kwargs={"case_id": case.pk}) in page
    assert reverse("cases:share", kwargs={"case_id": case.pk}) in page
    assert reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": "identity"}) in page
    # Assigning and shredding are for supervisors.
    assert reverse("cases:assign", kwargs={"case_id": case.pk}) not in page
    assert reverse("cases:shred_request", kwargs={"case_id": case.pk}) not in page


def test_it_records_exactly_one_view_event_per_look(client_for, caseworker, case):
    before = AccessEvent.objects.count()
    client_for(caseworker).get(_url(case))
    new = AccessEvent.objects.order_by("pk")[before:]
    content_events = [e for e in new if e.action not in (Action.VAULT_KEY_CREATED,)]
    assert [e.action for e in content_events] == [Action.CASE_VIEWED]
    assert content_events[0].case_code == case.code
    assert content_events[0].outcome == Outcome.ALLOWED


def test_it_offers_the_read_only_colleague_no_forms(client_for, viewer, case):
    response = client_for(viewer).get(_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "María José" in page
    assert '<form method="post" action="/cases/' not in page
    for name in ("add_note", "add_attachment", "record_consent", "add_risk_assessment"):
        assert reverse(f"cases:{name}", kwargs={"case_id": case.pk}) not in page
    assert reverse("cases:share", kwargs={"case_id": case.pk}) not in page
    assert (
        reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": "identity"})
        not in page
    )


def test_it_offers_the_supervisor_assignment_and_shredding(client_for, supervisor, case):
    page = client_for(supervisor).get(_url(case)).content.decode()
    assert reverse("cases:assign", kwargs={"case_id": case.pk}) in page
    assert reverse("cases:shred_request", kwargs={"case_id": case.pk}) in page


@pytest.mark.parametrize("person", ["outsider", "teammate", "other_supervisor"])
def test_it_answers_404_to_people_who_cannot_see_the_case(request, client_for, case, person):
    user = request.getfixturevalue(person)
    response = client_for(user).get(_url(case))
    assert response.status_code == 404
    assert "María" not in response.content.decode()
    assert (
        AccessEvent.objects.filter(
            action=Action.CASE_VIEWED, outcome=Outcome.DENIED, actor=user
        ).count()
        == 1
    )


def test_it_never_changes_anything_on_get(client_for, caseworker, case):
    client_for(caseworker).get(_url(case))
    case.refresh_from_db()
    assert not case.notes.exists()
    response = client_for(caseworker).get(reverse("cases:add_note", kwargs={"case_id": case.pk}))
    assert response.status_code == 405
