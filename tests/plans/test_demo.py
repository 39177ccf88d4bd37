"""The demo network's support plans: there after ``seed_demo``, and only once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from plans import vocabularies as pv
from plans.demo import seed_demo_plans
from plans.models import AssistanceEntry, Plan
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_demo_has_plans_waiting_and_late_on_the_homes():
    with override_settings(AMPARO_DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        assert seed_demo_plans() == 0  # once only
    statuses = sorted(Plan.objects.values_list("status", flat=True))
    assert statuses == sorted([pv.PlanStatus.APPROVED, pv.PlanStatus.AWAITING_APPROVAL,
                               pv.PlanStatus.DRAFT])
    # The demo's completed referral fed the assistance record, waiting for confirmation.
    assert AssistanceEntry.objects.filter(status=pv.AssistanceStatus.TO_CONFIRM).exists()

    carmen = User.objects.get(username="carmen")
    page = signed_in_client(carmen).get(reverse("home")).content.decode()
    late = Plan.objects.get(status=pv.PlanStatus.APPROVED)
    waiting = Plan.objects.get(status=pv.PlanStatus.AWAITING_APPROVAL)
    assert late.case.code in page and waiting.case.code in page
