"""Managing a case: assign, share, close and reopen; emergency access; shredding.

Rules kept here (the views only show what these allow):

- Assigning and reassigning is for supervisors of the case's team. The new caseworker
  belongs to that team or to another team the same supervisor leads; in the second case
  the case moves team. Open follow-ups of the previous caseworker on the case move with it.
- Sharing is for the owner and the team's supervisors: with a colleague of the same
  organisation who works cases, read-only (``view_case``) or to work (``change_case``).
- Closing and reopening is for the owner and the team's supervisors, with a coded
  reason. Closing schedules re-trafficking check-ins over the next 24 months.
- Emergency access: a caseworker or supervisor confirms her password and states a
  reason (sealed with the survivor's key); she may then read the case (never act on it) for
  ``AMPARO_EMERGENCY_GRANT_MINUTES``, and the team's supervisors are told.
- Shredding takes two people: a supervisor of the case's team asks, an org admin of the
  same organisation (never the person who asked) confirms. Then the survivor's data key
  is destroyed and nothing of hers opens again; the case keeps its code and coded fields.

Mails name the case by code and carry a link; never survivor content. They are sent on
commit and a failure to send never undoes the change it reports.
"""

from __future__ import annotations

import calendar
import enum
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Role, Team, User
from audit.models import AccessEvent, Action, Outcome
from audit.services import record_event
from cases import hooks
from cases import vocabularies as v
from cases.models import (
    Case,
    CaseLink,
    CaseUserObjectPermission,
    Consent,
    EmergencyGrant,
    FollowUp,
    ShredRequest,
    Survivor,
    SurvivorDocument,
)
from cases.queries import CASE_ROLES, Access, access_level
from cases.services.access import SHREDDED_MESSAGE
from vault import services as vault

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "view_case"
CHANGE_PERMISSION = "change_case"
# Months after closure at which a re-trafficking check-in is proposed (DOMAIN.md: the
# risk is highest in the two years after she leaves).
CHECK_IN_MONTHS = (1, 3, 6, 9, 12, 18, 24)
# Check-ins may be moved, but not past this many months after closure.
CHECK_IN_LIMIT_MONTHS = 36
# Wrong passwords at the emergency access form before it refuses for an hour.
EMERGENCY_PASSWORD_ATTEMPTS = 5


def _require(actor: User, case: Case, needed: Access) -> Access:
    level = access_level(actor, case)
    if level < needed:
        raise PermissionDenied
    return level


def _locked_case(case: Case) -> Case:
    # of=("self",): lock the case row only, not its team's (other cases of the team go on).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("survivor", "team")
        .get(pk=case.pk)
    )


# --- mail ----------------------------------------------------------------------------


def _link(url_name: str, **kwargs: object) -> str:
    return f"{settings.AMPARO_SITE_URL.rstrip('/')}{reverse(url_name, kwargs=kwargs)}"


def _mail_on_commit(*, kind: str, case_code: str, recipients: Iterable[str], subject: str,
                    body: str) -> None:
    """Send a short notice after the change commits; a failed send is logged, never raised.

    ``subject`` and ``body`` hold a case code, staff names, times and links only.
    """
    addresses = sorted({address for address in recipients if address})
    if not addresses:
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, addresses, fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any mail failure must not break the change
            logger.warning(
                "cases: %s mail for case %s not sent (%s)", kind, case_code, type(error).__name__
            )

    transaction.on_commit(send)


def _in_site_language() -> translation.override:
    # Mail goes to colleagues whose language is not known here: use the site's language.
    return translation.override(settings.LANGUAGE_CODE)


# --- assign --------------------------------------------------------------------------


def assignable_teams(actor: User) -> list[tuple[Team, list[User]]]:
    """Teams a supervisor leads, each with the people a case of it may be assigned to."""
    teams = (
        actor.supervised_teams.filter(organization_id=actor.organization_id)
        .prefetch_related("members")
        .order_by("name")
    )
    return [
        (team, sorted(
            (person for person in team.members.all()
             if person.is_active and person.role in CASE_ROLES),
            key=lambda person: (person.display_name.casefold(), person.pk),
        ))
        for team in teams
    ]


