"""Every read of cases goes through here, scoped to the person asking (DESIGN §5).

Who may see a case:

- its owner (the caseworker it is assigned to);
- the supervisors of its team;
- colleagues it is shared with (django-guardian ``view_case`` or ``change_case``);
- someone of the same organisation holding a live emergency grant for it.

Nobody else: not teammates, not other organisations, not auditors, partners or org
admins. A case one cannot see answers 404, as if it did not exist; an action one may not
take on a case one can see answers 403. Both are recorded as denied accesses.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts.models import Role, User
from audit.denials import deny_unseen, get_or_deny
from audit.models import Action, Outcome
from audit.services import record_event
from cases import vocabularies as v
from cases.models import (
    Case,
    CaseUserObjectPermission,
    EmergencyGrant,
    FollowUp,
    RetentionReview,
    ShredRequest,
)

if TYPE_CHECKING:
    from accounts.models import User

CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


class Access(enum.IntEnum):
    """What a person may do with a case she can see; each level includes the ones below.

    - ``VIEW``: read the case (colleagues with a view share, a live emergency grant);
    - ``WORK``: record notes, consent, follow-ups, risk, attachments, edit the intake,
      refer (owner, change share, supervisors);
    - ``MANAGE``: share with a colleague, close and reopen (owner and supervisors);
    - ``SUPERVISE``: assign and reassign, request shredding (supervisors of the team).
    """

    NONE = 0
    VIEW = 1
    WORK = 2
    MANAGE = 3
    SUPERVISE = 4


def _shared_with(user: User, codenames: tuple[str, ...]) -> QuerySet:
    return CaseUserObjectPermission.objects.filter(
        user=user, permission__codename__in=codenames, content_object=OuterRef("pk")
    )


def _live_grant(user: User) -> QuerySet:
    return EmergencyGrant.objects.filter(
        user=user, case=OuterRef("pk"), expires_at__gt=timezone.now()
    )


def unindexed(field: str) -> ExpressionWrapper:
    """``field + 0``: the same integer, compared through an expression no index matches,
    so that SQLite (no statistics) reads the index of a narrower condition beside it."""
    return ExpressionWrapper(F(field) + 0, output_field=IntegerField())


def _seen_by(user: User) -> Q:
    """The ways she sees a case of her organisation (the module docstring's list)."""
    return (
        Q(owner=user)
        | Q(team__in=user.supervised_teams.all())
        | Exists(_shared_with(user, ("view_case", "change_case")))
        | Exists(_live_grant(user))
    )


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases this person may see; the only way a view reaches cases."""
    if not (user.is_authenticated and user.has_role(*CASE_ROLES)):
        return Case.objects.none()
    return Case.objects.filter(organization_id=user.organization_id).filter(_seen_by(user))


def visible_cases_by_survivor(user: User) -> QuerySet[Case]:
    """``visible_cases``, the same set, for a caller who narrows it by survivor
    (``survivor_id=…`` or ``survivor_id__in=…``): the few cases of those women are read
    through the survivor index and each is tested for the ways she sees it.

    The organisation is compared as ``organization_id + 0``, an expression no index
    matches: compared plainly, SQLite (no statistics) chose the organisation's index over
    the survivor's and tested every case of the organisation (``bench/case_list.py``, the
    search by name). PostgreSQL, with statistics, picks the survivor index either way.
    """
    if not (user.is_authenticated and user.has_role(*CASE_ROLES)):
        return Case.objects.none()
    return (
        Case.objects.alias(unindexed_organization_id=unindexed("organization_id"))
        .filter(unindexed_organization_id=user.organization_id)
        .filter(_seen_by(user))
    )


def visible_case_paths(user: User) -> list[QuerySet[Case]]:
    """``visible_cases`` as one query per way she sees cases; their union is the same set.

    Each path is a plain filter an index matches (owner, one supervised team, the few
    shared or granted ids), so a page reads its rows in order from each index instead of
    testing the OR/EXISTS of ``visible_cases`` on every case of the organisation. One
    query: the ids of the teams she supervises.
    """
    if not (user.is_authenticated and user.has_role(*CASE_ROLES)):
        return []
    organization_id = user.organization_id
    cases = Case.objects.filter(organization_id=organization_id)
    team_ids = list(user.supervised_teams.values_list("pk", flat=True))
    # The organisation is checked inside these two subqueries, not beside them: next to
    # "id IN (…)" it let SQLite read the organisation's index, every case of it, to find
    # the few shared ones (bench/case_list.py: the page grew with the organisation).
    shared = CaseUserObjectPermission.objects.filter(
        user=user,
        permission__codename__in=("view_case", "change_case"),
        content_object__organization_id=organization_id,
    ).values("content_object_id")
    granted = EmergencyGrant.objects.filter(
        user=user, expires_at__gt=timezone.now(), case__organization_id=organization_id
    ).values("case_id")
    return [
        cases.filter(owner=user),
        *(cases.filter(team_id=team_id) for team_id in team_ids),
        Case.objects.filter(pk__in=shared),
        Case.objects.filter(pk__in=granted),
    ]


def access_level(user: User, case: Case) -> Access:
    """The highest ``Access`` this person has on a case (``NONE`` if she cannot see it)."""
    if not (user.is_authenticated and user.has_role(*CASE_ROLES)):
        return Access.NONE
    if case.organization_id != user.organization_id:
        return Access.NONE
    if user.role == Role.SUPERVISOR and case.team.supervisors.filter(pk=user.pk).exists():
        return Access.SUPERVISE
    if case.owner_id == user.pk:
        return Access.MANAGE
    shares = set(
        CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
            "permission__codename", flat=True
        )
    )
    if "change_case" in shares:
        return Access.WORK
    if "view_case" in shares:
        return Access.VIEW
    # An emergency grant is for reading only: a stolen password plus a plausible reason
    # must not be enough to record a consent and send her name to another organisation
    # with nobody's approval (issue 12, opening 9).
    if EmergencyGrant.objects.filter(user=user, case=case, expires_at__gt=timezone.now()).exists():
        return Access.VIEW
    return Access.NONE


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    level: Access

    def allows(self, needed: Access) -> bool:
        return self.level >= needed


def get_case_for_user(
    user: User,
    case_id: object,
    *,
    needed: Access = Access.VIEW,
    action: str = Action.CASE_VIEWED,
    purpose: str = "",
    record: bool = True,
) -> CaseAccess:
    """The one getter every case-scoped view uses.

    404 for a case this person cannot see, 403 for an action above her access level;
    both leave a denied event. With ``record`` (reading views) it leaves the access event
    for this look at survivor content; writing views pass ``record=False`` because the
    service they call records the write in its own transaction.
    """
    case = (
        Case.objects.select_related("survivor", "team", "owner", "organization")
        .filter(pk=case_id)
        .first()
        if _is_uuid(case_id)
        else None
    )
    level = access_level(user, case) if case is not None else Access.NONE
    if level == Access.NONE:
        # An id that names no case is recorded without it: it may be anything typed.
        deny_unseen(
            actor=user,
            action=action,
            target_type="case",
            target_id=case_id if case is not None else "",
            purpose=purpose,
        )
    if level < needed:
        record_event(
            action=action,
            actor=user,
            outcome=Outcome.DENIED,
            target=case,
            case_code=case.code,
            purpose=purpose,
        )
        raise PermissionDenied
    if record:
        record_event(action=action, actor=user, target=case, case_code=case.code, purpose=purpose)
    return CaseAccess(case=case, level=level)


def as_uuid(value: object) -> uuid.UUID | None:
    """An id from a URL or a form as a UUID, or None for anything that is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _is_uuid(value: object) -> bool:
    return as_uuid(value) is not None


