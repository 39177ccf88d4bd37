"""The case list: filters, search by code and by exact name, 50 cases a page.

Rules this page keeps (DESIGN §3, §5):

- cases come only from ``visible_cases``; auditors, partners and org admins have no case
  role, so the list answers 403 to them (and records the denied attempt);
- names are opened only for the rows on the page, with the data keys of those survivors
  unwrapped in one query (``vault.services.preload_data_keys``);
- one ``CASE_LIST_VIEWED`` event per request, carrying no content: not the filters, not
  the name searched for;
- the page costs the same number of queries for 10 rows as for 50.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from audit.models import Action, Outcome
from audit.services import record_event
from cases import vocabularies as v
from cases.forms.lists import CaseFilterForm, NameSearchForm, people_of, teams_of
from cases.models import Case, FollowUp
from cases.queries import CASE_ROLES, visible_cases
from cases.services.intake import search_by_name
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 50

# Sealed values a list never shows: left in the database, not carried to the page.
_UNLISTED = (
    "narrative",
    "perpetrators",
    "needs_note",
    "safety_plan",
    "survivor__aliases",
    "survivor__birth_date",
    "survivor__estimated_age",
    "survivor__family_contacts",
    "survivor__guardian",
    "survivor__safe_contact",
)


# --- rows shared with the dashboards ---------------------------------------------------


def with_next_follow_up(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Everything a case row shows, in the one query that fetches the rows."""
    next_due = (
        FollowUp.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return (
        cases.select_related("survivor", "owner", "team")
        .defer(*_UNLISTED)
        .annotate(next_follow_up_on=Subquery(next_due))
    )


def open_names(cases: Iterable[Case], *, actor: User) -> list[Case]:
    """Open the names of these cases' survivors and set row attributes for the templates.

    Sets ``list_name`` (may be empty: not recorded), ``name_state`` ("" when open,
    "shredded" or "unreadable"), ``do_not_contact`` and ``follow_up_overdue``. The
    caller records the access event for the page.
    """
    rows = list(cases)
    today = timezone.localdate()
    vault.preload_data_keys(case.survivor_id for case in rows if not case.survivor.is_shredded)
    for case in rows:
        survivor = case.survivor
        case.list_name, case.name_state = "", ""
        if survivor.is_shredded:
            case.name_state = "shredded"
        else:
            try:
                given = vault.unseal(survivor, "given_names", actor=actor) or ""
                family = vault.unseal(survivor, "family_names", actor=actor) or ""
                case.list_name = " ".join(part for part in (given, family) if part)
            except OwnerShredded:
                case.name_state = "shredded"
            except CannotOpen:  # recorded by the vault as an integrity event
                case.name_state = "unreadable"
        case.do_not_contact = survivor.contact_channel == v.ContactChannel.DO_NOT_CONTACT
        due = getattr(case, "next_follow_up_on", None)
        case.follow_up_overdue = due is not None and due < today
    return rows


def require_case_role(user: User, *, action: str = Action.CASE_LIST_VIEWED) -> None:
    """403 (recorded) for people with no case role: auditors, partners, org admins."""
    if not user.has_role(*CASE_ROLES):
        record_event(action=action, actor=user, outcome=Outcome.DENIED)
        raise PermissionDenied


# --- the list ---------------------------------------------------------------------------


@login_required
@sensitive_post_parameters("full_name")
def case_list(request: HttpRequest) -> HttpResponse:
    """GET: filtered list, 50 a page. POST: exact-name search (the name stays out of URLs)."""
    user = request.user
    require_case_role(user)
    teams = teams_of(user)
    filters = CaseFilterForm(request.GET or None, teams=teams, people=people_of(teams))
    name_form = NameSearchForm(request.POST if request.method == "POST" else None)
    searching = request.method == "POST" and name_form.is_valid()
    if searching:
        cases = search_by_name(actor=user, full_name=name_form.cleaned_data["full_name"])
        page_number = 1
    else:
        cases = filters.apply(visible_cases(user))
        page_number = request.GET.get("page")
    page = Paginator(with_next_follow_up(cases), PAGE_SIZE).get_page(page_number)
    rows = open_names(page.object_list, actor=user)
    record_event(
        action=Action.CASE_LIST_VIEWED, actor=user, purpose="search" if searching else "list"
    )

    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/lists/case_list.html",
        {
            "filters": filters,
            "name_form": name_form,
            "searching": searching,
            "page": page,
            "rows": rows,
            "filter_query": query.urlencode(),
            "filtered": filters.is_filtered(),
        },
    )