@transaction.atomic
def assign_case(*, actor: User, case: Case, owner: User, team: Team | None = None) -> Case:
    """Give the case to ``owner`` (in ``team``, by default the case's own team)."""
    # Locked: two supervisors reassigning at once must not interleave owner and team.
    case = _locked_case(case)
    _require(actor, case, Access.SUPERVISE)
    refuse_if_shredded(case)
    team = team or case.team
    if team.organization_id != actor.organization_id or not actor.supervised_teams.filter(
        pk=team.pk
    ).exists():
        raise PermissionDenied
    if not (
        owner.is_active
        and owner.organization_id == actor.organization_id
        and owner.role in CASE_ROLES
        and team.members.filter(pk=owner.pk).exists()
    ):
        raise ValidationError(_("Choose a caseworker of one of your teams."))
    if owner.pk == case.owner_id and team.pk == case.team_id:
        raise ValidationError(_("The case is already assigned to this person in this team."))
    previous_owner_id = case.owner_id
    moved_team = team.pk != case.team_id
    case.owner = owner
    case.team = team
    case.save(update_fields=["owner", "team", "updated_at"])
    # Her open follow-ups on this case go to the new caseworker, who can see the case.
    for follow_up in FollowUp.objects.filter(
        case=case, assignee_id=previous_owner_id, done_at__isnull=True
    ):
        follow_up.assignee = owner
        follow_up.save(update_fields=["assignee"])
    record_event(
        action=Action.CASE_ASSIGNED, actor=actor, target=case, case_code=case.code,
        purpose="moved_team" if moved_team else "reassigned",
    )
    if owner.pk != actor.pk:
        with _in_site_language():
            _mail_on_commit(
                kind="assignment", case_code=case.code, recipients=[owner.email],
                subject=_("Case %(code)s is now yours") % {"code": case.code},
                body=_(
                    "%(who)s assigned case %(code)s to you.\n\nOpen it: %(link)s\n"
                ) % {"who": actor.display_name, "code": case.code,
                     "link": _link("cases:case_detail", case_id=case.pk)},
            )
    return case


# --- share ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    colleague: User
    can_work: bool


