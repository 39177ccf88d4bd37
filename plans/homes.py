"""What the homes show of support plans: for a supervisor, plans waiting for her approval
and reviews overdue in her teams; for a caseworker, reviews due on her cases and
assistance entries to confirm.

The home pages (above plans) add these to their context and include
``plans/_home_supervisor.html`` / ``plans/_home_caseworker.html``. Rows name cases by
code only, and no sealed value is loaded: the home's own event covers the page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from plans import queries

if TYPE_CHECKING:
    from accounts.models import User

# As many rows as the homes show of their own lists (workspace.dashboards.SECTION_ROWS).
SECTION_ROWS = 5


def supervisor_sections(user: User, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    to_approve = queries.awaiting_approval(user)
    overdue = queries.reviews_overdue(user, today=today)
    return {
        "plans_to_approve": list(to_approve[:SECTION_ROWS]),
        "plans_to_approve_count": to_approve.count(),
        "plan_reviews_overdue": list(overdue[:SECTION_ROWS]),
        "plan_reviews_overdue_count": overdue.count(),
        "plans_today": today,
    }


def caseworker_sections(user: User, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    due = queries.reviews_due(user, today=today)
    to_confirm = queries.assistance_to_confirm(user)
    return {
        "plan_reviews_due": list(due[:SECTION_ROWS]),
        "plan_reviews_due_count": due.count(),
        "assistance_to_confirm": list(to_confirm[:SECTION_ROWS]),
        "assistance_to_confirm_count": to_confirm.count(),
        "plans_today": today,
    }
