"""Case rows as lists show them: the case list (``cases.views.lists``) and the homes
(``workspace.dashboards``) fetch rows with ``with_next_follow_up`` and open only their
names with ``open_names``; the caller records the page's access event and one for each
case shown (``cases.sightings.record_list_page``).

The case list turns its pages with ``case_page``: keyset pagination over the union of
``cases.queries.visible_case_paths``, and a count that stops at ``COUNT_CAP`` (shown as
"more than 1,000"), so that a page costs about the same at 500,000 cases as at 500.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cases import vocabularies as v
from cases.labels import HIDDEN, shows_case_code_only
from cases.models import Case, FollowUp
from vault import services as vault
from vault.exceptions import CannotOpen, OwnerShredded

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 50
COUNT_CAP = 1000
# The list's order (Case.Meta.ordering); a code is unique in its organisation, so the
# pair is a total order and a row's pair is a cursor.
NEWEST_FIRST = ("-opened_on", "-code")
OLDEST_FIRST = ("opened_on", "code")

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
    "shredded", "unreadable", or ``cases.labels.HIDDEN`` when her organisation shows the
    case code alone: then no name is opened at all), ``do_not_contact`` and
    ``follow_up_overdue``. The caller records the page's events
    (``cases.sightings.record_list_page``).
    """
    rows = list(cases)
    today = timezone.localdate()
    code_only = shows_case_code_only(actor)
    if not code_only:
        vault.preload_data_keys(
            case.survivor_id for case in rows if not case.survivor.is_shredded
        )
    for case in rows:
        survivor = case.survivor
        case.list_name, case.name_state = "", ""
        if code_only:
            case.name_state = HIDDEN
        elif survivor.is_shredded:
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


# --- keyset pages of the case list ---------------------------------------------------------

# "2026-03-01~PE-2026-0042~49": the row's opening date, its code, its place in the list.
# Only coded values, safe in a URL like the filters; the place serves the "Cases 51–100"
# line only, so a tampered one misnumbers a page and shows nothing it should not.
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})~([A-Za-z0-9-]{1,32})~(\d{1,7})$")


@dataclass(frozen=True)
class Cursor:
    opened_on: date
    code: str
    position: int

    @classmethod
    def parse(cls, text: object) -> Cursor | None:
        """The cursor in ``text``, or None (first page) for anything malformed."""
        match = _CURSOR.match(str(text or ""))
        if not match:
            return None
        try:
            opened_on = date.fromisoformat(match[1])
        except ValueError:
            return None
        return cls(opened_on=opened_on, code=match[2], position=int(match[3]))

    @classmethod
    def of(cls, case: Case, position: int) -> Cursor:
        return cls(opened_on=case.opened_on, code=case.code, position=position)

    def __str__(self) -> str:
        return f"{self.opened_on.isoformat()}~{self.code}~{self.position}"


@dataclass
class CasePage:
    """One page of cases, with what the template needs to number it and turn it."""

    rows: list[Case]
    count: int
    count_is_capped: bool
    start: int = 0
    has_previous: bool = False
    has_next: bool = False
    size: int = PAGE_SIZE

    @property
    def start_index(self) -> int:
        return self.start + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start + len(self.rows)

    @property
    def number(self) -> int:
        return self.start // self.size + 1

    @property
    def num_pages(self) -> int | None:
        """None when the count stopped at the cap: the last page's number is unknown."""
        return None if self.count_is_capped else max(math.ceil(self.count / self.size), 1)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_cursor(self) -> str:
        return str(Cursor.of(self.rows[-1], self.end_index - 1)) if self.rows else ""

    @property
    def previous_cursor(self) -> str:
        return str(Cursor.of(self.rows[0], self.start)) if self.rows else ""


def _beyond(cases: QuerySet[Case], cursor: Cursor, *, forward: bool) -> QuerySet[Case]:
    """The cases after the cursor (forward, newest first) or before it."""
    day, code = cursor.opened_on, cursor.code
    if forward:
        return cases.filter(Q(opened_on__lt=day) | Q(opened_on=day, code__lt=code),
                            opened_on__lte=day)
    return cases.filter(Q(opened_on__gt=day) | Q(opened_on=day, code__gt=code),
                        opened_on__gte=day)


