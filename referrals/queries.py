"""Every read of referrals and of the directory, scoped to the person asking.

- Caseworkers and supervisors see the referrals of the cases they can see
  (``cases.queries.visible_cases``), at the access level they have on the case.
- Partners see only their own organisation's inbox: referrals that were sent to it.
  They never reach the case (404), another provider's referrals (404), or a referral
  before it was sent (404).
- Auditors and org admins read no referral at all.

A referral one may not see answers 404 and one may see but not act on answers 403;
both are recorded, like every look at a referral or a packet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from audit.denials import deny_unseen, get_or_deny
from audit.models import Action, Outcome
from audit.services import record_event
from cases.queries import CASE_ROLES, Access, access_level, as_uuid, visible_cases
from referrals import vocabularies as rv
from referrals.models import Referral, ServiceOffering

if TYPE_CHECKING:
    from accounts.models import User

DIRECTORY_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.ORG_ADMIN)


def _base() -> QuerySet[Referral]:
    # The referring organisation and the case's caseworker are named to the partner.
    return Referral.objects.select_related(
        "case", "case__team", "case__organization", "case__owner", "offering", "provider"
    )


# --- the case side ---------------------------------------------------------------------


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals of the cases this person can see (none for other roles)."""
    if not (user.is_authenticated and user.has_role(*CASE_ROLES)):
        return Referral.objects.none()
    return _base().filter(case__in=visible_cases(user))


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    level: Access

    def allows(self, needed: Access) -> bool:
        return self.level >= needed


def get_referral_for_user(
    user: User,
    referral_id: object,
    *,
    needed: Access = Access.VIEW,
    action: str = Action.REFERRAL_VIEWED,
    record: bool = True,
) -> ReferralAccess:
    """The getter of every case-side referral view: 404 unseen, 403 below ``needed``."""
    pk = as_uuid(referral_id)
    referral = _base().filter(pk=pk).first() if pk else None
    level = Access.NONE
    if referral is not None and user.is_authenticated and user.has_role(*CASE_ROLES):
        level = access_level(user, referral.case)
    if level == Access.NONE:
        deny_unseen(actor=user, action=action, target_type="referral", target_id=pk or "")
    if level < needed:
        record_event(action=action, actor=user, outcome=Outcome.DENIED, target=referral,
                     case_code=referral.case.code)
        raise PermissionDenied
    if record:
        record_event(action=action, actor=user, target=referral, case_code=referral.case.code)
    return ReferralAccess(referral=referral, level=level)


def referrals_of_case(case) -> QuerySet[Referral]:
    """For a case page the caller already reached through ``get_case_for_user``."""
    return _base().filter(case=case).order_by("-created_at")


def my_referrals(user: User) -> QuerySet[Referral]:
    """A caseworker's referrals still in motion, and those answered in the last 30 days."""
    recent = timezone.now() - timezone.timedelta(days=30)
    return (
        visible_referrals(user)
        .filter(Q(case__owner=user) | Q(created_by=user) | Q(submitted_by=user))
        .filter(Q(state__in=rv.OPEN_STATES) | Q(updated_at__gte=recent))
        .order_by("due_at", "-created_at")
    )


def _supervised(user: User) -> QuerySet[Referral]:
    if not (user.is_authenticated and user.has_role(Role.SUPERVISOR)):
        return Referral.objects.none()
    return _base().filter(
        case__organization_id=user.organization_id, case__team__in=user.supervised_teams.all()
    )


def awaiting_approval(user: User) -> QuerySet[Referral]:
    return _supervised(user).filter(state=rv.State.SUBMITTED).order_by("submitted_at")


def awaiting_review(user: User) -> QuerySet[Referral]:
    return (
        _supervised(user)
        .filter(emergency=True, sent_at__isnull=False, review_finding="")
        .order_by("sent_at")
    )


def overdue(queryset: QuerySet[Referral], now=None) -> QuerySet[Referral]:
    """Sent and not answered past their deadline."""
    return queryset.filter(state=rv.State.SENT, due_at__lt=now or timezone.now())


