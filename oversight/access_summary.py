"""Who accessed a case, and what a person did, summed up before the raw events (DESIGN §8).

An auditor asks first *who*: each person who touched the case, with her role and
organisation, her first and last access, how many events of each action, and whether any
was refused or used emergency access; and for a person, the same by case. Times a case was
only shown in a list, a search, a home page or an export (``CASE_LISTED``) are counted
apart from the actions: seeing a name is not opening the case, and both are on record. The database
does the summing: two aggregate queries whatever the number of events (one row per person
or case, then one per person or case and action), never the events brought into Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Min, Q, QuerySet

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from core.labels import label

# Emergency access: opening it, and everything done through it.
EMERGENCY = Q(action__startswith="emergency_access.") | Q(action=Action.REFERRAL_SENT_EMERGENCY)
# Shown in a list, not opened (cases.sightings): a column of its own.
LISTED = Q(action=Action.CASE_LISTED)


@dataclass
class ActionCount:
    action: str
    count: int

    @property
    def label(self) -> str:
        return label(self.action, Action)


@dataclass
class AccessLine:
    """One person (on a case's page) or one case (on a person's page)."""

    key: str  # the username, or the case code
    role: str
    organization: str
    first_at: datetime
    last_at: datetime
    total: int
    denied: int
    emergency: int
    listed: int = 0  # shown in lists, searches, home pages and exports, not opened
    actions: list[ActionCount] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return label(self.role, Role) if self.role else ""

    @property
    def flagged(self) -> bool:
        return bool(self.denied or self.emergency)


def _summarise(events: QuerySet[AccessEvent], key: str) -> list[AccessLine]:
    events = events.order_by()
    rows = (
        events.values(key)
        .annotate(
            role=Max("actor_role"),
            organization=Max("organization__name"),
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
            total=Count("id"),
            denied=Count("id", filter=Q(outcome=Outcome.DENIED)),
            emergency=Count("id", filter=EMERGENCY),
            listed=Count("id", filter=LISTED),
        )
        .order_by("-last_at", key)
    )
    lines = {
        row[key]: AccessLine(
            key=row[key], role=row["role"] or "", organization=row["organization"] or "",
            first_at=row["first_at"], last_at=row["last_at"], total=row["total"],
            denied=row["denied"], emergency=row["emergency"], listed=row["listed"],
        )
        for row in rows
    }
    per_action: dict[str, list[ActionCount]] = defaultdict(list)
    counted = (
        events.exclude(LISTED)
        .values_list(key, "action").annotate(count=Count("id")).order_by(key, "-count")
    )
    for value, action, count in counted:
        per_action[value].append(ActionCount(action=action, count=count))
    for value, line in lines.items():
        line.actions = per_action.get(value, [])
    return list(lines.values())


def who_accessed(events: QuerySet[AccessEvent]) -> list[AccessLine]:
    """Per person (by username, so that refused unknown accounts show too), latest first."""
    return _summarise(events, "actor_username")


def activity_by_case(events: QuerySet[AccessEvent]) -> list[AccessLine]:
    """Per case code of a person's events (events without a case are grouped under "")."""
    return _summarise(events, "case_code")
