"""Helpers shared by the tests of the auditor's pages (tests/oversight/test_auditor_*.py)."""

from __future__ import annotations

from datetime import datetime

from audit.models import AccessEvent, Action, Outcome


def event(
    *,
    actor=None,
    organization=None,
    action: str = Action.CASE_VIEWED,
    outcome: str = Outcome.ALLOWED,
    case_code: str = "",
    at: datetime | None = None,
    purpose: str = "",
) -> AccessEvent:
    """One event as ``record_event`` would write it, at a chosen moment.

    Written with ``create`` (never updated): the moment is part of the test's setup.
    """
    values = {
        "actor": actor,
        "actor_username": actor.username if actor else "",
        "actor_role": actor.role if actor else "",
        "organization": organization or (actor.organization if actor else None),
        "action": str(action),
        "outcome": str(outcome),
        "case_code": case_code,
        "purpose": purpose,
    }
    if at is not None:
        values["occurred_at"] = at
    return AccessEvent.objects.create(**values)
