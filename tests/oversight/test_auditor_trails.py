"""Per-case "who accessed", per-person activity and refused accesses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from tests.oversight.auditor_support import event

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_who_accessed_a_case_lists_its_events_only(client_for, auditor, caseworker, supervisor):
    opened = event(actor=caseworker, case_code="PE-2026-0011", purpose="follow_up")
    refused = event(actor=supervisor, case_code="PE-2026-0011", outcome=Outcome.DENIED)
    event(actor=caseworker, case_code="PE-2026-0012")

    response = client_for(auditor).get(reverse("oversight:case_access"), {"code": "pe-2026-0011"})

    assert list(response.context["page"].object_list) == [refused, opened]
    page = response.content.decode()
    assert "follow_up" in page and "caseworker" in page
    recorded = AccessEvent.objects.get(action=Action.AUDIT_CASE_ACCESS_VIEWED)
    assert recorded.case_code == "PE-2026-0011"


def test_without_a_code_the_page_asks_for_one(client_for, auditor):
    response = client_for(auditor).get(reverse("oversight:case_access"))

    assert response.status_code == 200
    assert response.context["page"] is None


def test_a_persons_activity_lists_her_events_only(client_for, auditor, caseworker, supervisor):
    hers = event(actor=caseworker, case_code="PE-2026-0011")
    event(actor=supervisor, case_code="PE-2026-0011")

    response = client_for(auditor).get(
        reverse("oversight:person_activity"), {"person": caseworker.pk}
    )

    assert list(response.context["page"].object_list) == [hers]
    recorded = AccessEvent.objects.get(action=Action.AUDIT_PERSON_ACTIVITY_VIEWED)
    assert (recorded.target_type, recorded.target_id) == ("user", str(caseworker.pk))


def test_a_person_of_another_organisation_is_not_offered(client_for, auditor, partner):
    response = client_for(auditor).get(reverse("oversight:person_activity"), {"person": partner.pk})

    assert response.context["page"] is None
    assert response.context["form"].errors["person"]


def test_refused_accesses_are_listed(client_for, auditor, caseworker):
    refused = event(actor=caseworker, outcome=Outcome.DENIED, case_code="PE-2026-0011")
    event(actor=caseworker)

    response = client_for(auditor).get(reverse("oversight:denied"))

    assert list(response.context["page"].object_list) == [refused]


def test_the_home_page_shows_the_latest_refusals(client_for, auditor, caseworker):
    refused = event(actor=caseworker, outcome=Outcome.DENIED, case_code="PE-2026-0011")

    response = client_for(auditor).get(reverse("home"))

    assert response.context["latest_denied"] == [refused]
    assert "PE-2026-0011" in response.content.decode()
