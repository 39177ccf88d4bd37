"""audit.denials: a getter's refusal is one recorded denied event and a 404, whatever the
app (the getters of accounts, cases, referrals and oversight all refuse through it)."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from accounts.models import User
from audit.denials import deny_unseen, get_or_deny
from audit.models import AccessEvent, Action, Outcome
from cases.queries import get_case_for_user

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _events() -> list[tuple[str, str, str, str, str, int | None]]:
    return [
        (e.action, e.outcome, e.target_type, e.target_id, e.purpose, e.actor_id)
        for e in AccessEvent.objects.order_by("id")
    ]


def _colleagues(person: User):
    return User.objects.filter(organization_id=person.organization_id)


def test_it_returns_a_row_in_scope_and_records_nothing(org_admin, caseworker):
    found = get_or_deny(
        _colleagues(org_admin), caseworker.pk, actor=org_admin,
        action=Action.USER_MANAGEMENT_DENIED, target_type="user",
    )

    assert found == caseworker
    assert _events() == []


def test_a_row_out_of_scope_is_a_recorded_denial_and_404(org_admin, partner):
    with pytest.raises(Http404):
        get_or_deny(
            _colleagues(org_admin), partner.pk, actor=org_admin,
            action=Action.USER_MANAGEMENT_DENIED, target_type="user",
        )

    assert _events() == [
        (Action.USER_MANAGEMENT_DENIED, Outcome.DENIED, "user", str(partner.pk), "", org_admin.pk)
    ]


def test_an_id_that_did_not_parse_is_recorded_without_an_id(org_admin):
    with pytest.raises(Http404):
        get_or_deny(
            _colleagues(org_admin), None, actor=org_admin,
            action=Action.USER_MANAGEMENT_DENIED, target_type="user",
        )

    assert _events() == [
        (Action.USER_MANAGEMENT_DENIED, Outcome.DENIED, "user", "", "", org_admin.pk)
    ]


def test_deny_unseen_carries_the_purpose_of_the_look(caseworker):
    with pytest.raises(Http404):
        deny_unseen(
            actor=caseworker, action=Action.CASE_VIEWED, target_type="case",
            target_id="", purpose="risk",
        )

    assert _events() == [
        (Action.CASE_VIEWED, Outcome.DENIED, "case", "", "risk", caseworker.pk)
    ]


def test_the_case_getter_names_a_case_it_hides_but_not_an_id_that_names_none(
    make_case, caseworker, partner
):
    case = make_case(caseworker)
    before = AccessEvent.objects.count()

    with pytest.raises(Http404):
        get_case_for_user(partner, case.pk, purpose="risk")
    with pytest.raises(Http404):
        get_case_for_user(partner, uuid.uuid4(), purpose="risk")

    denied = _events()[before:]
    assert denied == [
        (Action.CASE_VIEWED, Outcome.DENIED, "case", str(case.pk), "risk", partner.pk),
        (Action.CASE_VIEWED, Outcome.DENIED, "case", "", "risk", partner.pk),
    ]
