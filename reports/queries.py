"""Who may read statistics and exports, and over which cases (DESIGN §1, §9).

- Supervisors: the cases of the teams they supervise — figures, the monthly report and
  the organisation's own export.
- Organisation administrators: the cases of their whole organisation, as figures and
  the monthly report only (aggregates: they never read survivor content, so no export).
- Auditors: no figures, but the records of the organisation's exports (who, when, what
  kind, which case codes, the reason given), read through ``exports_for_auditor``.
- Everyone else (caseworkers, auditors, partners): 403, recorded. Nobody ever reaches
  another organisation's cases: every scope starts from the reader's own organisation,
  and a team of another organisation is not among the teams one may choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Role, Team
from audit.denials import get_or_deny
from audit.models import Outcome
from audit.services import record_event
from cases.models import Case
from oversight.queries import require_auditor
from reports.models import ExportRecord

if TYPE_CHECKING:
    from accounts.models import User

STATISTICS_ROLES = (Role.SUPERVISOR, Role.ORG_ADMIN)
EXPORT_ROLES = (Role.SUPERVISOR,)


@dataclass(frozen=True)
class Scope:
    """The cases a reader's figures are drawn from: her organisation, these teams."""

    organization_id: int
    team_ids: tuple[int, ...]

    def cases(self, team_id: int | None = None) -> QuerySet[Case]:
        teams = self.team_ids if team_id is None else [t for t in self.team_ids if t == team_id]
        return Case.objects.filter(organization_id=self.organization_id, team_id__in=teams)


def _refuse(user: User, action: str) -> None:
    record_event(action=action, actor=user, outcome=Outcome.DENIED, target_type="statistics")
    raise PermissionDenied


def reporting_teams(user: User) -> QuerySet[Team]:
    """The teams whose figures this person may read (none for other roles)."""
    if not (user.is_authenticated and user.has_role(*STATISTICS_ROLES)):
        return Team.objects.none()
    teams = Team.objects.filter(organization_id=user.organization_id)
    if user.role == Role.SUPERVISOR:
        teams = teams.filter(supervisors=user)
    return teams.order_by("name")


def statistics_scope(user: User, *, action: str) -> Scope:
    """The scope of a statistics page or report; 403 (recorded) for any other role."""
    if not (user.is_authenticated and user.has_role(*STATISTICS_ROLES)):
        _refuse(user, action)
    return Scope(user.organization_id, tuple(reporting_teams(user).values_list("pk", flat=True)))


def export_scope(user: User, *, action: str) -> Scope:
    """The scope of the organisation's own export: supervisors only (403 for others)."""
    if not (user.is_authenticated and user.has_role(*EXPORT_ROLES)):
        _refuse(user, action)
    return statistics_scope(user, action=action)


def exports_for_auditor(user: User) -> QuerySet[ExportRecord]:
    """The exports of the auditor's organisation, newest first; 403 (recorded) for anyone
    else, as on every auditor's page (``oversight.queries.require_auditor``)."""
    require_auditor(user)
    return ExportRecord.objects.filter(organization_id=user.organization_id).select_related(
        "exported_by", "team"
    ).order_by("-exported_at", "-pk")


def get_export_for_auditor(user: User, export_id: object, *, action: str) -> ExportRecord:
    """One export of the auditor's organisation; another organisation's (or none) is a
    recorded denial and 404, as if it did not exist."""
    return get_or_deny(exports_for_auditor(user), export_id, actor=user, action=action,
                       target_type="exportrecord")
