"""Follow-ups: planned for someone who works the case, done once, with an outcome."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases.models import FollowUp
from cases.services import work
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def _add(client, case, assignee, due=None, kind="check_in"):
    due = due or timezone.localdate() + timedelta(days=7)
    return client.post(
        reverse("cases:add_follow_up", kwargs={"case_id": case.pk}),
        {
            "follow_up-kind": kind,
            "follow_up-due_on": due.isoformat(),
            "follow_up-assignee": assignee.pk,
        },
    )


def test_the_owner_plans_a_follow_up(client_for, caseworker, case):
    before = len(_content_events())
    response = _add(client_for(caseworker), case, caseworker)
    assert response.status_code == 302
    assert response["Location"].endswith("#follow-ups")
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.assignee == caseworker
    assert follow_up.created_by == caseworker
    assert [e.action for e in _content_events()[before:]] == [Action.FOLLOW_UP_ADDED]


def test_it_may_be_assigned_to_the_teams_supervisor(client_for, caseworker, supervisor, case):
    assert _add(client_for(caseworker), case, supervisor).status_code == 302
    assert FollowUp.objects.get(case=case).assignee == supervisor


def test_it_cannot_be_assigned_to_someone_who_cannot_work_the_case(
    client_for, caseworker, teammate, viewer, case
):
    for person in (teammate, viewer):
        response = _add(client_for(caseworker), case, person)
        assert response.status_code == 200
        assert "Choose someone who works on this case." in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_missing_date_is_refused_with_a_message(client_for, caseworker, case):
    response = client_for(caseworker).post(
        reverse("cases:add_follow_up", kwargs={"case_id": case.pk}),
        {"follow_up-kind": "check_in", "follow_up-due_on": "", "follow_up-assignee": caseworker.pk},
    )
    assert response.status_code == 200
    assert "Give the date it is due." in response.content.decode()
    assert not FollowUp.objects.exists()


def test_the_read_only_colleague_gets_403(client_for, viewer, caseworker, case):
    assert _add(client_for(viewer), case, caseworker).status_code == 403
    assert not FollowUp.objects.exists()


def test_an_outsider_gets_404(client_for, outsider, caseworker, case):
    assert _add(client_for(outsider), case, caseworker).status_code == 404
    assert not FollowUp.objects.exists()


@pytest.fixture
def follow_up(caseworker, case):
    return work.add_follow_up(
        actor=caseworker,
        case=case,
        kind="check_in",
        due_on=timezone.localdate() - timedelta(days=2),
        assignee=caseworker,
    )


def _done(client, case, follow_up, outcome="reached_safe", note="Está bien, sigue en el albergue."):
    return client.post(
        reverse(
            "cases:complete_follow_up", kwargs={"case_id": case.pk, "follow_up_id": follow_up.pk}
        ),
        {"outcome": outcome, "note": note},
    )


def test_marking_done_records_the_outcome_and_a_sealed_note(
    client_for, caseworker, case, follow_up
):
    before = len(_content_events())
    assert _done(client_for(caseworker), case, follow_up).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert follow_up.outcome == "reached_safe"
    assert vault.unseal(follow_up, "outcome_note") == "Está bien, sigue en el albergue."
    assert [e.action for e in _content_events()[before:]] == [Action.FOLLOW_UP_DONE]


def test_a_follow_up_is_done_only_once(client_for, caseworker, case, follow_up):
    client = client_for(caseworker)
    _done(client, case, follow_up)
    response = _done(client, case, follow_up, outcome="not_reached")
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.outcome == "reached_safe"


def test_done_without_an_outcome_is_refused(client_for, caseworker, case, follow_up):
    response = _done(client_for(caseworker), case, follow_up, outcome="")
    assert response.status_code == 200
    assert "Choose what happened." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_the_read_only_colleague_cannot_mark_done(client_for, viewer, case, follow_up):
    assert _done(client_for(viewer), case, follow_up).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_a_follow_up_of_another_case_is_not_found(client_for, caseworker, make_case, follow_up):
    other = make_case(caseworker, given_names="Otra")
    assert _done(client_for(caseworker), other, follow_up).status_code == 404


def test_the_case_page_highlights_overdue_follow_ups(client_for, caseworker, case, follow_up):
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert "entry--overdue" in page.content.decode()
