"""Working a case: notes, follow-ups, risk and safety plan.

Every function here is one write: atomic, with a keyword-only ``actor``, checking access
itself (``cases.services.access``), and recording its audit event in the same
transaction. Views fetch the case through ``cases.queries.get_case_for_user`` first; the
check here is the server's own, so that a caller that forgets cannot write. Nothing more
is recorded once her data has been shredded (it could not be sealed).

The rest of case work has a module each: ``consent``, ``links`` (linked cases) and
``attachments`` (file typing in ``cases.filetypes``). Their functions stay importable
from here under the names callers used before the split (see ``__all__``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as v
from cases.filetypes import attachment_max_bytes, check_upload
from cases.models import (
    Case,
    CaseUserObjectPermission,
    FollowUp,
    Note,
    RiskAssessment,
)
from cases.services.access import SHREDDED_MESSAGE, locked_case_for_work
from cases.services.attachments import add_attachment, open_attachment
from cases.services.consent import allowed_givers, record_consent, withdraw_consent
from cases.services.links import (
    LABEL_MAX_CHARS,
    add_to_link_group,
    create_link_group,
    joinable_link_groups,
    open_group_label,
)
from vault import services as vault

NOTE_MAX_CHARS = 20_000


# --- who works the case ---------------------------------------------------------------


def people_who_can_work(case: Case) -> QuerySet[User]:
    """Active colleagues with WORK access to the case: follow-ups may be assigned to them.

    The same rules as ``cases.queries.access_level`` at ``Access.WORK`` or above: the
    owner, the team's supervisors, colleagues with a change share (an emergency grant is
    for reading only).
    """
    shared = CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename="change_case"
    ).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            organization_id=case.organization_id,
            role__in=(Role.CASEWORKER, Role.SUPERVISOR),
        )
        .filter(
            Q(pk=case.owner_id)
            | Q(supervised_teams=case.team_id, role=Role.SUPERVISOR)
            | Q(pk__in=shared)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- notes ----------------------------------------------------------------------------


@transaction.atomic
def add_note(*, actor: User, case: Case, body: str) -> Note:
    case = locked_case_for_work(actor, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note before saving it.")})
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError({"body": _("A note may be at most 20,000 characters long.")})
    note = Note(case=case, survivor_id=case.survivor_id, author=actor)
    vault.seal(note, body=body)
    note.save()
    record_event(action=Action.NOTE_ADDED, actor=actor, target=note, case_code=case.code)
    return note


# --- follow-ups -----------------------------------------------------------------------


@transaction.atomic
def add_follow_up(
    *, actor: User, case: Case, kind: str, due_on: date, assignee: User
) -> FollowUp:
    case = locked_case_for_work(actor, case)
    errors = {}
    if kind not in v.FollowUpKind.values:
        errors["kind"] = _("Choose what kind of follow-up this is.")
    if due_on is None:
        errors["due_on"] = _("Give the date it is due.")
    if assignee is None or not people_who_can_work(case).filter(pk=assignee.pk).exists():
        errors["assignee"] = _("Choose someone who works on this case.")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(
        case=case, survivor_id=case.survivor_id, kind=kind, due_on=due_on, assignee=assignee,
        created_by=actor,
    )
    follow_up.save()
    record_event(action=Action.FOLLOW_UP_ADDED, actor=actor, target=follow_up, case_code=case.code)
    return follow_up


@transaction.atomic
def complete_follow_up(
    *, actor: User, case: Case, follow_up: FollowUp, outcome: str, note: str = ""
) -> FollowUp:
    case = locked_case_for_work(actor, case)
    # Locked so that two people closing the same follow-up do not both record an outcome.
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk, case=case)
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up was already marked as done."))
    if outcome not in v.FollowUpOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError({"note": _("A note may be at most 20,000 characters long.")})
    follow_up.done_at = timezone.now()
    follow_up.outcome = outcome
    vault.seal(follow_up, outcome_note=note or None)
    follow_up.save(update_fields=["done_at", "outcome", "outcome_note"])
    record_event(action=Action.FOLLOW_UP_DONE, actor=actor, target=follow_up, case_code=case.code)
    return follow_up


# --- risk and safety ------------------------------------------------------------------


@transaction.atomic
def record_risk_assessment(
    *,
    actor: User,
    case: Case,
    assessed_on: date,
    level: str,
    factors: list[str],
    notes: str = "",
    next_review_on: date | None = None,
) -> RiskAssessment:
    """Record a dated assessment; the case then shows the level of the latest one.

    "Latest" is by assessment date, so an assessment written up late for an earlier day
    does not replace a newer one.
    """
    case = locked_case_for_work(actor, case)
    errors = {}
    today = timezone.localdate()
    if assessed_on is None or assessed_on > today:
        errors["assessed_on"] = _("The assessment date cannot be in the future.")
    if level not in v.RiskLevel.values:
        errors["level"] = _("Choose a risk level.")
    unknown = set(factors) - set(v.RiskFactor.values)
    if unknown:
        errors["factors"] = _("Choose risk factors from the list.")
    if next_review_on is not None and assessed_on is not None and next_review_on < assessed_on:
        errors["next_review_on"] = _("The next review cannot be before the assessment.")
    if errors:
        raise ValidationError(errors)
    assessment = RiskAssessment(
        case=case, survivor_id=case.survivor_id, assessed_on=assessed_on, level=level,
        factors=[f for f in v.RiskFactor.values if f in factors], next_review_on=next_review_on,
        assessed_by=actor,
    )
    vault.seal(assessment, notes=(notes or "").strip() or None)
    assessment.save()
    latest = case.risk_assessments.order_by("-assessed_on", "-recorded_at").first()
    case.risk_level = latest.level
    case.next_risk_review_on = latest.next_review_on
    case.save(update_fields=["risk_level", "next_risk_review_on", "updated_at"])
    record_event(action=Action.RISK_ASSESSED, actor=actor, target=assessment, case_code=case.code)
    return assessment


@transaction.atomic
def update_safety_plan(*, actor: User, case: Case, plan: str) -> Case:
    case = locked_case_for_work(actor, case)
    plan = (plan or "").strip()
    if len(plan) > NOTE_MAX_CHARS:
        raise ValidationError({"plan": _("The safety plan may be at most 20,000 characters long.")})
    vault.seal(case, safety_plan=plan or None)
    case.save(update_fields=["safety_plan", "updated_at"])
    record_event(action=Action.SAFETY_PLAN_UPDATED, actor=actor, target=case, case_code=case.code)
    return case


__all__ = [
    # this module's own
    "NOTE_MAX_CHARS", "add_follow_up", "add_note", "complete_follow_up", "people_who_can_work",
    "record_risk_assessment", "update_safety_plan",
    # from the modules split off (callers written before the split use these names)
    "LABEL_MAX_CHARS", "SHREDDED_MESSAGE", "add_attachment", "add_to_link_group",
    "allowed_givers", "attachment_max_bytes", "check_upload", "create_link_group",
    "joinable_link_groups", "open_attachment", "open_group_label", "record_consent",
    "withdraw_consent",
]