def case_shares(case: Case) -> list[Share]:
    """Who the case is shared with, and how (for a page that already checked access)."""
    rows = (
        CaseUserObjectPermission.objects.filter(content_object=case)
        .select_related("user", "permission")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    shares: dict[int, Share] = {}
    for row in rows:
        can_work = row.permission.codename == CHANGE_PERMISSION
        current = shares.get(row.user_id)
        shares[row.user_id] = Share(row.user, can_work or bool(current and current.can_work))
    return list(shares.values())


def share_candidates(actor: User, case: Case):
    """Colleagues of the same organisation who work cases, other than the owner and actor."""
    return (
        User.objects.filter(
            organization_id=case.organization_id, is_active=True, role__in=CASE_ROLES
        )
        .exclude(pk__in=[case.owner_id, actor.pk])
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def share_case(*, actor: User, case: Case, colleague: User, can_work: bool) -> None:
    """Share the case read-only, or to work on it; replaces an earlier share."""
    # Locked: a share and an unshare of the same case at once must not leave both rows.
    case = _locked_case(case)
    _require(actor, case, Access.MANAGE)
    refuse_if_shredded(case)
    if not share_candidates(actor, case).filter(pk=colleague.pk).exists():
        raise ValidationError(_("Choose a colleague of your organisation who works on cases."))
    remove_perm(f"cases.{VIEW_PERMISSION}", colleague, case)
    remove_perm(f"cases.{CHANGE_PERMISSION}", colleague, case)
    permission = CHANGE_PERMISSION if can_work else VIEW_PERMISSION
    assign_perm(f"cases.{permission}", colleague, case)
    record_event(
        action=Action.CASE_SHARED, actor=actor, target=colleague, case_code=case.code,
        purpose="work" if can_work else "view",
    )
    with _in_site_language():
        _mail_on_commit(
            kind="share", case_code=case.code, recipients=[colleague.email],
            subject=_("Case %(code)s was shared with you") % {"code": case.code},
            body=_("%(who)s shared case %(code)s with you.\n\nOpen it: %(link)s\n") % {
                "who": actor.display_name, "code": case.code,
                "link": _link("cases:case_detail", case_id=case.pk),
            },
        )


@transaction.atomic
def unshare_case(*, actor: User, case: Case, colleague: User) -> None:
    case = _locked_case(case)
    _require(actor, case, Access.MANAGE)
    shared = CaseUserObjectPermission.objects.filter(content_object=case, user=colleague)
    if not shared.exists():
        raise ValidationError(_("The case is not shared with this person."))
    remove_perm(f"cases.{VIEW_PERMISSION}", colleague, case)
    remove_perm(f"cases.{CHANGE_PERMISSION}", colleague, case)
    record_event(action=Action.CASE_UNSHARED, actor=actor, target=colleague, case_code=case.code)


# --- close and reopen -----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def proposed_check_ins(closed_on: date) -> list[tuple[int, date]]:
    """The re-trafficking check-ins proposed at closure: (months after closure, date)."""
    return [(months, add_months(closed_on, months)) for months in CHECK_IN_MONTHS]


@transaction.atomic
def close_case(
    *, actor: User, case: Case, status: str, reason: str, check_ins: Iterable[date] = (),
    confirm_open_work: bool = False,
) -> Case:
    """Close the case and schedule re-trafficking check-ins for its caseworker.

    Referrals a provider still holds (sent or accepted) refuse the closure with a
    ValidationError keyed ``confirm_open_work`` unless ``confirm_open_work`` is given:
    closing is then her informed choice, and the referrals stay as they are.
    """
    # Locked: closing twice at once would schedule the check-ins twice.
    case = _locked_case(case)
    _require(actor, case, Access.MANAGE)
    refuse_if_shredded(case)
    if case.is_closed:
        raise ValidationError(_("This case is already closed."))
    if status not in (v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED):
        raise ValidationError(_("Choose how the case is closed."))
    if reason not in v.ClosureReason.values:
        raise ValidationError(_("Choose a reason for closing the case."))
    today = timezone.localdate()
    dates = sorted(set(check_ins))
    latest = add_months(today, CHECK_IN_LIMIT_MONTHS)
    if any(day <= today or day > latest for day in dates):
        raise ValidationError(
            _("Check-ins must fall after today and within %(months)s months.")
            % {"months": CHECK_IN_LIMIT_MONTHS}
        )
    hooks.LIVE_WORK_AT_CLOSURE.call(case=case, actor=actor, confirmed=confirm_open_work)
    # Apps above cases act on the closure in this transaction, or refuse it (a support
    # plan in force needs its final review first): cases/hooks.py.
    hooks.CASE_CLOSING.call(case=case, actor=actor)
    case.status = status
    case.closure_reason = reason
    case.closed_on = today
    case.save(update_fields=["status", "closure_reason", "closed_on", "updated_at"])
    for day in dates:  # one by one, so that each check-in gets its history row
        FollowUp(
            case=case, survivor_id=case.survivor_id,
            kind=v.FollowUpKind.RETRAFFICKING_CHECK_IN, due_on=day,
            assignee_id=case.owner_id, created_by=actor,
        ).save()
    record_event(action=Action.CASE_CLOSED, actor=actor, target=case, case_code=case.code,
                 purpose=reason)
    return case


@transaction.atomic
def reopen_case(*, actor: User, case: Case, reason: str) -> Case:
    """Open a closed case again; the reason is a code, kept as the event's purpose."""
    case = _locked_case(case)
    _require(actor, case, Access.MANAGE)
    refuse_if_shredded(case)
    if not case.is_closed:
        raise ValidationError(_("This case is not closed."))
    if reason not in v.ReopenReason.values:
        raise ValidationError(_("Choose why the case is opened again."))
    case.status = v.CaseStatus.OPEN
    case.closure_reason = ""
    case.closed_on = None
    case.save(update_fields=["status", "closure_reason", "closed_on", "updated_at"])
    # A reopened case is in use again: it leaves the retention queue. Imported here
    # because cases.services.retention builds on this module (add_months, shredding).
    from cases.services.retention import withdraw_open_review

    withdraw_open_review(actor=actor, case=case)
    record_event(action=Action.CASE_REOPENED, actor=actor, target=case, case_code=case.code,
                 purpose=reason)
    return case


# --- emergency access -----------------------------------------------------------------


class EmergencyAnswer(enum.Enum):
    GRANTED = "granted"
    ALREADY_VISIBLE = "already_visible"  # she can see it already: no grant is made
    WRONG_PASSWORD = "wrong_password"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CASE = "no_such_case"  # no such code, or a case of another organisation
    SHREDDED = "shredded"


@dataclass(frozen=True)
class EmergencyOutcome:
    answer: EmergencyAnswer
    case: Case | None = None
    grant: EmergencyGrant | None = None


def grant_minutes() -> int:
    return int(settings.AMPARO_EMERGENCY_GRANT_MINUTES)


def _recent_wrong_passwords(actor: User) -> int:
    return AccessEvent.objects.filter(
        actor=actor, action=Action.EMERGENCY_ACCESS_GRANTED, outcome=Outcome.DENIED,
        purpose__in=[EmergencyAnswer.WRONG_PASSWORD.value, EmergencyAnswer.TOO_MANY_ATTEMPTS.value],
        occurred_at__gte=timezone.now() - timedelta(hours=1),
    ).count()


@transaction.atomic
@sensitive_variables("password", "reason")
def request_emergency_access(
    *, actor: User, code: str, reason: str, password: str
) -> EmergencyOutcome:
    """Break the glass: open a case of her organisation outside her teams, for one hour.

    Refusals are answers, not exceptions, so that the denied event recorded here commits.
    A case of another organisation and a code that does not exist get the same answer.
    ``code`` must already be checked to look like a case code: it goes into the event.
    """
    if not actor.has_role(*CASE_ROLES):
        raise PermissionDenied

    def deny(answer: EmergencyAnswer, case: Case | None = None) -> EmergencyOutcome:
        record_event(
            action=Action.EMERGENCY_ACCESS_GRANTED, actor=actor, outcome=Outcome.DENIED,
            target_type="case", target_id=case.pk if case else "", case_code=code,
            purpose=answer.value,
        )
        return EmergencyOutcome(answer, case if answer != EmergencyAnswer.NO_CASE else None)

    # The password first, so that a wrong one tells nothing about the code.
    if _recent_wrong_passwords(actor) >= EMERGENCY_PASSWORD_ATTEMPTS:
        return deny(EmergencyAnswer.TOO_MANY_ATTEMPTS)
    if not actor.check_password(password):
        return deny(EmergencyAnswer.WRONG_PASSWORD)
    # The one lookup that ignores visibility: finding the case is the point, and the
    # answer below is the same for an unknown code and another organisation's case.
    case = (
        Case.objects.select_related("survivor", "team")
        .filter(organization_id=actor.organization_id, code=code)
        .first()
    )
    if case is None:
        return deny(EmergencyAnswer.NO_CASE)
    if access_level(actor, case) >= Access.VIEW:
        return EmergencyOutcome(EmergencyAnswer.ALREADY_VISIBLE, case)
    if case.survivor.is_shredded:
        return deny(EmergencyAnswer.SHREDDED, case)
    now = timezone.now()
    grant = EmergencyGrant(
        case=case, survivor_id=case.survivor_id, user=actor, granted_at=now,
        expires_at=now + timedelta(minutes=grant_minutes()),
    )
    vault.seal(grant, reason=reason)
    grant.save()
    record_event(
        action=Action.EMERGENCY_ACCESS_GRANTED, actor=actor, target=case, case_code=case.code,
    )
    supervisors = case.team.supervisors.filter(is_active=True)
    with _in_site_language():
        when = formats.date_format(timezone.localtime(now), "DATETIME_FORMAT")
        _mail_on_commit(
            kind="emergency access", case_code=case.code,
            recipients=[person.email for person in supervisors],
            subject=_("Emergency access to case %(code)s") % {"code": case.code},
            body=_(
                "%(who)s opened case %(code)s of your team with emergency access on %(when)s. "
                "The access lasts %(minutes)s minutes and is listed for the auditors.\n\n"
                "Case: %(link)s\n"
            ) % {"who": actor.display_name, "code": case.code, "when": when,
                 "minutes": grant_minutes(), "link": _link("cases:case_detail", case_id=case.pk)},
        )
    return EmergencyOutcome(EmergencyAnswer.GRANTED, case, grant)


# --- shredding ------------------------------------------------------------------------


def pending_shred_request(case: Case) -> ShredRequest | None:
    return (
        ShredRequest.objects.filter(
            survivor_id=case.survivor_id, status=ShredRequest.Status.PENDING
        )
        .select_related("requested_by")
        .first()
    )


@transaction.atomic
def request_shredding(*, actor: User, case: Case, reason: str) -> ShredRequest:
    """A supervisor of the case's team asks for the survivor's data to be shredded."""
    case = _locked_case(case)
    _require(actor, case, Access.SUPERVISE)
    # Locked: two supervisors asking at once must leave one pending request, not two.
    survivor = Survivor.objects.select_for_update().get(pk=case.survivor_id)
    if survivor.is_shredded:
        raise ValidationError(_("This survivor's data has already been shredded."))
    if reason not in v.ShredReason.values:
        raise ValidationError(_("Choose a reason for shredding."))
    if pending_shred_request(case) is not None:
        raise ValidationError(_("Shredding has already been requested and awaits confirmation."))
    shred_request = ShredRequest.objects.create(
        survivor=survivor, case=case, reason=reason, requested_by=actor
    )
    record_event(action=Action.SHRED_REQUESTED, actor=actor, target=case, case_code=case.code,
                 purpose=reason)
    admins = User.objects.filter(
        organization_id=case.organization_id, role=Role.ORG_ADMIN, is_active=True
    )
    with _in_site_language():
        _mail_on_commit(
            kind="shredding request", case_code=case.code,
            recipients=[person.email for person in admins],
            subject=_("Shredding of case %(code)s awaits your confirmation") % {"code": case.code},
            body=_(
                "%(who)s asked for the data of case %(code)s to be shredded. Another person "
                "must confirm it.\n\nRequests waiting: %(link)s\n"
            ) % {"who": actor.display_name, "code": case.code,
                 "link": _link("cases:shred_requests")},
        )
    return shred_request


def _lock_pending(actor: User, shred_request: ShredRequest) -> ShredRequest:
    # Locked: a confirmation and a cancellation (or two confirmations) at the same moment
    # must not both pass the "pending" check.
    locked = (
        ShredRequest.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=shred_request.pk)
    )
    same_organization = actor.organization_id == locked.case.organization_id
    if not (actor.has_role(Role.ORG_ADMIN) and same_organization):
        raise PermissionDenied
    if locked.status != ShredRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return locked


@transaction.atomic
def confirm_shredding(*, actor: User, shred_request: ShredRequest) -> None:
    """The second person confirms: her data key is destroyed once this commits."""
    shred_request = _lock_pending(actor, shred_request)
    if actor.pk == shred_request.requested_by_id:
        # Two different people, always: nobody shreds a survivor alone.
        raise PermissionDenied
    now = timezone.now()
    survivor = Survivor.objects.select_for_update().get(pk=shred_request.survivor_id)
    _erase_survivor(survivor, now)
    shred_request.status = ShredRequest.Status.CONFIRMED
    shred_request.decided_by = actor
    shred_request.decided_at = now
    shred_request.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        action=Action.SHRED_CONFIRMED, actor=actor, target=shred_request.case,
        case_code=shred_request.case.code, purpose=shred_request.reason,
    )
    _make_inert(survivor, actor=actor, now=now)
    # Her referrals end with her data, in this same transaction (cases.hooks).
    hooks.SHREDDING_CONFIRMED.call(shred_request=shred_request, actor=actor)
    request_id = shred_request.pk

    # After commit, as the vault asks: a failure here leaves data readable, never
    # half-erased, and the request stays waiting for its key (``key_destroyed_at`` empty)
    # until ``finish_shredding`` completes it.
    transaction.on_commit(lambda: _destroy_key_quietly(request_id, actor=actor))


