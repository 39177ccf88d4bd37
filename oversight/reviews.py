"""The auditor's one write: reviewing an emergency grant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from audit.models import Action
from audit.services import record_event
from oversight.models import GrantFinding, GrantReview

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models import EmergencyGrant


class AlreadyReviewed(Exception):
    """Another auditor reviewed this grant first."""


@transaction.atomic
def review_emergency_grant(
    *, actor: User, grant: EmergencyGrant, finding: GrantFinding | str, note: str = ""
) -> GrantReview:
    """Record the auditor's finding on one grant, once, with its audit event.

    The event carries the finding as its purpose (a code from a fixed list) and the
    case code; the note stays in the review row, never in the event.
    """
    try:
        # A savepoint, so that losing the race to another auditor (the one-to-one is
        # unique) leaves the outer transaction usable.
        with transaction.atomic():
            review = GrantReview.objects.create(
                grant=grant, finding=str(finding), note=note.strip(), reviewed_by=actor
            )
    except IntegrityError as exc:
        raise AlreadyReviewed from exc
    record_event(
        action=Action.GRANT_REVIEWED,
        actor=actor,
        target=grant,
        case_code=grant.case.code,
        purpose=str(finding),
    )
    return review
