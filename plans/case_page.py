"""The plan's section of the case page: where the plan stands, in coded fields only.

The case page (built by cases, which never imports plans) takes sections from apps
above it; this is the plans one. It opens no sealed value: her goals are read on the
plan page, which records its own look.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from plans import vocabularies as pv
from plans.models import AssistanceEntry, GoalAction, Plan

TEMPLATE = "plans/_case_section.html"


def plan_section(case: Any) -> dict[str, Any]:  # noqa: ANN401
    """Context for ``plans/_case_section.html`` (under the key ``plan_section``)."""
    plan = Plan.objects.filter(case=case).defer("agreement_note").first()
    if plan is None:
        return {"plan": None}
    today = timezone.localdate()
    late = GoalAction.objects.filter(
        Q(status=pv.ActionStatus.PLANNED) | Q(status=pv.ActionStatus.IN_PROGRESS),
        goal__plan=plan, due_on__lt=today,
    )
    return {
        "plan": plan,
        "goal_count": plan.goals.count(),
        "late_actions": late.count(),
        "to_confirm": AssistanceEntry.objects.filter(
            case=case, status=pv.AssistanceStatus.TO_CONFIRM).count(),
    }
