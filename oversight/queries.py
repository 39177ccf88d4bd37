"""Every read of the access log for the auditor's pages goes through here (DESIGN §8).

Rules:

- only auditors read the log; anyone else gets 403, and the refusal is recorded;
- an auditor sees the events of her own organisation and nothing else: not another
  organisation's, not system events without an organisation;
- the auditor's pages never touch survivor content: emergency grants are read without
  their sealed reason, cases only by code, team and owner.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from audit.denials import get_or_deny
from audit.models import AccessEvent, Action, Outcome
from audit.services import record_event
from cases.models import EmergencyGrant
from oversight.models import GrantReview
from referrals.models import Referral


def require_auditor(user: User) -> None:
    """403 for anyone but an active auditor with an organisation, recorded as denied."""
    if not user.has_role(Role.AUDITOR) or user.organization_id is None:
        record_event(action=Action.AUDIT_ACCESS_DENIED, actor=user, outcome=Outcome.DENIED)
        raise PermissionDenied


def events_for_auditor(user: User) -> QuerySet[AccessEvent]:
    """The events of the auditor's organisation, newest first: the only way views get
    events."""
    require_auditor(user)
    return AccessEvent.objects.filter(organization_id=user.organization_id).order_by(
        "-occurred_at", "-id"
    )


def case_trail(user: User, code: str) -> QuerySet[AccessEvent]:
    """Who touched one case of the auditor's organisation: its own staff's events, and the
    partners' events on the case's referrals (their looks at the packet, their answers),
    which carry the partner's organisation but are this survivor's data all the same."""
    require_auditor(user)
    referral_ids = [
        str(pk)
        for pk in Referral.objects.filter(
            case__organization_id=user.organization_id, case__code=code
        ).values_list("pk", flat=True)
    ]
    mine = Q(organization_id=user.organization_id, case_code=code)
    if referral_ids:
        mine |= Q(target_type="referral", target_id__in=referral_ids, case_code=code)
    return AccessEvent.objects.filter(mine).order_by("-occurred_at", "-id")


def people_for_auditor(user: User) -> QuerySet[User]:
    """The people of the auditor's organisation, to pick whose activity to read."""
    require_auditor(user)
    return User.objects.filter(organization_id=user.organization_id, is_superuser=False).order_by(
        "username"
    )


def grants_for_auditor(user: User) -> QuerySet[EmergencyGrant]:
    """Emergency grants on the auditor's organisation's cases, without their sealed reason."""
    require_auditor(user)
    return (
        EmergencyGrant.objects.filter(case__organization_id=user.organization_id)
        .select_related("user", "case", "review", "review__reviewed_by")
        .only(
            "id",
            "granted_at",
            "expires_at",
            "case__id",
            "case__code",
            "user__id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "review__id",
            "review__finding",
            "review__note",
            "review__reviewed_at",
            "review__reviewed_by__id",
            "review__reviewed_by__username",
        )
        .order_by("-granted_at")
    )


def grants_awaiting_review(user: User) -> QuerySet[EmergencyGrant]:
    return grants_for_auditor(user).filter(review__isnull=True)


def get_grant_for_auditor(user: User, grant_id: object) -> EmergencyGrant:
    """404 for a grant of another organisation, as if it did not exist; the refusal is
    recorded."""
    return get_or_deny(
        grants_for_auditor(user),
        grant_id,
        actor=user,
        action=Action.AUDIT_ACCESS_DENIED,
        target_type="emergencygrant",
    )


def reviews_for_auditor(user: User) -> QuerySet[GrantReview]:
    require_auditor(user)
    return GrantReview.objects.filter(grant__case__organization_id=user.organization_id)
