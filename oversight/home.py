"""What an auditor's home shows, for the workspace app that composes the homes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.models import Action, Outcome
from oversight import anomalies, queries

if TYPE_CHECKING:
    from accounts.models import User


def auditor_summary(user: User) -> dict[str, Any]:
    """What an auditor's home page shows: grants to review, anomalies, latest refusals."""
    events = queries.events_for_auditor(user)
    found = anomalies.find_anomalies(events)
    return {
        "grants_awaiting": queries.grants_awaiting_review(user).count(),
        "anomaly_count": sum(len(items) for items in found.values()),
        "latest_denied": list(events.filter(outcome=Outcome.DENIED)[:5]),
        # A page of the case list writes 50 sightings at once: the home shows the looks
        # and changes; sightings are read on the trails and in the search.
        "recent_events": list(events.exclude(action=Action.CASE_LISTED)[:15]),
    }