def _erase_survivor(survivor: Survivor, now) -> None:
    """Mark her shredded and drop the blind indexes; the key goes after commit."""
    survivor.shredded_at = now
    # Blind indexes would still confirm a guessed name; nothing may tie her to it now.
    survivor.name_key = None
    survivor.save(update_fields=["shredded_at", "name_key"])
    for document in SurvivorDocument.objects.filter(survivor=survivor):
        document.number_key = None
        document.save(update_fields=["number_key"])


# --- discarding a case registered by mistake ---------------------------------------
# A case that still holds only its start form, registered today, may be discarded by the
# person who registered it, without the two-person shredding: nobody else has seen it and
# nothing was added, so nothing is lost that the two-person rule protects. Anything more
# (an edit, a note, a share, someone else's look) and it takes the shredding.

# What a start form alone leaves in the access log: its registration and its maker's looks.
_START_FORM_ONLY = (Action.CASE_REGISTERED, Action.CASE_VIEWED, Action.CASE_HISTORY_VIEWED,
                    Action.CASE_NAME_REVEALED)


def can_discard(actor: User, case: Case) -> bool:
    """True if ``actor`` registered ``case`` today and it holds only its start form."""
    if case.owner_id != actor.pk or case.survivor.is_shredded:
        return False
    events = AccessEvent.objects.filter(
        organization_id=case.organization_id, case_code=case.code
    )
    registered = events.filter(action=Action.CASE_REGISTERED).order_by("occurred_at").first()
    if registered is None or registered.actor_id != actor.pk:
        return False
    if timezone.localdate(registered.occurred_at) != timezone.localdate():
        return False
    return not events.exclude(action__in=_START_FORM_ONLY, actor=actor).exists()


