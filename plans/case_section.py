"""The Support plan section of the case page (registered in ``cases.sections`` by
``PlansConfig.ready()``): where her plan stands, in coded fields only.

It opens no sealed value (her goals are read on the plan page, which records its own
look), so the case page's one event covers it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.queries import Access, CaseAccess
from cases.sections import CaseSection, SectionRequest
from plans import vocabularies as pv
from plans.models import AssistanceEntry, GoalAction, Plan


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
        "can_close": plan.was_approved and plan.status != pv.PlanStatus.CLOSED
        and not case.is_closed and access.allows(Access.MANAGE)
        and not case.survivor.is_shredded,
    }}


def build(request: SectionRequest) -> dict[str, Any]:
    return plan_section(request.access)


SECTION = CaseSection(
    anchor="plan",
    title=_("Support plan"),
    template="plans/_case_section.html",
    build=build,
)
