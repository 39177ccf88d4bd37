"""Closing a case with a reason and a re-trafficking check-in schedule; reopening it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as v
from cases.models import Case, FollowUp
from cases.services.management import (
    CHECK_IN_MONTHS,
    add_months,
    close_case,
    proposed_check_ins,
    reopen_case,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that read the pages in English (the messages asserted below)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def close_url(case):
    return reverse("cases:close", kwargs={"case_id": case.pk})


def reopen_url(case):
    return reverse("cases:reopen", kwargs={"case_id": case.pk})


def close_data(**overrides):
    today = timezone.localdate()
    data = {"status": v.CaseStatus.CLOSED, "closure_reason": v.ClosureReason.GOALS_MET}
    for months, due_on in proposed_check_ins(today):
        data[f"check_in_{months}"] = "on"
        data[f"check_in_{months}_on"] = due_on.isoformat()
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 5, 1), 24) == date(2028, 5, 1)


def test_the_close_form_proposes_check_ins_over_24_months(client_for, caseworker, case):
    response = client_for(caseworker).get(close_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    for months, due_on in proposed_check_ins(timezone.localdate()):
        assert f'name="check_in_{months}_on"' in page
        assert due_on.isoformat() in page
    assert max(CHECK_IN_MONTHS) == 24
    assert AccessEvent.objects.filter(action=Action.CASE_VIEWED, purpose="close").count() == 1


def test_closing_creates_the_chosen_check_ins_for_the_caseworker(client_for, caseworker, case):
    moved = timezone.localdate() + timedelta(days=45)
    data = close_data(check_in_9=None, check_in_1_on=moved.isoformat())
    response = client_for(caseworker).post(close_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == v.CaseStatus.CLOSED
    assert case.closure_reason == v.ClosureReason.GOALS_MET
    assert case.closed_on == timezone.localdate()
    check_ins = FollowUp.objects.filter(case=case, kind=v.FollowUpKind.RETRAFFICKING_CHECK_IN)
    assert check_ins.count() == len(CHECK_IN_MONTHS) - 1
    assert set(check_ins.values_list("assignee", flat=True)) == {caseworker.pk}
    assert moved in set(check_ins.values_list("due_on", flat=True))
    event = AccessEvent.objects.get(action=Action.CASE_CLOSED)
    assert (event.case_code, event.purpose) == (case.code, v.ClosureReason.GOALS_MET)


def test_a_supervisor_can_close_as_closed_referred(client_for, supervisor, case):
    data = close_data(
        status=v.CaseStatus.CLOSED_REFERRED, closure_reason=v.ClosureReason.TRANSFERRED
    )
    assert client_for(supervisor).post(close_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.status == v.CaseStatus.CLOSED_REFERRED
    assert FollowUp.objects.filter(case=case).first().assignee == case.owner


def test_a_ticked_check_in_without_date_is_refused_and_nothing_is_saved(
    client_for, caseworker, case
):
    response = client_for(caseworker).post(close_url(case), close_data(check_in_3_on=""))
    assert response.status_code == 200
    assert "Give a date" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == v.CaseStatus.OPEN
    assert not FollowUp.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.CASE_CLOSED).exists()
    # The page shown again is a view of her case, recorded once.
    assert AccessEvent.objects.filter(action=Action.CASE_VIEWED, purpose="close").count() == 1


def test_a_check_in_in_the_past_is_refused(client_for, caseworker, case):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(caseworker).post(close_url(case), close_data(check_in_1_on=yesterday))
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == v.CaseStatus.OPEN
    assert not FollowUp.objects.exists()


def test_a_closure_reason_outside_the_list_is_refused(client_for, caseworker, case):
    response = client_for(caseworker).post(close_url(case), close_data(closure_reason="bored"))
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == v.CaseStatus.OPEN


def test_the_read_only_colleague_cannot_close(client_for, viewer, case):
    assert client_for(viewer).post(close_url(case), close_data()).status_code == 403
    assert client_for(viewer).get(close_url(case)).status_code == 403
    assert Case.objects.get(pk=case.pk).status == v.CaseStatus.OPEN


def test_a_collaborator_cannot_close(client_for, collaborator, case):
    assert client_for(collaborator).post(close_url(case), close_data()).status_code == 403


def test_an_outsider_gets_404(client_for, outsider, case):
    assert client_for(outsider).post(close_url(case), close_data()).status_code == 404
    assert client_for(outsider).get(reopen_url(case)).status_code == 404


def test_closing_twice_is_refused(caseworker, case):
    close_case(actor=caseworker, case=case, status="closed", reason="goals_met")
    with pytest.raises(ValidationError):
        close_case(actor=caseworker, case=case, status="closed", reason="goals_met")


def test_the_close_page_of_a_closed_case_leads_to_reopen(client_for, caseworker, case):
    close_case(actor=caseworker, case=case, status="closed", reason="goals_met")
    response = client_for(caseworker).get(close_url(case))
    assert response.status_code == 302
    assert response.url == reopen_url(case)


def test_reopening_with_a_coded_reason(client_for, caseworker, case):
    close_case(actor=caseworker, case=case, status="closed", reason="lost_contact")
    response = client_for(caseworker).post(
        reopen_url(case), {"reason": v.ReopenReason.RETRAFFICKED}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_reason) == (v.CaseStatus.OPEN, None, "")
    event = AccessEvent.objects.get(action=Action.CASE_REOPENED)
    assert event.purpose == v.ReopenReason.RETRAFFICKED


def test_reopening_needs_a_reason_from_the_list(client_for, caseworker, case):
    close_case(actor=caseworker, case=case, status="closed", reason="lost_contact")
    response = client_for(caseworker).post(reopen_url(case), {"reason": "because"})
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).is_closed
    assert not AccessEvent.objects.filter(action=Action.CASE_REOPENED).exists()


def test_the_read_only_colleague_cannot_reopen(client_for, caseworker, viewer, case):
    close_case(actor=caseworker, case=case, status="closed", reason="lost_contact")
    response = client_for(viewer).post(reopen_url(case), {"reason": v.ReopenReason.NEW_NEED})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).is_closed


def test_reopening_an_open_case_is_refused(caseworker, case):
    with pytest.raises(ValidationError):
        reopen_case(actor=caseworker, case=case, reason=v.ReopenReason.NEW_NEED)