@transaction.atomic
def discard_new_case(*, actor: User, case: Case) -> Case:
    """Discard a case registered by mistake: her data key is destroyed once this commits
    and the case is closed; only its code and coded fields remain, as after shredding."""
    _require(actor, case, Access.MANAGE)
    case = _locked_case(case)
    if not can_discard(actor, case):
        raise ValidationError(
            _(
                "Only the person who registered a case can discard it, on the day she "
                "registered it, while it holds nothing but its start form. Ask your "
                "supervisor for shredding instead."
            )
        )
    now = timezone.now()
    survivor = Survivor.objects.select_for_update().get(pk=case.survivor_id)
    _erase_survivor(survivor, now)
    _make_inert(survivor, actor=actor, now=now)
    case.status = v.CaseStatus.CLOSED
    case.closed_on = timezone.localdate()
    case.save(update_fields=["status", "closed_on", "updated_at"])
    record_event(
        action=Action.CASE_DISCARDED, actor=actor, target=case, case_code=case.code
    )
    survivor_id = case.survivor_id

    def destroy_key() -> None:
        # No shredding request to keep it pending: a failure is logged without content,
        # and vault_status fails on a shredded owner that still has a key.
        try:
            vault.shred_owner(survivor_id, actor=actor)
        except Exception as error:  # noqa: BLE001 - reported by vault_status until shredded
            logger.error("cases: data key of discarded survivor %s NOT destroyed (%s)",
                         survivor_id, type(error).__name__)

    # After commit, as the vault asks: a failure leaves data readable, never half-erased.
    transaction.on_commit(destroy_key)
    return case