def _union(parts: list[QuerySet[Case]], fields: tuple[str, ...], *, order: tuple[str, ...],
           limit: int) -> tuple[str, list]:
    """SQL for the distinct union of each path's first ``limit`` rows: each path reads its
    own index in order and stops (a subquery, so SQLite accepts LIMIT in a UNION)."""
    selects, params = [], []
    for number, part in enumerate(parts):
        sql, part_params = (
            part.order_by(*order).values(*fields)[:limit].query.sql_with_params()
        )
        selects.append(f"SELECT * FROM ({sql}) AS path{number}")  # noqa: S608 - Django's own SQL
        params.extend(part_params)
    return " UNION ".join(selects), params


def capped_count(paths: list[QuerySet[Case]], *, cap: int | None = None) -> int:
    """How many distinct cases the paths hold, counting no further than ``cap + 1``."""
    cap = COUNT_CAP if cap is None else cap
    if not paths:
        return 0
    union, params = _union(paths, ("id",), order=(), limit=cap + 1)
    with connections[Case.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({union}) AS visible", params)  # noqa: S608
        return min(cursor.fetchone()[0], cap + 1)


def case_page(
    paths: list[QuerySet[Case]],
    *,
    narrow: Callable[[QuerySet[Case]], QuerySet[Case]] = lambda cases: cases,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> CasePage:
    """The page of the cases in ``paths`` (from ``visible_case_paths``), narrowed by the
    filters, that follows the cursor ``after`` (or precedes ``before``); the first page
    without either. Rows come with ``with_next_follow_up``. One query: the rows, their ids
    picked by one UNION of index scans, with the capped count (``capped_count``'s)."""
    if not paths:
        return CasePage(rows=[], count=0, count_is_capped=False, size=size)
    cursor = Cursor.parse(after) or Cursor.parse(before)
    forward = cursor is None or Cursor.parse(after) is not None
    order = NEWEST_FIRST if forward else OLDEST_FIRST
    parts = [narrow(path) for path in paths]
    if cursor is not None:
        parts = [_beyond(part, cursor, forward=forward) for part in parts]
    union, params = _union(parts, ("id", "opened_on", "code"), order=order, limit=size + 1)
    direction = "DESC" if forward else "ASC"
    # Only Django's compiled SQL, a fixed direction and an int: every value is a parameter.
    ids = RawSQL(  # noqa: S611
        f"SELECT id FROM ({union}) AS visible "  # noqa: S608
        f"ORDER BY opened_on {direction}, code {direction} LIMIT {size + 1}",
        params,
    )
    # The capped count rides along as a scalar subquery, computed once: one query less.
    counted, count_params = _union(
        [narrow(path) for path in paths], ("id",), order=(), limit=COUNT_CAP + 1
    )
    count_sql = RawSQL(f"SELECT COUNT(*) FROM ({counted}) AS counted", count_params)  # noqa: S611, S608
    rows = list(
        with_next_follow_up(Case.objects.filter(pk__in=ids))
        .annotate(visible_count=count_sql)
        .order_by(*order)
    )
    more = len(rows) > size
    count = rows[0].visible_count if rows else 0
    rows = rows[:size]
    capped = count > COUNT_CAP
    count = min(count, COUNT_CAP)
    if forward:
        start = cursor.position + 1 if cursor else 0
        page = CasePage(rows=rows, count=count, count_is_capped=capped,
                        start=start, has_previous=cursor is not None, has_next=more, size=size)
    else:
        rows.reverse()
        page = CasePage(rows=rows, count=count, count_is_capped=capped,
                        start=max(cursor.position - len(rows), 0), has_previous=more,
                        has_next=True, size=size)
    if not rows and cursor is not None:  # a stale cursor past the end: the first page
        return case_page(paths, narrow=narrow, size=size)
    return page


def single_page(rows: list[Case], *, size: int = PAGE_SIZE) -> CasePage:
    """The first ``size`` of a short list already fetched as ``with_next_follow_up``
    fetches rows (a search by name, ``cases.services.intake.search_by_name``)."""
    return CasePage(rows=rows[:size], count=len(rows[:size]), count_is_capped=False,
                    has_next=False, size=size)
