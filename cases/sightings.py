"""Cases seen in lists leave a trace on the case (issue 12, opening 4).

A list, a search, a home page or an export shows survivors' names: whoever pages through
a thousand names has seen a thousand survivors, though she opened none of them. So each
case such a page shows gets a ``CASE_LISTED`` event with its code, and shows in that
case's "who accessed" (apart from the opens); the auditor's rule of cases seen in lists
outside her own caseload (``oversight.anomalies``) counts them.

Rules:

- one event per distinct case shown, purpose saying where (``list``, ``search``,
  ``dashboard``, ``follow_ups``, ``export``), with the code and nothing else;
- the page's own ``CASE_LIST_VIEWED`` event stays (it is the page's look even when it
  showed no case, and the night rule reads it), written in the same INSERT as the
  sightings: a page of 50 cases costs one statement, as it did before;
- the events are written through ``audit.services.record_events`` inside the caller's
  transaction, and sealed after it commits.

The duplicate check at intake records its matches itself (``cases.services.intake``):
it shows codes, not names, one event per matched case already.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from audit.models import Action
from audit.services import record_events

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models import Case

# Where a case was seen: the purpose of its CASE_LISTED event.
LIST, SEARCH, DASHBOARD, FOLLOW_UPS, EXPORT = "list", "search", "dashboard", "follow_ups", "export"


def _sightings(cases: Iterable[Case], where: str) -> list[dict]:
    seen: set[object] = set()
    entries = []
    for case in cases:
        if case.pk in seen:  # a home page may show one case in several sections
            continue
        seen.add(case.pk)
        entries.append(
            {"action": Action.CASE_LISTED, "target": case, "case_code": case.code,
             "purpose": where}
        )
    return entries


def record_sightings(user: User, cases: Iterable[Case], *, where: str) -> None:
    """One ``CASE_LISTED`` event per distinct case of ``cases``, for a page or export that
    records its own look separately."""
    record_events(_sightings(cases, where), actor=user)


def record_list_page(user: User, cases: Iterable[Case], *, where: str) -> None:
    """The look at a page of cases: its ``CASE_LIST_VIEWED`` event and one ``CASE_LISTED``
    per case it shows, in one INSERT."""
    record_events(
        [{"action": Action.CASE_LIST_VIEWED, "purpose": where}, *_sightings(cases, where)],
        actor=user,
    )
