"""The auditor's pages (DESIGN §8): search, per-case and per-person trails, refusals,
emergency grants to review, anomalies and a CSV export.

Every page gets its events from ``oversight.queries.events_for_auditor`` (403 to anyone but an
auditor, scoped to her organisation) and records one event of its own. Events hold no
survivor content, and these pages show nothing else of a case than its code.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessEvent, Action, Outcome
from audit.services import record_event
from oversight import access_summary, anomalies, queries
from oversight.forms import CaseCodeForm, EventSearchForm, GrantReviewForm, PersonForm
from oversight.reviews import AlreadyReviewed, review_emergency_grant

if TYPE_CHECKING:
    pass

PAGE_SIZE = 50
# A trail (a case's or a person's raw events) comes after its summary, one line per
# person or case: on a phone 50 events were some 6,700 px, so a trail shows fewer at a time,
# and the summary its first lines, each with its total and the pages to the rest.
TRAIL_PAGE_SIZE = 20
SUMMARY_PAGE_SIZE = 10
EXPORT_CHUNK = 2000

# What a row shows and the CSV holds: the event's own fields, never survivor content.
EXPORT_COLUMNS = [
    "id",
    "occurred_at",
    "actor_username",
    "actor_role",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "case_code",
    "purpose",
    "request_id",
    "source_address",
]


def _page_number(raw: str | None, num_pages: int) -> int:
    """The page asked for, or the first when it is not a page of this list (not a number,
    zero, negative, past the end): a hand-edited address never answers 500."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= num_pages:
        return int(raw)
    return 1


def _page(request: HttpRequest, items: QuerySet[AccessEvent] | list, *,
          per_page: int = PAGE_SIZE, param: str = "page") -> Page:
    """One page, read now: the page's own event is recorded after it and must not show
    on it."""
    paginator = Paginator(items, per_page)
    page = paginator.page(_page_number(request.GET.get(param), paginator.num_pages))
    page.object_list = list(page.object_list)
    return page


def _query_without(request: HttpRequest, *params: str) -> str:
    query = request.GET.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()


def _query_without_page(request: HttpRequest) -> str:
    return _query_without(request, "page")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    events = queries.events_for_auditor(request.user)
    form = EventSearchForm(request.GET or None, people=queries.people_for_auditor(request.user))
    if form.is_bound:
        events = form.filter(events)
    page = _page(request, events)
    record_event(action=Action.AUDIT_SEARCHED, actor=request.user)
    return render(
        request,
        "oversight/search.html",
        {
            "form": form,
            "page": page,
            "filter_query": _query_without_page(request),
            "filtered": form.is_filtered(),
        },
    )