# --- what dashboards read around the visible cases -------------------------------------


def open_follow_ups(cases: QuerySet[Case]) -> QuerySet[FollowUp]:
    """Follow-ups not yet done of ``cases``, which the caller took from ``visible_cases``."""
    return FollowUp.objects.filter(case__in=cases, done_at__isnull=True)


def colleagues_by_id(viewer: User, ids: object) -> dict[int, User]:
    """The people of the viewer's own organisation among ``ids`` (authors of changes,
    owners of cases), to name them on her pages."""
    people = User.objects.filter(organization_id=viewer.organization_id, pk__in=ids)
    return {person.pk: person for person in people}


# --- shredding queue (management) ---------------------------------------------------


def shred_queue(admin: User, *, action: str = Action.SHRED_CONFIRMED) -> QuerySet[ShredRequest]:
    """Shredding requests waiting for an org admin of the same organisation.

    Org admins never read survivor content: the queue names cases by code only. Anyone
    but an org admin gets 403 (recorded).
    """
    if not (admin.is_authenticated and admin.has_role(Role.ORG_ADMIN)):
        record_event(
            action=action, actor=admin, outcome=Outcome.DENIED, target_type="shred_request"
        )
        raise PermissionDenied
    return (
        ShredRequest.objects.filter(
            case__organization_id=admin.organization_id, status=ShredRequest.Status.PENDING
        )
        .select_related("case", "requested_by")
        .order_by("requested_at")
    )


def get_shred_request_for_admin(admin: User, request_id: object, *, action: str) -> ShredRequest:
    """A pending request of the admin's organisation: 404 for any other (recorded)."""
    return get_or_deny(
        shred_queue(admin, action=action),
        request_id if _is_uuid(request_id) else None,
        actor=admin,
        action=action,
        target_type="shred_request",
    )


# --- retention review queue (cases.services.retention) ------------------------------


def retention_queue(user: User) -> QuerySet[RetentionReview]:
    """Open retention reviews of the closed cases of the teams she supervises.

    Supervisors only: anyone else gets 403 (recorded). The queue names cases by code,
    closure and due dates; no survivor content.
    """
    if not (user.is_authenticated and user.has_role(Role.SUPERVISOR)):
        record_event(
            action=Action.CASE_LIST_VIEWED,
            actor=user,
            outcome=Outcome.DENIED,
            target_type="retention_review",
            purpose="retention",
        )
        raise PermissionDenied
    return (
        RetentionReview.objects.filter(
            state=RetentionReview.State.OPEN,
            case__organization_id=user.organization_id,
            case__team__in=user.supervised_teams.all(),
            case__status__in=(v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED),
            case__survivor__shredded_at__isnull=True,
        )
        .select_related("case", "case__team", "case__owner")
        .order_by("due_on", "case__code")
    )


def get_retention_review_for_user(user: User, review_id: object, *, action: str) -> RetentionReview:
    """An open review of a case she supervises: 404 where she cannot see the case, 403
    where she can but may not supervise it (both recorded, as for any case)."""
    review = (
        RetentionReview.objects.filter(pk=review_id).select_related("case").first()
        if _is_uuid(review_id)
        else None
    )
    if review is None:
        deny_unseen(
            actor=user,
            action=action,
            target_type="retention_review",
            target_id="",
            purpose="retention",
        )
    get_case_for_user(
        user,
        review.case_id,
        needed=Access.SUPERVISE,
        action=action,
        purpose="retention",
        record=False,
    )
    return review