def _make_inert(survivor: Survivor, *, actor: User, now) -> None:
    """Nothing of hers goes on once she is shredded (issue 12, opening 10).

    Her consents end (nothing may rely on them), her open follow-ups are cancelled (they
    leave every home and dashboard, which list only follow-ups not done) and her cases
    leave their link groups (a group's label is about her too). Row by row, so that each
    change keeps its history row.
    """
    for consent in Consent.objects.select_for_update().filter(
        survivor=survivor, withdrawn_at__isnull=True, given=True
    ):
        consent.withdrawn_at = now
        consent.withdrawn_by = actor
        consent.withdrawal_reason = v.ConsentWithdrawalReason.SHREDDED
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    for follow_up in FollowUp.objects.select_for_update().filter(
        survivor=survivor, done_at__isnull=True
    ):
        follow_up.done_at = now
        follow_up.outcome = v.FollowUpOutcome.CANCELLED
        follow_up.save(update_fields=["done_at", "outcome"])
    CaseLink.objects.filter(case__survivor=survivor).delete()


def refuse_if_shredded(case: Case) -> None:
    """Nothing is done to a shredded case: it keeps its code and coded fields, inert."""
    if case.survivor.is_shredded:
        raise ValidationError(SHREDDED_MESSAGE())


def _destroy_key_quietly(request_id, *, actor: User | None) -> None:
    try:
        destroy_shredded_key(request_id, actor=actor)
    except Exception as error:  # noqa: BLE001 - the request stays pending; the worker retries
        # No content in the line: the request id and the error's type only.
        logger.error(
            "cases: data key of shredding request %s NOT destroyed yet (%s); "
            "finish_shredding will retry", request_id, type(error).__name__,
        )