def overdue_for_supervisor(user: User) -> QuerySet[Referral]:
    return overdue(_supervised(user)).order_by("due_at")


# --- the partner's inbox ---------------------------------------------------------------


def inbox(user: User, *, action: str = Action.INBOX_VIEWED) -> QuerySet[Referral]:
    """The referrals sent to the partner's organisation; 403 (recorded) for anyone else."""
    if not (user.is_authenticated and user.has_role(Role.PARTNER)):
        record_event(action=action, actor=user, outcome=Outcome.DENIED, target_type="inbox")
        raise PermissionDenied
    return _base().filter(provider_id=user.organization_id, sent_at__isnull=False)


INBOX_FILTERS = {
    "new": lambda qs: qs.filter(state=rv.State.SENT),
    "overdue": overdue,
    "accepted": lambda qs: qs.filter(state=rv.State.ACCEPTED),
    "closed": lambda qs: qs.filter(
        state__in=(rv.State.DECLINED, rv.State.COMPLETED, rv.State.WITHDRAWN)
    ),
}


def inbox_counts(referrals: QuerySet[Referral]) -> dict[str, int]:
    """How many referrals of the inbox each filter holds (no survivor content): the
    partner's home and the inbox's tabs."""
    return {name: filter_(referrals).count() for name, filter_ in INBOX_FILTERS.items()}


def get_packet_for_partner(
    user: User, referral_id: object, *, action: str = Action.PACKET_VIEWED, record: bool = True
) -> Referral:
    """A referral of the partner's inbox; 404 (recorded) for any other."""
    found = get_or_deny(
        inbox(user, action=action),
        as_uuid(referral_id),
        actor=user,
        action=action,
        target_type="referral",
    )
    if record:
        record_event(action=action, actor=user, target=found, case_code=found.case.code)
    return found


# --- the service directory -------------------------------------------------------------


def directory(user: User, *, action: str = Action.DIRECTORY_SEARCHED) -> QuerySet[ServiceOffering]:
    """Services taking referrals, for the people of the network who refer or provide."""
    if not (user.is_authenticated and user.has_role(*DIRECTORY_ROLES)):
        record_event(action=action, actor=user, outcome=Outcome.DENIED, target_type="directory")
        raise PermissionDenied
    return ServiceOffering.objects.filter(active=True).select_related("organization")


def search_directory(
    user: User, *, service_type: str = "", city: str = "", language: str = "",
    children: bool = False,
) -> QuerySet[ServiceOffering]:
    offerings = directory(user)
    if service_type:
        offerings = offerings.filter(service_type=service_type)
    if city:
        offerings = offerings.filter(city__iexact=city.strip())
    if language:
        # JSON "contains" is not portable to SQLite: filter on the encoded list instead.
        offerings = offerings.filter(languages__icontains=f'"{language}"')
    if children:
        offerings = offerings.filter(accepts_children=True)
    return offerings


def referable_offerings(user: User, case) -> QuerySet[ServiceOffering]:
    """Services this case may be referred to (a child's only to those that accept children)."""
    offerings = ServiceOffering.objects.filter(active=True).select_related("organization")
    if case.is_child:
        offerings = offerings.filter(accepts_children=True)
    return offerings


def own_offerings(user: User, *, action: str = Action.SERVICE_SAVED) -> QuerySet[ServiceOffering]:
    """The services of the person's own organisation (org admins and partners)."""
    if not (user.is_authenticated and user.has_role(Role.ORG_ADMIN, Role.PARTNER)):
        record_event(action=action, actor=user, outcome=Outcome.DENIED, target_type="directory")
        raise PermissionDenied
    return ServiceOffering.objects.filter(organization_id=user.organization_id)


def get_own_offering(user: User, offering_id: object, *, action: str) -> ServiceOffering:
    """A service of the person's own organisation; 404 (recorded) for any other."""
    return get_or_deny(
        own_offerings(user, action=action),
        as_uuid(offering_id),
        actor=user,
        action=action,
        target_type="serviceoffering",
    )
