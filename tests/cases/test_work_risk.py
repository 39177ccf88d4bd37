"""Risk assessments set the case's current risk; the safety plan is sealed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases.models import RiskAssessment
from cases.services import work
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def _assess(
    client, case, level="high", on=None, review=None, factors=("perpetrators_know_location",)
):
    today = timezone.localdate()
    return client.post(
        reverse("cases:add_risk_assessment", kwargs={"case_id": case.pk}),
        {
            "risk-assessed_on": (on or today).isoformat(),
            "risk-level": level,
            "risk-factors": list(factors),
            "risk-notes": "La red sabe que está viva.",
            "risk-next_review_on": (review or today + timedelta(days=14)).isoformat(),
        },
    )


def test_an_assessment_sets_the_cases_risk_and_next_review(client_for, caseworker, case):
    before = len(_content_events())
    response = _assess(client_for(caseworker), case)
    assert response.status_code == 302
    assert response["Location"].endswith("#risk")
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert case.next_risk_review_on == timezone.localdate() + timedelta(days=14)
    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.factors == ["perpetrators_know_location"]
    assert vault.unseal(assessment, "notes") == "La red sabe que está viva."
    assert [e.action for e in _content_events()[before:]] == [Action.RISK_ASSESSED]


def test_a_late_written_earlier_assessment_does_not_replace_the_latest(
    client_for, caseworker, case
):
    client = client_for(caseworker)
    today = timezone.localdate()
    _assess(client, case, level="critical")
    _assess(client, case, level="low", on=today - timedelta(days=10), review=today)
    case.refresh_from_db()
    assert case.risk_level == "critical"


def test_an_assessment_in_the_future_is_refused(client_for, caseworker, case):
    response = _assess(client_for(caseworker), case, on=timezone.localdate() + timedelta(days=1))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not RiskAssessment.objects.exists()
    case.refresh_from_db()
    assert case.risk_level == ""


def test_an_unknown_level_is_refused(client_for, caseworker, case):
    assert _assess(client_for(caseworker), case, level="extreme").status_code == 200
    assert not RiskAssessment.objects.exists()


def test_the_read_only_colleague_gets_403(client_for, viewer, case):
    assert _assess(client_for(viewer), case).status_code == 403
    assert not RiskAssessment.objects.exists()


def test_an_outsider_gets_404(client_for, outsider, case):
    assert _assess(client_for(outsider), case).status_code == 404
    assert not RiskAssessment.objects.exists()


def test_the_case_page_warns_when_the_review_is_overdue(client_for, caseworker, case):
    today = timezone.localdate()
    work.record_risk_assessment(
        actor=caseworker,
        case=case,
        assessed_on=today - timedelta(days=30),
        level="medium",
        factors=[],
        next_review_on=today - timedelta(days=1),
    )
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert "The risk review is overdue" in page.content.decode()


def _plan(client, case, text):
    return client.post(
        reverse("cases:update_safety_plan", kwargs={"case_id": case.pk}), {"safety-plan": text}
    )


def test_the_safety_plan_is_sealed_and_editable(client_for, caseworker, case):
    client = client_for(caseworker)
    before = len(_content_events())
    assert _plan(client, case, "No salir sola de noche.").status_code == 302
    assert _plan(client, case, "Llamar a la coordinadora con la palabra clave.").status_code == 302
    case.refresh_from_db()
    assert b"coordinadora" not in bytes(case.safety_plan)
    assert vault.unseal(case, "safety_plan") == "Llamar a la coordinadora con la palabra clave."
    actions = [e.action for e in _content_events()[before:]]
    assert actions == [Action.SAFETY_PLAN_UPDATED, Action.SAFETY_PLAN_UPDATED]


def test_the_read_only_colleague_cannot_edit_the_safety_plan(client_for, viewer, case):
    assert _plan(client_for(viewer), case, "x").status_code == 403
    case.refresh_from_db()
    assert case.safety_plan is None