def destroy_shredded_key(request_id, *, actor: User | None = None) -> bool:
    """Destroy the data key of one confirmed request and mark it done.

    The key goes first (its own transaction on the keys database, idempotent: a key
    already gone is fine), then the request is marked; a crash between the two leaves
    the request pending, and the next run finds the key gone and only marks it.
    Returns False if the request was already complete.
    """
    shred_request = ShredRequest.objects.filter(
        pk=request_id, status=ShredRequest.Status.CONFIRMED, key_destroyed_at__isnull=True
    ).first()
    if shred_request is None:
        return False
    vault.shred_owner(shred_request.survivor_id, actor=actor)
    with transaction.atomic():
        # Locked: the worker and the command may both be finishing the same request.
        locked = ShredRequest.objects.select_for_update().get(pk=shred_request.pk)
        if locked.key_destroyed_at is not None:
            return False
        locked.key_destroyed_at = timezone.now()
        # The destruction itself is the vault's event (vault.owner_shredded, durable).
        locked.save(update_fields=["key_destroyed_at"])
    return True


def unfinished_shredding() -> QuerySet[ShredRequest]:
    """Confirmed requests whose data key has not been destroyed yet."""
    return ShredRequest.objects.filter(
        status=ShredRequest.Status.CONFIRMED, key_destroyed_at__isnull=True
    ).order_by("decided_at")


def finish_shredding() -> tuple[int, int]:
    """Destroy every data key still waiting after a confirmed shredding.

    Run by the worker's periodic jobs and by ``manage.py finish_shredding``. Returns
    (completed, still failing); a failure is logged by type and retried on the next run.
    """
    completed = failed = 0
    for request_id in list(unfinished_shredding().values_list("pk", flat=True)):
        try:
            if destroy_shredded_key(request_id):
                completed += 1
        except Exception as error:  # noqa: BLE001 - one failing key must not stop the others
            failed += 1
            logger.error(
                "cases: data key of shredding request %s NOT destroyed (%s)",
                request_id, type(error).__name__,
            )
    return completed, failed


@transaction.atomic
def cancel_shredding(*, actor: User, shred_request: ShredRequest) -> None:
    shred_request = _lock_pending(actor, shred_request)
    shred_request.status = ShredRequest.Status.CANCELLED
    shred_request.decided_by = actor
    shred_request.decided_at = timezone.now()
    shred_request.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        action=Action.SHRED_CANCELLED, actor=actor, target=shred_request.case,
        case_code=shred_request.case.code, purpose=shred_request.reason,
    )
