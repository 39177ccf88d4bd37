"""A child's plan is agreed by her guardian, with her own assent (DOMAIN.md, minors)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import vocabularies as cv
from cases.services.intake import Guardian
from plans import services
from plans import vocabularies as pv
from tests.plans.conftest import agree

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def child_case(make_case, caseworker):
    case = make_case(
        caseworker, birth_date=date.today().replace(year=date.today().year - 15),
        guardian=Guardian(name="Tía Rosa", relationship="tía", contact="999 111 222"),
    )
    assert case.is_child
    services.start_plan(actor=caseworker, case=case)
    services.add_goal(actor=caseworker, case=case, area=pv.Area.EDUCATION,
                      wording="Volver al colegio.")
    return case


def test_her_own_agreement_is_not_enough_for_a_child(child_case, caseworker):
    with pytest.raises(ValidationError) as refused:
        agree(caseworker, child_case, agreed_by=pv.AgreedBy.SURVIVOR)
    assert "agreed_by" in refused.value.error_dict
    child_case.plan.refresh_from_db()
    assert child_case.plan.agreed_on is None


def test_the_guardians_agreement_needs_her_assent(child_case, caseworker):
    with pytest.raises(ValidationError) as refused:
        agree(caseworker, child_case, agreed_by=pv.AgreedBy.GUARDIAN_WITH_ASSENT)
    assert "child_assent" in refused.value.error_dict


def test_a_childs_plan_is_submitted_once_guardian_and_assent_are_recorded(
    child_case, caseworker, supervisor
):
    with pytest.raises(ValidationError):
        services.submit_plan(actor=caseworker, case=child_case)
    agree(caseworker, child_case, agreed_by=pv.AgreedBy.GUARDIAN_WITH_ASSENT,
          child_assent=True, method=cv.ConsentMethod.WRITTEN)
    plan = services.submit_plan(actor=caseworker, case=child_case)
    assert plan.status == pv.PlanStatus.AWAITING_APPROVAL
    assert services.approve_plan(actor=supervisor, case=child_case).status == (
        pv.PlanStatus.APPROVED)


def test_the_agreement_page_says_so_and_refuses_without_assent(
    client_for, child_case, caseworker
):
    url = reverse("plans:agreement", kwargs={"case_id": child_case.pk})
    client = client_for(caseworker)
    page = client.get(url).content.decode()
    assert "guardian" in page
    response = client.post(url, {"agreed_on": date.today().isoformat(), "method": "verbal",
                                 "agreed_by": "guardian_with_assent"})
    assert response.status_code == 200
    assert "her own assent" in response.content.decode()
    child_case.plan.refresh_from_db()
    assert child_case.plan.agreed_on is None
