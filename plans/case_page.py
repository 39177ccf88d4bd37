"""The plan's section of the case page: where the plan stands, in coded fields only.

The case page (built by cases, which never imports plans) shows sections of the apps
above it; this is the plans one. It opens no sealed value: her goals are read on the
plan page, which records its own look. The page's own event covers the section.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cases.queries import Access, CaseAccess
from plans import vocabularies as pv
from plans.models import AssistanceEntry, GoalAction, Plan

TEMPLATE = "plans/_case_section.html"


def plan_section(access: CaseAccess) -> dict[str, Any]:
    """Context for ``plans/_case_section.html``, under the key ``plan_section``."""
    case = access.case
    plan = Plan.objects.filter(case=case).defer("agreement_note").first()
    if plan is None:
        return {"plan_section": {"plan": None}}
    late = GoalAction.objects.filter(
        goal__plan=plan, due_on__lt=timezone.localdate(),
        status__in=(pv.ActionStatus.PLANNED, pv.ActionStatus.IN_PROGRESS),
    )
    return {"plan_section": {
        "plan": plan,
        "goal_count": plan.goals.count(),
        "late_actions": late.count(),
        "to_confirm": AssistanceEntry.objects.filter(
            case=case, status=pv.AssistanceStatus.TO_CONFIRM).count(),
        # Closing a case with a plan in force goes through its final review.
        "can_close": plan.is_in_force and not case.is_closed and access.allows(Access.MANAGE)
        and not case.survivor.is_shredded,
    }}
