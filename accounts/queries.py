"""Reads of people and teams, always scoped to the person asking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Organization, Role, Team, User
from audit.denials import get_or_deny
from audit.models import Action, Outcome
from audit.services import record_event


def _require_org_admin(user: User) -> None:
    if not user.has_role(Role.ORG_ADMIN):
        record_event(action=Action.USER_MANAGEMENT_DENIED, actor=user, outcome=Outcome.DENIED)
        raise PermissionDenied


def manageable_users(admin: User) -> QuerySet[User]:
    """The users of the admin's own organisation; nobody else's."""
    _require_org_admin(admin)
    return (
        User.objects.filter(organization_id=admin.organization_id, is_superuser=False)
        .prefetch_related("teams", "supervised_teams")
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def get_manageable_user(admin: User, pk: int) -> User:
    """404 for a user of another organisation, 403 for someone who is not an org admin;
    both recorded."""
    return get_or_deny(
        manageable_users(admin),
        pk,
        actor=admin,
        action=Action.USER_MANAGEMENT_DENIED,
        target_type="user",
    )


def own_organization(admin: User) -> Organization:
    """The org admin's own organisation, for its settings; 403 (recorded) for anyone else."""
    _require_org_admin(admin)
    return Organization.objects.get(pk=admin.organization_id)


def manageable_teams(admin: User) -> QuerySet[Team]:
    _require_org_admin(admin)
    return (
        Team.objects.filter(organization_id=admin.organization_id)
        .prefetch_related("members", "supervisors")
        .order_by("name")
    )


def get_manageable_team(admin: User, pk: int) -> Team:
    """404 for a team of another organisation, 403 for someone who is not an org admin;
    both recorded."""
    return get_or_deny(
        manageable_teams(admin),
        pk,
        actor=admin,
        action=Action.USER_MANAGEMENT_DENIED,
        target_type="team",
    )
