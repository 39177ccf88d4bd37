"""Retention review: a closed case is queued for its supervisors exactly when its
retention period ends, once; a supervisor keeps it (reason and next review date) or
proposes it for the two-person shredding. All with a frozen clock (time-machine)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cases import vocabularies as v
from cases.models import Case, RetentionReview, ShredRequest
from cases.services import retention
from cases.services.management import (
    close_case,
    confirm_shredding,
    discard_new_case,
    reopen_case,
    request_shredding,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

CLOSED_ON = date(2020, 3, 10)


def at(day: date):
    """The clock stopped at noon, local time, of ``day``."""
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def case(make_case, caseworker):
    """Her case, registered in January 2020 and closed on 10 March 2020, no check-ins."""
    with at(date(2020, 1, 15)):
        registered = make_case(caseworker)
    with at(CLOSED_ON):
        close_case(actor=caseworker, case=registered, status=v.CaseStatus.CLOSED,
                   reason=v.ClosureReason.GOALS_MET)
    return Case.objects.get(pk=registered.pk)


def open_reviews(case: Case):
    return RetentionReview.objects.filter(case=case, state=RetentionReview.State.OPEN)


def queued_on(day: date) -> int:
    with at(day):
        return retention.open_retention_reviews()


# --- the job ------------------------------------------------------------------------


def test_it_queues_a_closed_case_on_the_day_its_retention_ends(case):
    assert queued_on(date(2025, 3, 9)) == 0
    assert not open_reviews(case).exists()

    assert queued_on(date(2025, 3, 10)) == 1
    review = open_reviews(case).get()
    assert review.due_on == date(2025, 3, 10)
    event = AccessEvent.objects.get(action=Action.RETENTION_REVIEW_OPENED)
    assert (event.case_code, event.target_id) == (case.code, str(review.pk))
    assert event.organization_id == case.organization_id


def test_it_never_opens_two_reviews_for_one_case(case):
    assert queued_on(date(2025, 6, 1)) == 1
    assert queued_on(date(2025, 6, 1)) == 0
    assert queued_on(date(2025, 6, 2)) == 0
    assert open_reviews(case).count() == 1
    assert AccessEvent.objects.filter(action=Action.RETENTION_REVIEW_OPENED).count() == 1


def test_a_second_open_review_is_refused_by_the_database(case):
    queued_on(date(2025, 6, 1))
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionReview.objects.create(case=case, due_on=date(2025, 6, 1))


def test_a_case_closed_on_29_february_is_due_on_28_february(make_case, caseworker):
    with at(date(2020, 1, 15)):
        case = make_case(caseworker)
    with at(date(2020, 2, 29)):
        close_case(actor=caseworker, case=case, status=v.CaseStatus.CLOSED,
                   reason=v.ClosureReason.MOVED_AWAY)

    assert queued_on(date(2025, 2, 27)) == 0
    assert queued_on(date(2025, 2, 28)) == 1


def test_the_last_follow_up_pushes_the_due_date(make_case, caseworker):
    with at(date(2020, 1, 15)):
        case = make_case(caseworker)
    with at(CLOSED_ON):
        close_case(actor=caseworker, case=case, status=v.CaseStatus.CLOSED,
                   reason=v.ClosureReason.GOALS_MET, check_ins=[date(2022, 3, 10)])

    assert queued_on(date(2025, 3, 10)) == 0
    assert queued_on(date(2027, 3, 9)) == 0
    assert queued_on(date(2027, 3, 10)) == 1
    assert open_reviews(case).get().due_on == date(2027, 3, 10)


def test_the_organisations_own_period_counts(case, organization):
    organization.retention_years = 2
    organization.save(update_fields=["retention_years"])

    assert queued_on(date(2022, 3, 9)) == 0
    assert queued_on(date(2022, 3, 10)) == 1


def test_a_case_is_not_due_while_another_case_of_hers_is_open(case, caseworker):
    # Shredding is per survivor: it would take her other, open case with it. (Her second
    # case is made directly: the intake has no step yet for a returning survivor.)
    with at(date(2023, 5, 1)):
        later = Case.objects.create(
            code=f"{case.code}-B", organization=case.organization, survivor=case.survivor,
            team=case.team, owner=caseworker,
        )
    assert queued_on(date(2025, 3, 10)) == 0

    with at(date(2024, 2, 1)):
        close_case(actor=caseworker, case=later, status=v.CaseStatus.CLOSED,
                   reason=v.ClosureReason.GOALS_MET)
    # Both of her cases are now due five years after the later closure.
    assert queued_on(date(2029, 1, 31)) == 0
    assert queued_on(date(2029, 2, 1)) == 2


def test_a_reopened_case_leaves_the_queue(case, caseworker):
    queued_on(date(2025, 3, 10))
    review = open_reviews(case).get()

    with at(date(2025, 3, 11)):
        reopen_case(actor=caseworker, case=case, reason=v.ReopenReason.NEW_NEED)

    review.refresh_from_db()
    assert review.state == RetentionReview.State.WITHDRAWN
    event = AccessEvent.objects.get(action=Action.RETENTION_REVIEW_WITHDRAWN)
    assert event.case_code == case.code
    assert queued_on(date(2031, 1, 1)) == 0


def test_a_shredded_survivors_case_is_never_queued(case, supervisor, org_admin):
    with at(date(2021, 1, 5)):
        shred_request = request_shredding(actor=supervisor, case=case,
                                          reason=v.ShredReason.SURVIVOR_REQUEST)
        confirm_shredding(actor=org_admin, shred_request=shred_request)

    assert queued_on(date(2030, 1, 1)) == 0
    assert not RetentionReview.objects.exists()


def test_a_discarded_case_is_never_queued(make_case, caseworker):
    with at(date(2020, 1, 15)):
        case = make_case(caseworker)
        discard_new_case(actor=caseworker, case=case)

    assert queued_on(date(2030, 1, 1)) == 0
    assert not RetentionReview.objects.exists()


def test_a_case_waiting_for_shredding_is_not_queued(case, supervisor):
    with at(date(2021, 1, 5)):
        request_shredding(actor=supervisor, case=case, reason=v.ShredReason.SURVIVOR_REQUEST)

    assert queued_on(date(2026, 1, 1)) == 0


def test_the_command_fills_the_queue(case, capsys):
    with at(date(2025, 3, 10)):
        call_command("open_retention_reviews")
    assert "retention reviews opened: 1" in capsys.readouterr().out
    assert open_reviews(case).exists()


def test_the_review_and_its_event_commit_together(case, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the log refused")

    monkeypatch.setattr(retention, "record_event", fail)
    with at(date(2025, 3, 10)), pytest.raises(RuntimeError):
        retention.open_retention_reviews()
    assert not RetentionReview.objects.exists()


# --- keep ---------------------------------------------------------------------------


@pytest.fixture
def review(case):
    queued_on(date(2025, 3, 10))
    return open_reviews(case).get()


def test_keeping_moves_the_due_date_to_the_next_review(case, review, supervisor):
    with at(date(2025, 3, 12)):
        retention.keep_case(actor=supervisor, review=review,
                            reason=v.RetentionKeepReason.LEGAL_PROCEEDINGS,
                            next_review_on=date(2026, 9, 1))
    review.refresh_from_db()
    assert (review.state, review.reason, review.next_review_on, review.decided_by) == (
        RetentionReview.State.KEPT, v.RetentionKeepReason.LEGAL_PROCEEDINGS,
        date(2026, 9, 1), supervisor,
    )
    event = AccessEvent.objects.get(action=Action.RETENTION_KEPT)
    assert (event.case_code, event.purpose) == (case.code, "legal_proceedings")

    assert queued_on(date(2026, 8, 31)) == 0
    assert queued_on(date(2026, 9, 1)) == 1
    assert open_reviews(case).get().due_on == date(2026, 9, 1)


@pytest.mark.parametrize("next_review_on", [None, date(2025, 3, 12), date(2025, 1, 1)])
def test_keeping_needs_a_next_review_after_today(review, supervisor, next_review_on):
    with at(date(2025, 3, 12)), pytest.raises(ValidationError) as refused:
        retention.keep_case(actor=supervisor, review=review,
                            reason=v.RetentionKeepReason.RISK_REMAINS,
                            next_review_on=next_review_on)
    assert "next_review_on" in refused.value.error_dict
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN
    assert not AccessEvent.objects.filter(action=Action.RETENTION_KEPT).exists()


def test_keeping_needs_a_reason_from_the_list(review, supervisor):
    with at(date(2025, 3, 12)), pytest.raises(ValidationError) as refused:
        retention.keep_case(actor=supervisor, review=review, reason="she is nice",
                            next_review_on=date(2026, 1, 1))
    assert "reason" in refused.value.error_dict
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN


def test_keeping_and_its_event_commit_together(review, supervisor, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the log refused")

    monkeypatch.setattr(retention, "record_event", fail)
    with at(date(2025, 3, 12)), pytest.raises(RuntimeError):
        retention.keep_case(actor=supervisor, review=review,
                            reason=v.RetentionKeepReason.SURVIVOR_ASKED,
                            next_review_on=date(2026, 1, 1))
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN


def test_a_decided_review_is_not_decided_again(review, supervisor):
    with at(date(2025, 3, 12)):
        retention.keep_case(actor=supervisor, review=review,
                            reason=v.RetentionKeepReason.SURVIVOR_ASKED,
                            next_review_on=date(2026, 1, 1))
        with pytest.raises(ValidationError):
            retention.propose_shredding(actor=supervisor, review=review)
    assert not ShredRequest.objects.exists()


# --- propose shredding -----------------------------------------------------------------


def test_proposing_asks_the_org_admin_to_confirm_the_shredding(case, review, supervisor,
                                                               org_admin):
    with at(date(2025, 3, 12)):
        shred_request = retention.propose_shredding(actor=supervisor, review=review)

    assert (shred_request.status, shred_request.reason, shred_request.requested_by) == (
        ShredRequest.Status.PENDING, v.ShredReason.RETENTION_ENDED, supervisor)
    review.refresh_from_db()
    assert (review.state, review.shred_request) == (RetentionReview.State.PROPOSED,
                                                    shred_request)
    case.survivor.refresh_from_db()
    assert not case.survivor.is_shredded
    event = AccessEvent.objects.get(action=Action.SHRED_REQUESTED)
    assert (event.case_code, event.purpose) == (case.code, "retention_ended")
    # The supervisor cannot finish it alone; the org admin can.
    with at(date(2025, 3, 12)), pytest.raises(PermissionDenied):
        confirm_shredding(actor=supervisor, shred_request=shred_request)
    with at(date(2025, 3, 13)):
        confirm_shredding(actor=org_admin, shred_request=shred_request)
    case.survivor.refresh_from_db()
    assert case.survivor.is_shredded
    assert queued_on(date(2040, 1, 1)) == 0


def test_a_cancelled_proposal_comes_back_to_the_queue(case, review, supervisor, org_admin):
    from cases.services.management import cancel_shredding

    with at(date(2025, 3, 12)):
        shred_request = retention.propose_shredding(actor=supervisor, review=review)
        cancel_shredding(actor=org_admin, shred_request=shred_request)
    assert queued_on(date(2025, 3, 13)) == 1


def test_proposing_and_its_events_commit_together(case, review, supervisor, monkeypatch):
    from cases.services import management

    def fail(**kwargs):
        raise RuntimeError("the log refused")

    monkeypatch.setattr(management, "record_event", fail)
    with at(date(2025, 3, 12)), pytest.raises(RuntimeError):
        retention.propose_shredding(actor=supervisor, review=review)
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN
    assert not ShredRequest.objects.exists()


def test_only_a_supervisor_of_the_team_decides(review, caseworker, other_supervisor):
    with at(date(2025, 3, 12)):
        for person in (caseworker, other_supervisor):
            with pytest.raises(PermissionDenied):
                retention.keep_case(actor=person, review=review,
                                    reason=v.RetentionKeepReason.SURVIVOR_ASKED,
                                    next_review_on=date(2026, 1, 1))
            with pytest.raises(PermissionDenied):
                retention.propose_shredding(actor=person, review=review)
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN


# --- pages --------------------------------------------------------------------------

QUEUE_URL = reverse("cases:retention_reviews")


def keep_url(review):
    return reverse("cases:retention_keep", kwargs={"review_id": review.pk})


def propose_url(review):
    return reverse("cases:retention_propose", kwargs={"review_id": review.pk})


def keep_data(review, **values):
    data = {"reason": v.RetentionKeepReason.RECENT_CONTACT, "next_review_on": "2027-03-12"}
    data.update(values)
    return {f"{review.pk}-{name}": value for name, value in data.items()}


def test_the_supervisor_sees_her_teams_due_cases(client_for, supervisor, review, case):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).get(QUEUE_URL)
    assert response.status_code == 200
    assert case.code in response.content.decode()
    # Codes and dates only: no survivor content on the page.
    assert "María" not in response.content.decode()
    assert AccessEvent.objects.filter(
        action=Action.CASE_LIST_VIEWED, purpose="retention", actor=supervisor).exists()


def test_the_queue_costs_the_same_queries_for_one_case_or_several(
    client_for, supervisor, caseworker, review, make_case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with at(date(2025, 3, 12)):
            client = client_for(supervisor)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(QUEUE_URL).status_code == 200
        return len(captured)

    one = queries()
    for name in ("Rosa", "Lucía"):
        with at(date(2020, 1, 15)):
            other = make_case(caseworker, given_names=name)
        with at(CLOSED_ON):
            close_case(actor=caseworker, case=other, status=v.CaseStatus.CLOSED,
                       reason=v.ClosureReason.GOALS_MET)
    assert queued_on(date(2025, 3, 11)) == 2
    assert queries() == one


def test_her_home_counts_the_cases_due(client_for, supervisor, review):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["retention_count"] == 1
    assert QUEUE_URL in response.content.decode()


def test_another_teams_supervisor_sees_an_empty_queue(client_for, other_supervisor, review,
                                                      case):
    with at(date(2025, 3, 12)):
        response = client_for(other_supervisor).get(QUEUE_URL)
    assert response.status_code == 200
    assert case.code not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ORG_ADMIN, Role.AUDITOR])
def test_the_queue_is_for_supervisors_only(client_for, organization, review, role):
    person = UserFactory(organization=organization, role=role, username=f"p-{role}")
    with at(date(2025, 3, 12)):
        assert client_for(person).get(QUEUE_URL).status_code == 403
    assert AccessEvent.objects.filter(action=Action.CASE_LIST_VIEWED, actor=person,
                                      outcome=Outcome.DENIED).exists()


def test_the_supervisor_keeps_a_case_from_the_queue(client_for, supervisor, review):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).post(keep_url(review), keep_data(review))
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.next_review_on) == (RetentionReview.State.KEPT,
                                                     date(2027, 3, 12))


@pytest.mark.parametrize("values, message", [
    ({"next_review_on": "2025-03-01"}, "La próxima revisión debe ser posterior a hoy."),
    ({"next_review_on": ""}, "Indique la fecha de la próxima revisión."),
    ({"next_review_on": "mañana"}, "Indique la fecha de la próxima revisión como una fecha."),
    ({"reason": ""}, "Elija por qué se conserva el caso."),
])
def test_bad_keep_input_is_refused_in_spanish_and_changes_nothing(client_for, supervisor,
                                                                  review, values, message):
    with at(date(2025, 3, 12)):
        client = client_for(supervisor)
        response = client.post(keep_url(review), keep_data(review, **values),
                               HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert message in response.content.decode()
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN
    assert not AccessEvent.objects.filter(action=Action.RETENTION_KEPT).exists()


def test_the_supervisor_proposes_shredding_from_the_queue(client_for, supervisor, review):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).post(propose_url(review),
                                               {f"{review.pk}-understood": "on"})
    assert response.status_code == 302
    assert ShredRequest.objects.get().reason == v.ShredReason.RETENTION_ENDED


def test_proposing_needs_the_box_ticked(client_for, supervisor, review):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).post(propose_url(review), {},
                                               HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Marque la casilla para proponer la destrucción." in response.content.decode()
    assert not ShredRequest.objects.exists()


def test_the_read_only_colleague_gets_403(client_for, viewer, review):
    with at(date(2025, 3, 12)):
        client = client_for(viewer)
        assert client.post(keep_url(review), keep_data(review)).status_code == 403
        assert client.post(propose_url(review),
                           {f"{review.pk}-understood": "on"}).status_code == 403
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN


def test_the_owning_caseworker_may_not_decide(client_for, caseworker, review):
    with at(date(2025, 3, 12)):
        client = client_for(caseworker)
        assert client.post(keep_url(review), keep_data(review)).status_code == 403
        assert client.post(propose_url(review),
                           {f"{review.pk}-understood": "on"}).status_code == 403
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN


def test_an_outsider_gets_404(client_for, outsider, other_supervisor, review):
    with at(date(2025, 3, 12)):
        for person in (outsider, other_supervisor):
            client = client_for(person)
            assert client.post(keep_url(review), keep_data(review)).status_code == 404
            assert client.post(propose_url(review),
                               {f"{review.pk}-understood": "on"}).status_code == 404
    review.refresh_from_db()
    assert review.state == RetentionReview.State.OPEN
    assert AccessEvent.objects.filter(action=Action.RETENTION_KEPT,
                                      outcome=Outcome.DENIED).count() == 2


def test_an_unknown_review_gets_404(client_for, supervisor, review):
    with at(date(2025, 3, 12)):
        response = client_for(supervisor).post(
            reverse("cases:retention_keep",
                    kwargs={"review_id": "00000000-0000-0000-0000-000000000000"}),
            {})
    assert response.status_code == 404


def test_the_queue_with_a_case_is_all_in_spanish(client_for, supervisor, review, case):
    from tests.accounts.translation import spelled_the_same, still_english, visible_pieces

    with at(date(2025, 3, 12)):
        client = client_for(supervisor)
        english = client.get(QUEUE_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        spanish = client.get(QUEUE_URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    names = {case.code, case.team.name, case.owner.display_name, supervisor.display_name,
             supervisor.username, case.organization.name, "Amparo"}
    unchanged = (visible_pieces(english, "en", names) & visible_pieces(spanish, "es", names)
                 ) - spelled_the_same()
    assert "Conservar" in spanish
    assert not unchanged
    assert not visible_pieces(spanish, "es", names) & still_english()
