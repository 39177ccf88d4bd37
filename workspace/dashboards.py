"""The home pages of case work: "my work" for a caseworker, the team home for a supervisor.

``workspace.views.home`` hands these roles over to ``caseworker_home`` and
``supervisor_home``; they join cases and referrals, which is why they live above both.
Both show survivors' names, so each request opens them only for the rows shown and leaves
one ``CASE_LIST_VIEWED`` event (purpose ``dashboard``), with no content, and one
``CASE_LISTED`` per case whose name it shows (``cases.sightings``), in one INSERT. Recent changes
come from the history tables and say only which case, what kind of record, and when:
never what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role, User
from audit.models import Action, Outcome
from audit.services import record_event
from cases import sightings
from cases import vocabularies as v
from cases.forms.lists import CLOSED_STATUSES
from cases.listing import open_names, with_next_follow_up
from cases.models import Attachment, Case, Consent, FollowUp, Note, RiskAssessment
from cases.queries import colleagues_by_id, open_follow_ups, retention_queue, visible_cases
from plans import homes as plan_homes
from referrals import queries as referral_queries

if TYPE_CHECKING:
    from django.utils.functional import Promise

# The first rows of each list, with its count and a link to the rest: ten rows in every
# section made the homes 7,400 px (caseworker) and 12,500 px (supervisor) on a phone.
SECTION_ROWS = 5
FOLLOW_UP_WINDOW_DAYS = 7

# (history of which model, change type) -> what the dashboard says happened.
_CHANGE_LABELS: dict[tuple[type, str], Promise] = {
    (Case, "+"): _("Case registered"),
    (Case, "~"): _("Case details changed"),
    (Note, "+"): _("Note added"),
    (Note, "~"): _("Note changed"),
    (Note, "-"): _("Note removed"),
    (FollowUp, "+"): _("Follow-up scheduled"),
    (FollowUp, "~"): _("Follow-up updated"),
    (FollowUp, "-"): _("Follow-up removed"),
    (RiskAssessment, "+"): _("Risk assessed"),
    (RiskAssessment, "~"): _("Risk assessment changed"),
    (Consent, "+"): _("Consent recorded"),
    (Consent, "~"): _("Consent changed"),
    (Attachment, "+"): _("File attached"),
    (Attachment, "-"): _("File removed"),
}


@dataclass(frozen=True)
class RecentChange:
    when: datetime
    case_id: object
    code: str
    what: Promise
    by: str
    by_me: bool


def _open_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.exclude(status__in=CLOSED_STATUSES)


def _follow_up_rows(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return follow_ups.select_related("case__survivor", "case__team", "assignee").defer(
        "outcome_note",
        "case__narrative",
        "case__perpetrators",
        "case__needs_note",
        "case__safety_plan",
    )


def recent_changes(
    cases: QuerySet[Case], *, viewer: User, limit: int = SECTION_ROWS
) -> list[RecentChange]:
    """The latest changes to these cases and what is recorded in them, newest first.

    Read from django-simple-history; only dates, kinds and authors leave the tables (no
    sealed value is even loaded).
    """
    case_ids = cases.values("pk")
    found = []
    for model in (Case, Note, FollowUp, RiskAssessment, Consent, Attachment):
        link = "id" if model is Case else "case_id"
        rows = (
            model.history.filter(**{f"{link}__in": case_ids})
            .order_by("-history_date")
            .values_list("history_date", link, "history_type", "history_user_id")[:limit]
        )
        found.extend((when, case_id, model, kind, user_id) for when, case_id, kind, user_id in rows)
    found.sort(key=lambda row: row[0], reverse=True)
    found = found[:limit]
    codes = dict(cases.filter(pk__in={row[1] for row in found}).values_list("pk", "code"))
    people = colleagues_by_id(viewer, {row[4] for row in found if row[4]})
    changes = []
    for when, case_id, model, kind, user_id in found:
        label = _CHANGE_LABELS.get((model, kind))
        if label is None:
            continue
        person = people.get(user_id)
        changes.append(
            RecentChange(
                when=when,
                case_id=case_id,
                code=codes.get(case_id, ""),
                what=label,
                by=person.display_name if person else "",
                by_me=user_id == viewer.pk,
            )
        )
    return changes


def _referral_rows(referrals: QuerySet) -> list:
    """Referrals for a dashboard table: case code, service, provider and people in one
    query, and no sealed value loaded (the rows say where, when and in what state)."""
    return list(
        referrals.select_related("submitted_by").defer(
            "reason",
            "beyond_minimum_reason",
            "packet",
            "return_note",
            "emergency_reason",
            "review_note",
            "decline_note",
            "outcome_note",
            "withdraw_note",
            "case__narrative",
            "case__perpetrators",
            "case__needs_note",
            "case__safety_plan",
        )[:SECTION_ROWS]
    )


def caseworker_home(request: HttpRequest) -> HttpResponse:
    """Her open cases, her follow-ups due this week or overdue, her referrals' status,
    and recent changes."""
    user = request.user
    today = timezone.localdate()
    visible = visible_cases(user)
    mine = visible.filter(owner=user)
    open_mine = _open_cases(mine)
    open_rows = list(with_next_follow_up(open_mine).order_by("-updated_at")[:SECTION_ROWS])
    due = open_follow_ups(visible).filter(
        assignee=user, due_on__lte=today + timedelta(days=FOLLOW_UP_WINDOW_DAYS)
    )
    follow_ups = list(_follow_up_rows(due).order_by("due_on")[:SECTION_ROWS])
    named = open_names([*open_rows, *(f.case for f in follow_ups)], actor=user)
    my_referrals = referral_queries.my_referrals(user)
    sightings.record_list_page(user, named, where=sightings.DASHBOARD)
    return render(
        request,
        "workspace/my_work.html",
        {
            "referrals": _referral_rows(my_referrals),
            "referral_count": my_referrals.count(),
            "today": today,
            "open_rows": open_rows,
            "open_count": open_mine.count(),
            "follow_ups": follow_ups,
            "due_count": due.count(),
            "overdue_count": due.filter(due_on__lt=today).count(),
            "changes": recent_changes(mine, viewer=user),
            "teams": list(user.teams.all()),
            "window_days": FOLLOW_UP_WINDOW_DAYS,
            # Support plan reviews due on her cases, assistance to confirm (plans.homes).
            **plan_homes.caseworker_sections(user, today=today),
        },
    )


@dataclass
class CaseworkerLoad:
    person: User
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def caseload(cases: QuerySet[Case], *, viewer: User) -> list[CaseworkerLoad]:
    """Cases per caseworker and status, busiest first."""
    rows = cases.order_by().values_list("owner_id", "status").annotate(n=Count("pk"))
    by_owner: dict[int, dict[str, int]] = {}
    for owner_id, status, number in rows:
        by_owner.setdefault(owner_id, {})[status] = number
    people = colleagues_by_id(viewer, by_owner)
    loads = [CaseworkerLoad(people[pk], counts) for pk, counts in by_owner.items()]
    open_statuses = (v.CaseStatus.OPEN, v.CaseStatus.FOLLOW_UP)
    return sorted(
        loads,
        key=lambda load: (-sum(load.count(s) for s in open_statuses), load.person.display_name),
    )


def supervisor_home(request: HttpRequest) -> HttpResponse:
    """Her teams: referrals awaiting her (approval, review of emergency sends), overdue
    referrals, caseload per caseworker, high risk, children, overdue work."""
    user = request.user
    today = timezone.localdate()
    teams = list(user.supervised_teams.all().order_by("name"))
    team_cases = visible_cases(user).filter(team__in=teams)
    active = _open_cases(team_cases)
    high_risk = active.filter(risk_level__in=[v.RiskLevel.CRITICAL, v.RiskLevel.HIGH])
    children = active.filter(is_child=True)
    reviews_overdue = active.filter(next_risk_review_on__lt=today)
    overdue = open_follow_ups(active).filter(due_on__lt=today)

    # Critical before high, then the most recently changed.
    high_rows = list(
        with_next_follow_up(high_risk).order_by("risk_level", "-updated_at")[:SECTION_ROWS]
    )
    child_rows = list(with_next_follow_up(children).order_by("-updated_at")[:SECTION_ROWS])
    review_rows = list(
        with_next_follow_up(reviews_overdue).order_by("next_risk_review_on")[:SECTION_ROWS]
    )
    follow_ups = list(_follow_up_rows(overdue).order_by("due_on")[:SECTION_ROWS])
    named = open_names(
        [*high_rows, *child_rows, *review_rows, *(f.case for f in follow_ups)], actor=user
    )
    to_approve = referral_queries.awaiting_approval(user)
    to_review = referral_queries.awaiting_review(user)
    late_referrals = referral_queries.overdue_for_supervisor(user)
    sightings.record_list_page(user, named, where=sightings.DASHBOARD)
    return render(
        request,
        "workspace/team_home.html",
        {
            "to_approve": _referral_rows(to_approve),
            "to_approve_count": to_approve.count(),
            "to_review": _referral_rows(to_review),
            "to_review_count": to_review.count(),
            "late_referrals": _referral_rows(late_referrals),
            "late_referral_count": late_referrals.count(),
            "today": today,
            "teams": teams,
            "caseload": caseload(team_cases, viewer=user),
            # Plans waiting for her approval, reviews overdue in her teams (plans.homes).
            **plan_homes.supervisor_sections(user, today=today),
            "statuses": v.CaseStatus.choices,
            "high_rows": high_rows,
            "high_count": high_risk.count(),
            "child_rows": child_rows,
            "child_count": children.count(),
            "review_rows": review_rows,
            "review_count": reviews_overdue.count(),
            "follow_ups": follow_ups,
            "overdue_count": overdue.count(),
            # Closed cases of her teams whose retention ended (cases.services.retention).
            "retention_count": retention_queue(user).count(),
        },
    )


# --- my follow-ups --------------------------------------------------------------------

FOLLOW_UPS_PER_PAGE = 25
FOLLOW_UP_VIEWS = ("overdue", "upcoming", "done")
FOLLOW_UP_VIEW_LABELS: dict[str, Promise] = {
    "overdue": pgettext_lazy("follow-ups", "Overdue"),
    "upcoming": pgettext_lazy("follow-ups", "Upcoming"),
    "done": pgettext_lazy("follow-ups", "Done"),
}
# Who has follow-ups assigned: the people who work cases.
FOLLOW_UP_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def my_follow_ups_of(user: User, view: str) -> QuerySet[FollowUp]:
    """Her follow-ups of one view, on every case she can still see, open or closed: nothing
    disappears when a case closes (the re-trafficking check-ins come after it)."""
    today = timezone.localdate()
    mine = FollowUp.objects.filter(case__in=visible_cases(user), assignee=user)
    if view == "done":
        return mine.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    pending = mine.filter(done_at__isnull=True)
    if view == "overdue":
        return pending.filter(due_on__lt=today).order_by("due_on", "pk")
    return pending.filter(due_on__gte=today).order_by("due_on", "pk")


def my_follow_ups(request: HttpRequest) -> HttpResponse:
    """Every follow-up assigned to her, overdue, upcoming or done, a page at a time; one
    URL per view (``?show=``) so that it works without JavaScript."""
    user = request.user
    if not user.has_role(*FOLLOW_UP_ROLES):
        record_event(
            action=Action.CASE_LIST_VIEWED, actor=user, outcome=Outcome.DENIED, purpose="follow_ups"
        )
        raise PermissionDenied
    view = request.GET.get("show", "")
    if view not in FOLLOW_UP_VIEWS:
        view = "overdue" if my_follow_ups_of(user, "overdue").exists() else "upcoming"
    counts = {name: my_follow_ups_of(user, name).count() for name in ("overdue", "upcoming")}
    paginator = Paginator(_follow_up_rows(my_follow_ups_of(user, view)), FOLLOW_UPS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    named = open_names([row.case for row in rows], actor=user)
    sightings.record_list_page(user, named, where=sightings.FOLLOW_UPS)
    return render(
        request,
        "workspace/my_follow_ups.html",
        {
            "view": view,
            "views": [
                (name, FOLLOW_UP_VIEW_LABELS[name], counts.get(name)) for name in FOLLOW_UP_VIEWS
            ],
            "page": page,
            "follow_ups": rows,
            "today": timezone.localdate(),
            "filter_query": f"show={view}",
        },
    )
