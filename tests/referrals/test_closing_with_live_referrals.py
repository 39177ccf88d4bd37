"""Closing a case while a provider still holds one of her referrals needs a confirmation
(cases.hooks.CASE_CLOSING, referrals.services.refuse_closure_with_live_referrals)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from cases.models import Case, FollowUp
from cases.services.management import close_case, proposed_check_ins
from referrals import vocabularies as rv

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _close(actor, case, **extra):
    return close_case(actor=actor, case=case, status=cv.CaseStatus.CLOSED,
                      reason=cv.ClosureReason.GOALS_MET,
                      check_ins=[due for _months, due in proposed_check_ins(timezone.localdate())],
                      **extra)


def _form(**extra):
    data = {"status": cv.CaseStatus.CLOSED, "closure_reason": cv.ClosureReason.GOALS_MET}
    data.update(extra)
    return data


def _english(client_for, user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize("referral", ["sent", "accepted"])
def test_a_referral_a_provider_holds_refuses_the_closure_and_changes_nothing(
    request, caseworker, case, referral
):
    held = request.getfixturevalue(referral)
    events_before = AccessEvent.objects.filter(action=Action.CASE_CLOSED).count()

    with pytest.raises(ValidationError) as refused:
        _close(caseworker, case)

    assert "confirm_open_work" in refused.value.error_dict
    assert held.provider.name in str(refused.value)
    case.refresh_from_db()
    assert not case.is_closed
    assert not FollowUp.objects.filter(case=case).exists()
    assert AccessEvent.objects.filter(action=Action.CASE_CLOSED).count() == events_before


def test_a_confirmed_closure_closes_and_leaves_the_referral_as_it_is(caseworker, case, accepted):
    _close(caseworker, case, confirm_open_work=True)

    case.refresh_from_db()
    accepted.refresh_from_db()
    assert case.is_closed
    assert accepted.state == rv.State.ACCEPTED
    assert AccessEvent.objects.filter(action=Action.CASE_CLOSED, case_code=case.code).exists()


def test_a_draft_referral_does_not_hold_the_closure(caseworker, case, draft):
    _close(caseworker, case)

    assert Case.objects.get(pk=case.pk).is_closed


def test_the_close_page_warns_and_offers_the_confirmation(client_for, caseworker, case, accepted):
    client = _english(client_for, caseworker)
    url = reverse("cases:close", kwargs={"case_id": case.pk})

    first = client.get(url)
    warned = client.post(url, _form())

    assert b'name="confirm_open_work"' not in first.content
    assert warned.status_code == 200
    assert b'name="confirm_open_work"' in warned.content
    assert b"still sent or accepted" in warned.content
    assert accepted.provider.name.encode() in warned.content
    assert not Case.objects.get(pk=case.pk).is_closed

    confirmed = client.post(url, _form(confirm_open_work="on"))

    assert confirmed.status_code == 302
    assert Case.objects.get(pk=case.pk).is_closed


def test_the_read_only_colleague_and_the_outsider_cannot_close_past_the_warning(
    client_for, viewer, outsider, case, accepted
):
    url = reverse("cases:close", kwargs={"case_id": case.pk})

    assert client_for(viewer).post(url, _form(confirm_open_work="on")).status_code == 403
    assert client_for(outsider).post(url, _form(confirm_open_work="on")).status_code == 404
    assert not Case.objects.get(pk=case.pk).is_closed


def test_the_plans_final_review_closes_past_live_referrals_only_when_confirmed(
    caseworker, supervisor, case, accepted
):
    from plans import services as plan_services
    from plans import vocabularies as pv
    from tests.plans.conftest import ratings, write_plan

    write_plan(caseworker, case)
    plan_services.submit_plan(actor=caseworker, case=case)
    plan = plan_services.approve_plan(actor=supervisor, case=case)
    review = {
        "actor": caseworker, "case": case, "outcomes": ratings(plan, pv.FinalOutcome.MET),
        "status": cv.CaseStatus.CLOSED, "closure_reason": cv.ClosureReason.GOALS_MET,
    }

    with pytest.raises(ValidationError) as refused:
        plan_services.final_review(**review)
    assert "confirm_open_work" in refused.value.error_dict
    assert not Case.objects.get(pk=case.pk).is_closed

    plan_services.final_review(**review, confirm_open_work=True)
    assert Case.objects.get(pk=case.pk).is_closed
