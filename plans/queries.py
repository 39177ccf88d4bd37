"""Every read of plans and assistance, scoped to the person asking.

A plan is part of its case: whoever may see the case (``cases.queries``) may see its
plan, and nobody else. Homes read plans only of the cases ``visible_cases`` gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.models import Role
from audit.denials import get_or_deny
from audit.models import Action
from cases import vocabularies as cv
from cases.queries import Access, CaseAccess, get_case_for_user, visible_cases
from plans import vocabularies as pv
from plans.models import AssistanceEntry, Goal, GoalAction, Plan

if TYPE_CHECKING:
    from accounts.models import User

OPEN_CASE_STATUSES = (cv.CaseStatus.OPEN, cv.CaseStatus.FOLLOW_UP)
# Columns a home's table never needs: no sealed value is even loaded.
_SEALED = ("agreement_note", "case__narrative", "case__perpetrators", "case__needs_note",
           "case__safety_plan")


@dataclass(frozen=True)
class PlanAccess:
    """The case as ``get_case_for_user`` gave it, and its plan (None before one is started)."""

    case_access: CaseAccess
    plan: Plan | None

    @property
    def case(self):
        return self.case_access.case

    def allows(self, needed: Access) -> bool:
        return self.case_access.allows(needed)


def get_plan_for_user(
    user: User, case_id: object, *, needed: Access = Access.VIEW,
    action: str = Action.PLAN_VIEWED, purpose: str = "", record: bool = True,
) -> PlanAccess:
    """The one getter of plan pages: the case's rules (404 outsider, 403 not enough,
    both recorded), then its plan."""
    access = get_case_for_user(user, case_id, needed=needed, action=action, purpose=purpose,
                               record=record)
    plan = Plan.objects.filter(case=access.case).select_related("approved_by").first()
    return PlanAccess(case_access=access, plan=plan)


def _plans_of(cases: QuerySet) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(case__in=cases)
        .select_related("case", "case__survivor", "case__owner", "submitted_by")
        .defer(*_SEALED)
    )


def awaiting_approval(user: User) -> QuerySet[Plan]:
    """Plans of the supervisor's teams waiting for her; not those she wrote or submitted
    (another supervisor decides on them)."""
    if not user.has_role(Role.SUPERVISOR):
        return Plan.objects.none()
    cases = visible_cases(user).filter(team__in=user.supervised_teams.all())
    return (
        _plans_of(cases).filter(status=pv.PlanStatus.AWAITING_APPROVAL)
        .exclude(submitted_by=user).order_by("submitted_at")
    )


def reviews_overdue(user: User, *, today: dt.date | None = None) -> QuerySet[Plan]:
    """Plans of the supervisor's teams' open cases whose review date has passed."""
    if not user.has_role(Role.SUPERVISOR):
        return Plan.objects.none()
    today = today or timezone.localdate()
    cases = visible_cases(user).filter(team__in=user.supervised_teams.all(),
                                       status__in=OPEN_CASE_STATUSES)
    return (
        _plans_of(cases).exclude(status=pv.PlanStatus.CLOSED)
        .filter(next_review_on__lt=today).order_by("next_review_on")
    )


def reviews_due(user: User, *, today: dt.date | None = None) -> QuerySet[Plan]:
    """Plans of her own open cases to review within the notice period, or overdue."""
    today = today or timezone.localdate()
    notice = dt.timedelta(days=int(getattr(settings, "AMPARO_PLAN_REVIEW_NOTICE_DAYS", 7)))
    cases = visible_cases(user).filter(owner=user, status__in=OPEN_CASE_STATUSES)
    return (
        _plans_of(cases).exclude(status=pv.PlanStatus.CLOSED)
        .filter(next_review_on__lte=today + notice).order_by("next_review_on")
    )


def assistance_to_confirm(user: User) -> QuerySet[AssistanceEntry]:
    """Entries made by completed referrals of her own cases, waiting for her word."""
    cases = visible_cases(user).filter(owner=user)
    return (
        AssistanceEntry.objects.filter(case__in=cases, status=pv.AssistanceStatus.TO_CONFIRM)
        .select_related("case", "case__survivor", "provider").defer("note", *_SEALED[1:])
        .order_by("recorded_at")
    )


def assistance_of_case(case) -> QuerySet[AssistanceEntry]:
    """The assistance record of a case the caller fetched through ``get_case_for_user``."""
    return (
        AssistanceEntry.objects.filter(case=case)
        .select_related("provider", "goal_action", "referral__offering")
    )


def assistance_by_category(
    user: User, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, int]:
    """How many entries of each category the cases she may see hold: coded fields only
    (no sealed value is read). Published figures apply the small-cell rule (DESIGN §9)."""
    entries = AssistanceEntry.objects.filter(case__in=visible_cases(user)).exclude(
        status=pv.AssistanceStatus.TO_CONFIRM
    )
    if since:
        entries = entries.filter(started_on__gte=since)
    if until:
        entries = entries.filter(started_on__lte=until)
    rows = entries.order_by().values_list("category").annotate(n=Count("pk"))
    return dict(rows)


# --- parts of one case's plan, for the views that already hold its access ---------------
# Each is scoped to the case that get_plan_for_user returned: a part of another case's plan
# is a recorded denial and 404, as if it did not exist.


def goal_of_case(case, goal_id: object, *, actor: User, action: str) -> Goal:
    return get_or_deny(Goal.objects.filter(plan__case=case), goal_id, actor=actor,
                       action=action, target_type="goal")


def action_of_case(case, action_id: object, *, actor: User, action: str) -> GoalAction:
    return get_or_deny(GoalAction.objects.filter(goal__plan__case=case), action_id,
                       actor=actor, action=action, target_type="goalaction")


def assistance_entry_of_case(
    case, entry_id: object, *, actor: User, action: str
) -> AssistanceEntry:
    return get_or_deny(
        AssistanceEntry.objects.filter(case=case).select_related(
            "provider", "referral__offering"
        ),
        entry_id, actor=actor, action=action, target_type="assistanceentry",
    )
