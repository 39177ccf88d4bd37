"""The case list: filters, search by code and by exact name, 50 cases a page.

Rules this page keeps (DESIGN §3, §5):

- cases come only from ``visible_cases``; auditors, partners and org admins have no case
  role, so the list answers 403 to them (and records the denied attempt);
- names are opened only for the rows on the page, with the data keys of those survivors
  unwrapped in one query (``vault.services.preload_data_keys``);
- one ``CASE_LIST_VIEWED`` event per request, carrying no content: not the filters, not
  the name searched for; and one ``CASE_LISTED`` per case on the page, with its code, so
  that paging through names shows in each case's trail (``cases.sightings``), written
  with it in one INSERT;
- the page costs the same number of queries for 10 rows as for 50.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from audit.models import Action, Outcome
from audit.services import record_event
from cases import sightings
from cases.forms.lists import CaseFilterForm, NameSearchForm, people_of, teams_of
from cases.listing import PAGE_SIZE, case_page, open_names, single_page  # noqa: F401
from cases.queries import CASE_ROLES, visible_case_paths
from cases.services.intake import search_by_name

if TYPE_CHECKING:
    from accounts.models import User

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
        page = single_page(
            search_by_name(actor=user, full_name=name_form.cleaned_data["full_name"])
        )
    else:
        page = case_page(
            visible_case_paths(user),
            narrow=filters.apply,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    rows = open_names(page.rows, actor=user)
    sightings.record_list_page(
        user, rows, where=sightings.SEARCH if searching else sightings.LIST
    )

    query = request.GET.copy()
    for turn in ("after", "before", "page"):
        query.pop(turn, None)
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
