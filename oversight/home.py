"""What an auditor's home shows, for the workspace app that composes the homes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit.models import Action, Outcome
from oversight import anomalies, queries

# The home shows the first rows of each list with its count and a link to the rest: fifteen
# events and five refusals made the page some 12,600 px on a phone; five of each still
# some 2,600 px (three screens) once the crawl had filled the log.
HOME_ROWS = 3

if TYPE_CHECKING:
    from accounts.models import User


def auditor_summary(user: User) -> dict[str, Any]:
    """What an auditor's home page shows: grants to review, anomalies, the latest refusals
    and events (the first few, with how many there are in all)."""
    events = queries.events_for_auditor(user)
    denied = events.filter(outcome=Outcome.DENIED)
    found = anomalies.find_anomalies(events)
    looks = events.exclude(action=Action.CASE_LISTED)
    return {
        "grants_awaiting": queries.grants_awaiting_review(user).count(),
        "anomaly_count": sum(len(items) for items in found.values()),
        "latest_denied": list(denied[:HOME_ROWS]),
        "denied_count": denied.count(),
        # A page of the case list writes 50 sightings at once: the home shows the looks
        # and changes; sightings are read on the trails and in the search.
        "recent_events": list(looks[:HOME_ROWS]),
        "event_count": looks.count(),
    }