class _Echo:
    """A file-like object that hands back what is written, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def _csv_rows(events: QuerySet[AccessEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in events.values_list(*EXPORT_COLUMNS).iterator(chunk_size=EXPORT_CHUNK):
        values = list(row)
        values[1] = values[1].isoformat()
        yield writer.writerow([_cell(value) for value in values])


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    events = queries.events_for_auditor(request.user)
    form = EventSearchForm(request.GET or None, people=queries.people_for_auditor(request.user))
    if form.is_bound:
        events = form.filter(events)
    # Recorded before the first row leaves; what was searched is not recorded (it may be
    # a case code, which the search page does not record either).
    record_event(action=Action.AUDIT_EXPORTED, actor=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="amparo-access-log-{stamp}.csv"'
    return response


@login_required
@require_GET
def case_access(request: HttpRequest) -> HttpResponse:
    queries.require_auditor(request.user)
    form = CaseCodeForm(request.GET or None)
    page = None
    code = ""
    summary = None
    who = request.GET.get("who", "")
    if form.is_valid():
        code = form.cleaned_data["code"]
        trail = queries.case_trail(request.user, code)
        summary = _page(request, access_summary.who_accessed(trail),
                        per_page=SUMMARY_PAGE_SIZE, param="lines")
        # One click from a person's line to her raw events on this case.
        page = _page(request, trail.filter(actor_username=who) if who else trail,
                     per_page=TRAIL_PAGE_SIZE)
    record_event(action=Action.AUDIT_CASE_ACCESS_VIEWED, actor=request.user, case_code=code)
    return render(
        request,
        "oversight/case_access.html",
        {"form": form, "page": page, "code": code, "summary": summary, "who": who,
         "summary_query": urlencode({"code": code}),
         "filter_query": _query_without_page(request),
         "lines_query": _query_without(request, "lines")},
    )


@login_required
@require_GET
def person_activity(request: HttpRequest) -> HttpResponse:
    events = queries.events_for_auditor(request.user)
    form = PersonForm(request.GET or None, people=queries.people_for_auditor(request.user))
    page = None
    person = None
    summary = None
    case_code = request.GET.get("case", "")
    if form.is_valid():
        person = form.cleaned_data["person"]
        hers = events.filter(actor=person)
        summary = _page(request, access_summary.activity_by_case(hers),
                        per_page=SUMMARY_PAGE_SIZE, param="lines")
        # One click from a case's line to her raw events on it.
        page = _page(request, hers.filter(case_code=case_code) if case_code else hers,
                     per_page=TRAIL_PAGE_SIZE)
    record_event(
        action=Action.AUDIT_PERSON_ACTIVITY_VIEWED,
        actor=request.user,
        target_type="user" if person else "",
        target_id=person.pk if person else "",
    )
    return render(
        request,
        "oversight/person_activity.html",
        {
            "form": form,
            "page": page,
            "person": person,
            "summary": summary,
            "case_code": case_code,
            "summary_query": urlencode({"person": person.pk}) if person else "",
            "filter_query": _query_without_page(request),
            "lines_query": _query_without(request, "lines"),
        },
    )


@login_required
@require_GET
def denied(request: HttpRequest) -> HttpResponse:
    events = queries.events_for_auditor(request.user).filter(outcome=Outcome.DENIED)
    page = _page(request, events)
    record_event(action=Action.AUDIT_SEARCHED, actor=request.user, purpose="denied")
    return render(
        request,
        "oversight/denied.html",
        {"page": page, "filter_query": _query_without_page(request)},
    )


@login_required
@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    awaiting = list(queries.grants_awaiting_review(request.user))
    reviewed = list(queries.grants_for_auditor(request.user).filter(review__isnull=False)[:50])
    record_event(action=Action.AUDIT_SEARCHED, actor=request.user, purpose="emergency_grants")
    return render(request, "oversight/grants.html", {"awaiting": awaiting, "reviewed": reviewed})


@login_required
@require_http_methods(["GET", "POST"])
def grant_review(request: HttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    grant = queries.get_grant_for_auditor(request.user, grant_id)
    if hasattr(grant, "review"):
        messages.info(request, _("This emergency access has already been reviewed."))
        return redirect("oversight:grants")
    form = GrantReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_emergency_grant(
                actor=request.user,
                grant=grant,
                finding=form.cleaned_data["finding"],
                note=form.cleaned_data["note"],
            )
        except AlreadyReviewed:
            messages.info(request, _("This emergency access has already been reviewed."))
        else:
            messages.success(request, _("Review saved."))
        return redirect("oversight:grants")
    record_event(
        action=Action.AUDIT_SEARCHED,
        actor=request.user,
        target=grant,
        case_code=grant.case.code,
        purpose="emergency_grant",
    )
    trail = list(
        queries.events_for_auditor(request.user).filter(
            actor_id=grant.user_id,
            case_code=grant.case.code,
            occurred_at__gte=grant.granted_at,
            occurred_at__lte=grant.expires_at,
        )[:200]
    )
    return render(
        request, "oversight/grant_review.html", {"grant": grant, "form": form, "trail": trail}
    )


@login_required
@require_GET
def anomaly_list(request: HttpRequest) -> HttpResponse:
    events = queries.events_for_auditor(request.user)
    since = anomalies.default_since()
    found = anomalies.find_anomalies(events, since)
    record_event(action=Action.AUDIT_ANOMALIES_VIEWED, actor=request.user)
    return render(
        request,
        "oversight/anomalies.html",
        {
            "found": [(rule, rule.label, items) for rule, items in found.items()],
            "since": since,
            "total": sum(len(items) for items in found.values()),
        },
    )
