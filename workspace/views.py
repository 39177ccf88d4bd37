"""The home page: one address, one page per role.

Caseworkers and supervisors get their dashboards (``workspace.dashboards``); the other
roles a page of counts and links built here from the apps they work in. None of these
pages shows survivor content except the two dashboards, which record their look.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import queries as account_queries
from accounts.models import Role
from cases.queries import shred_queue
from cases.vocabularies import ServiceType
from oversight.home import auditor_summary
from referrals import queries as referral_queries
from workspace import dashboards


def _org_admin_home(user: Any) -> dict[str, Any]:
    people = account_queries.manageable_users(user)
    waiting = shred_queue(user)
    return {
        "shred_waiting": waiting.count(),
        "shred_oldest": waiting.values_list("requested_at", flat=True).first(),
        "active_users": sum(1 for person in people if person.is_active),
        "team_count": account_queries.manageable_teams(user).count(),
        "service_count": referral_queries.own_offerings(user).count(),
    }


def _partner_home(user: Any) -> dict[str, Any]:
    # Counts only (no case codes, no survivor content): the inbox page lists them.
    return {
        "inbox_counts": referral_queries.inbox_counts(referral_queries.inbox(user)),
        "shelters": referral_queries.own_offerings(user).filter(
            service_type=ServiceType.SHELTER
        ),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_superuser and not user.role:
        return redirect("admin:index")
    if user.role == Role.CASEWORKER:
        return dashboards.caseworker_home(request)
    if user.role == Role.SUPERVISOR:
        return dashboards.supervisor_home(request)
    context: dict[str, Any] = {"role": user.role}
    if user.role == Role.ORG_ADMIN:
        context.update(_org_admin_home(user))
    elif user.role == Role.PARTNER:
        context.update(_partner_home(user))
    elif user.role == Role.AUDITOR:
        context.update(auditor_summary(user))
    return render(request, "workspace/home.html", context)


@login_required
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    return dashboards.my_follow_ups(request)
