"""The one way an access event is written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from audit import chain, context
from audit.models import AccessEvent, Action, Outcome

if TYPE_CHECKING:
    from accounts.models import Organization, User


def record_event(
    *,
    action: Action | str,
    actor: User | None = None,
    outcome: Outcome | str = Outcome.ALLOWED,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    case_code: str = "",
    purpose: str = "",
    organization: Organization | None = None,
) -> AccessEvent:
    """Write one access event.

    Call it inside the transaction of the change it records, so that the change and its
    event are committed together or not at all; the event is sealed into the hash chain
    once that transaction commits. Never pass survivor content: targets
    are named by type and id, cases by their code.
    """
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or target.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organization is None and actor is not None:
        organization = actor.organization
    request_context = context.current()
    event = AccessEvent.objects.create(
        action=str(action),
        outcome=str(outcome),
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        actor_role=(actor.role or "") if actor else "",
        organization=organization,
        target_type=target_type,
        target_id=str(target_id) if target_id not in (None, "") else "",
        case_code=case_code,
        purpose=purpose,
        request_id=request_context.request_id if request_context else "",
        source_address=request_context.source_address if request_context else None,
    )
    # Sealed into the hash chain after commit, outside this transaction (audit/chain.py).
    chain.schedule_seal(event.pk)
    return event
