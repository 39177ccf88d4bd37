"""Every write to support plans and the assistance record (issue 16).

Each function is atomic, takes the acting user as keyword-only ``actor``, checks her
access to the case itself (views check too, but the rule lives here), locks what a race
could spoil, and records its audit event in the same transaction.

Rules kept here and nowhere else:

- the plan's life is the table ``TRANSITIONS``: draft → awaiting approval → approved →
  reviewed … → closed with the case; ``_move`` applies it and writes a ``PlanEvent``;
- a supervisor of the case's team approves, never the person who submitted this version
  or changed its goals or agreement (``approve_plan``);
- a change to her goals or to the agreement is substantial: a plan that was approved
  goes back to draft, as a new version that needs approval again. Actions and their
  progress are the day-to-day work and need no approval;
- before a plan is submitted, how she agreed to it is recorded; a child's plan is agreed
  by her guardian with her own assent;
- a plan in force is reviewed every ``AMPARO_PLAN_REVIEW_MONTHS`` while the case is
  open; closing the case needs its final review (``final_review``, which closes the case
  through ``cases.services.management.close_case``);
- nothing is recorded once her data is shredded (it could not be sealed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as cv
from cases.models import Case
from cases.queries import Access, access_level
from cases.services.management import add_months, close_case
from cases.services.work import people_who_can_work
from plans import vocabularies as pv
from plans.models import AssistanceEntry, Goal, GoalAction, GoalProgress, Plan, PlanEvent, Review
from referrals.models import Referral, ServiceOffering
from vault import services as vault

TEXT_MAX_CHARS = 4_000
NOTE_MAX_CHARS = 20_000
QUANTITY_MAX = 10_000
S = pv.PlanStatus


@dataclass(frozen=True)
class Transition:
    step: pv.PlanStep
    sources: frozenset[str]
    target: str
    action: Action


# The plan's workflow as data: the only moves ``_move`` makes.
TRANSITIONS: dict[pv.PlanStep, Transition] = {
    t.step: t
    for t in (
        Transition(pv.PlanStep.SUBMITTED, frozenset({S.DRAFT}), S.AWAITING_APPROVAL,
                   Action.PLAN_SUBMITTED),
        Transition(pv.PlanStep.APPROVED, frozenset({S.AWAITING_APPROVAL}), S.APPROVED,
                   Action.PLAN_APPROVED),
        Transition(pv.PlanStep.RETURNED, frozenset({S.AWAITING_APPROVAL}), S.DRAFT,
                   Action.PLAN_RETURNED),
        Transition(pv.PlanStep.REVIEWED, frozenset({S.APPROVED, S.REVIEWED}), S.REVIEWED,
                   Action.PLAN_REVIEWED),
        # Any plan that was approved (a changed one waiting for its new approval too):
        # ``final_review`` checks that it was.
        Transition(pv.PlanStep.FINAL_REVIEW,
                   frozenset({S.APPROVED, S.REVIEWED, S.DRAFT, S.AWAITING_APPROVAL}), S.CLOSED,
                   Action.PLAN_CLOSED),
        # A case closed while its plan was never approved (a draft, or waiting).
        Transition(pv.PlanStep.CLOSED_WITH_CASE, frozenset({S.DRAFT, S.AWAITING_APPROVAL}),
                   S.CLOSED, Action.PLAN_CLOSED),
    )
}
# Goal and agreement changes: allowed while the plan is not closed or waiting; a plan
# that was approved goes back to draft as a new version.
CHANGEABLE = frozenset({S.DRAFT, S.APPROVED, S.REVIEWED})
SUBSTANTIAL_STEPS = (pv.PlanStep.STARTED, pv.PlanStep.CHANGED, pv.PlanStep.SUBMITTED)


def SHREDDED_MESSAGE() -> str:
    return _("Her data was shredded: nothing more can be recorded in this case.")


def review_interval_months() -> int:
    return max(1, int(getattr(settings, "AMPARO_PLAN_REVIEW_MONTHS", 1)))


def next_review_after(day: dt.date) -> dt.date:
    return add_months(day, review_interval_months())


# --- access and locks -------------------------------------------------------------------


def _locked_case(actor: User, case: Case, needed: Access) -> Case:
    """The case row, locked, after checking that ``actor`` may do this to it.

    The case lock serialises every write to its plan: two people changing goals at once
    would otherwise both bump the version from the same number.
    """
    case = Case.objects.select_for_update().select_related("survivor", "team").get(pk=case.pk)
    if access_level(actor, case) < needed:
        raise PermissionDenied
    if case.survivor.is_shredded:
        raise ValidationError(SHREDDED_MESSAGE())
    return case


def _locked_plan(actor: User, case: Case, needed: Access = Access.WORK) -> tuple[Case, Plan]:
    case = _locked_case(actor, case, needed)
    plan = Plan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise ValidationError(_("This case has no support plan yet."))
    return case, plan


def _clean(text: str, *, field: str, limit: int = TEXT_MAX_CHARS, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write this before saving.")})
    if len(text) > limit:
        raise ValidationError(
            {field: _("At most %(limit)s characters, please.") % {"limit": f"{limit:,}"}}
        )
    return text


def _choice(value: str, choices: type, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")})
    return value


def _event(plan: Plan, step: pv.PlanStep, *, actor: User | None, from_status: str) -> None:
    PlanEvent.objects.create(plan=plan, step=step, from_status=from_status,
                             to_status=plan.status, version=plan.version, actor=actor)


def _record(action: Action, *, actor: User, case: Case, target: object, purpose: str = "") -> None:
    record_event(action=action, actor=actor, target=target, case_code=case.code, purpose=purpose)


def _move(plan: Plan, step: pv.PlanStep, *, actor: User | None) -> str:
    """Apply one transition of ``TRANSITIONS`` to the locked plan; return the old status."""
    transition = TRANSITIONS[step]
    if plan.status not in transition.sources:
        raise ValidationError(
            _("This plan is now “%(status)s”: it cannot be changed that way. "
              "Nothing was changed.") % {"status": plan.get_status_display()},
            code="state",
        )
    from_status = plan.status
    plan.status = transition.target
    return from_status


def _substantial_change(plan: Plan, *, actor: User) -> None:
    """A change to her goals or the agreement: an approved plan becomes a new draft."""
    if plan.status not in CHANGEABLE:
        raise ValidationError(
            _("This plan is waiting for approval or closed: it cannot be changed now. "
              "Nothing was changed."),
            code="state",
        )
    from_status = plan.status
    if plan.status in pv.IN_FORCE:
        plan.version += 1
        plan.status = S.DRAFT
    plan.save()
    _event(plan, pv.PlanStep.CHANGED, actor=actor, from_status=from_status)


# --- writing the plan -------------------------------------------------------------------


@transaction.atomic
def start_plan(*, actor: User, case: Case) -> Plan:
    """A new draft plan for an open case, or a new version of a closed one's plan."""
    case = _locked_case(actor, case, Access.WORK)
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it to plan her support again."))
    plan = Plan.objects.select_for_update().filter(case=case).first()
    if plan is not None and plan.status != S.CLOSED:
        raise ValidationError(_("This case already has a support plan."))
    if plan is None:
        plan = Plan(case=case, survivor_id=case.survivor_id, written_by=actor)
        from_status = ""
    else:  # the case was reopened: the goals stay, as a new version to agree and approve
        from_status = plan.status
        plan.version += 1
        plan.status = S.DRAFT
        plan.written_by = actor
        plan.closed_on = None
        plan.next_review_on = None
        plan.agreed_on = None
        # The last approval was of the closed plan (its history keeps it): this one needs
        # its own before it is in force, and its own final review.
        plan.approved_at = plan.approved_by = plan.approved_version = None
        for goal in plan.goals.exclude(final_outcome=""):
            goal.final_outcome = ""  # judged at the last closure; the history keeps it
            goal.save(update_fields=["final_outcome"])
    plan.save()
    _event(plan, pv.PlanStep.STARTED, actor=actor, from_status=from_status)
    _record(Action.PLAN_STARTED, actor=actor, case=case, target=plan)
    return plan


@transaction.atomic
def record_agreement(
    *, actor: User, case: Case, agreed_on: dt.date, method: str, agreed_by: str,
    child_assent: bool = False, interpreter_language: str = "", note: str = "",
) -> Plan:
    """How and when she (or, for a child, her guardian with her assent) agreed."""
    case, plan = _locked_plan(actor, case)
    if agreed_on is None or agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The agreement cannot be in the future.")})
    _choice(method, cv.ConsentMethod, field="method")
    _choice(agreed_by, pv.AgreedBy, field="agreed_by")
    if interpreter_language:
        _choice(interpreter_language, cv.Language, field="interpreter_language")
    if case.is_child:
        if agreed_by != pv.AgreedBy.GUARDIAN_WITH_ASSENT:
            raise ValidationError({"agreed_by": _(
                "She may be a child: her guardian agrees to her plan, with her assent."
            )})
        if not child_assent:
            raise ValidationError({"child_assent": _(
                "Record that she gave her own assent: a child's plan needs it."
            )})
    note = _clean(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    plan.agreed_on = agreed_on
    plan.agreement_method = method
    plan.agreed_by = agreed_by
    plan.child_assent = bool(child_assent)
    plan.interpreter_language = interpreter_language
    vault.seal(plan, agreement_note=note or None)
    _substantial_change(plan, actor=actor)
    _record(Action.PLAN_CHANGED, actor=actor, case=case, target=plan, purpose="agreement")
    return plan


@transaction.atomic
def add_goal(*, actor: User, case: Case, area: str, wording: str) -> Goal:
    case, plan = _locked_plan(actor, case)
    _choice(area, pv.Area, field="area")
    wording = _clean(wording, field="wording")
    _substantial_change(plan, actor=actor)
    goal = Goal(plan=plan, survivor_id=case.survivor_id, area=area,
                position=plan.goals.count() + 1)
    vault.seal(goal, wording=wording)
    goal.save()
    _record(Action.PLAN_CHANGED, actor=actor, case=case, target=goal, purpose="goal_added")
    return goal


@transaction.atomic
def change_goal(*, actor: User, case: Case, goal: Goal, area: str, wording: str) -> Goal:
    case, plan = _locked_plan(actor, case)
    goal = plan.goals.filter(pk=goal.pk).first()
    if goal is None:
        raise PermissionDenied
    _choice(area, pv.Area, field="area")
    wording = _clean(wording, field="wording")
    _substantial_change(plan, actor=actor)
    goal.area = area
    vault.seal(goal, wording=wording)
    goal.save(update_fields=["area", "wording"])
    _record(Action.PLAN_CHANGED, actor=actor, case=case, target=goal, purpose="goal_changed")
    return goal


def _check_performer(
    case: Case, *, performer: str, assignee: User | None, referral: Referral | None
) -> None:
    _choice(performer, pv.Performer, field="performer")
    if performer == pv.Performer.COLLEAGUE:
        if assignee is None or not people_who_can_work(case).filter(pk=assignee.pk).exists():
            raise ValidationError({"assignee": _(
                "Choose a colleague who works on this case."
            )})
    elif assignee is not None:
        raise ValidationError({"assignee": _("Name a colleague only when a colleague does it.")})
    if performer == pv.Performer.PROVIDER:
        if referral is None or referral.case_id != case.pk:
            raise ValidationError(
                {"referral": _("Choose the referral of this case it goes through.")}
            )
    elif referral is not None:
        raise ValidationError({"referral": _("Link a referral only when a provider does it.")})


@transaction.atomic
def add_action(
    *, actor: User, case: Case, goal: Goal, description: str, performer: str,
    due_on: dt.date | None = None, assignee: User | None = None,
    referral: Referral | None = None,
) -> GoalAction:
    """One thing to do towards a goal. Not a substantial change: no new approval."""
    case, plan = _locked_plan(actor, case)
    if plan.status == S.CLOSED:
        raise ValidationError(_("This plan is closed. Nothing was changed."), code="state")
    goal = plan.goals.filter(pk=goal.pk).first()
    if goal is None:
        raise PermissionDenied
    description = _clean(description, field="description")
    _check_performer(case, performer=performer, assignee=assignee, referral=referral)
    action = GoalAction(goal=goal, survivor_id=case.survivor_id, performer=performer,
                        assignee=assignee, referral=referral, due_on=due_on)
    vault.seal(action, description=description)
    action.save()
    _record(Action.PLAN_CHANGED, actor=actor, case=case, target=action, purpose="action_added")
    return action


@transaction.atomic
def update_action(
    *, actor: User, case: Case, action: GoalAction, status: str, drop_reason: str = ""
) -> GoalAction:
    """How far an action got; a dropped action says why (a code)."""
    case, plan = _locked_plan(actor, case)
    if plan.status == S.CLOSED:
        raise ValidationError(_("This plan is closed. Nothing was changed."), code="state")
    action = GoalAction.objects.select_for_update().filter(pk=action.pk, goal__plan=plan).first()
    if action is None:
        raise PermissionDenied
    _choice(status, pv.ActionStatus, field="status")
    if status == pv.ActionStatus.DROPPED:
        _choice(drop_reason, pv.DropReason, field="drop_reason")
    elif drop_reason:
        raise ValidationError({"drop_reason": _("A reason is only for a dropped action.")})
    action.status = status
    action.drop_reason = drop_reason
    action.save(update_fields=["status", "drop_reason"])
    _record(Action.PLAN_CHANGED, actor=actor, case=case, target=action, purpose=status)
    return action


# --- approval ---------------------------------------------------------------------------


@transaction.atomic
def submit_plan(*, actor: User, case: Case) -> Plan:
    """Put the plan before the team's supervisors."""
    case, plan = _locked_plan(actor, case)
    if not plan.goals.exists():
        raise ValidationError(_("Write at least one of her goals before submitting the plan."))
    if plan.agreed_on is None:
        raise ValidationError(_("Record how she agreed to the plan before submitting it."))
    if case.is_child and not (
        plan.agreed_by == pv.AgreedBy.GUARDIAN_WITH_ASSENT and plan.child_assent
    ):
        raise ValidationError(_(
            "She may be a child: record her guardian's agreement and her own assent first."
        ))
    from_status = _move(plan, pv.PlanStep.SUBMITTED, actor=actor)
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.save()
    _event(plan, pv.PlanStep.SUBMITTED, actor=actor, from_status=from_status)
    _record(Action.PLAN_SUBMITTED, actor=actor, case=case, target=plan)
    return plan


def wrote_this_version(person: User, plan: Plan) -> bool:
    """Whether ``person`` started, changed or submitted the plan's current version."""
    return plan.events.filter(
        version=plan.version, actor=person, step__in=SUBSTANTIAL_STEPS
    ).exists() or plan.submitted_by_id == person.pk


@transaction.atomic
def approve_plan(*, actor: User, case: Case) -> Plan:
    """A supervisor of the team approves; never whoever wrote this version."""
    case, plan = _locked_plan(actor, case, Access.SUPERVISE)
    if wrote_this_version(actor, plan):
        raise PermissionDenied(_(
            "You wrote or submitted this plan: another supervisor of the team must approve it."
        ))
    from_status = _move(plan, pv.PlanStep.APPROVED, actor=actor)
    today = timezone.localdate()
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.approved_version = plan.version
    plan.next_review_on = next_review_after(today)
    plan.save()
    _event(plan, pv.PlanStep.APPROVED, actor=actor, from_status=from_status)
    _record(Action.PLAN_APPROVED, actor=actor, case=case, target=plan)
    return plan


@transaction.atomic
def return_plan(*, actor: User, case: Case) -> Plan:
    """A supervisor sends the plan back to the caseworker as a draft."""
    case, plan = _locked_plan(actor, case, Access.SUPERVISE)
    if wrote_this_version(actor, plan):
        raise PermissionDenied(_(
            "You wrote or submitted this plan: another supervisor of the team must decide."
        ))
    from_status = _move(plan, pv.PlanStep.RETURNED, actor=actor)
    plan.save()
    _event(plan, pv.PlanStep.RETURNED, actor=actor, from_status=from_status)
    _record(Action.PLAN_RETURNED, actor=actor, case=case, target=plan)
    return plan


# --- reviews ----------------------------------------------------------------------------


def _ratings(plan: Plan, ratings: Mapping[object, str], choices: type) -> list[tuple[Goal, str]]:
    goals = list(plan.goals.all())
    by_id = {str(key): value for key, value in ratings.items()}
    found = []
    for goal in goals:
        rating = by_id.get(str(goal.pk), "")
        if rating not in choices.values:
            raise ValidationError({"progress": _("Say how far each goal got.")})
        found.append((goal, rating))
    unknown = set(by_id) - {str(goal.pk) for goal in goals}
    if unknown:
        raise ValidationError({"progress": _("Rate only the goals of this plan.")})
    return found


@transaction.atomic
def review_plan(
    *, actor: User, case: Case, progress: Mapping[object, str], note: str = ""
) -> Review:
    """The periodic review: a note and progress per goal; the next review is set."""
    case, plan = _locked_plan(actor, case)
    if case.is_closed:
        raise ValidationError(_("The case is closed: its plan had its final review."))
    if not plan.was_approved or plan.status in (S.CLOSED, S.AWAITING_APPROVAL):
        raise ValidationError(
            _("Only an approved plan is reviewed. Nothing was changed."), code="state"
        )
    rated = _ratings(plan, progress, pv.Progress)
    note = _clean(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    today = timezone.localdate()
    review = Review(plan=plan, survivor_id=case.survivor_id, kind=pv.ReviewKind.PERIODIC,
                    plan_version=plan.version, reviewed_on=today, reviewed_by=actor)
    vault.seal(review, note=note or None)
    review.save()
    for goal, rating in rated:
        GoalProgress.objects.create(review=review, goal=goal, rating=rating)
    from_status = plan.status
    if plan.status in pv.IN_FORCE:
        _move(plan, pv.PlanStep.REVIEWED, actor=actor)
    # A changed plan waiting for its new approval is still reviewed on time: the status
    # stays draft so that the change still needs approval.
    plan.last_reviewed_on = today
    plan.next_review_on = next_review_after(today)
    plan.save()
    _event(plan, pv.PlanStep.REVIEWED, actor=actor, from_status=from_status)
    _record(Action.PLAN_REVIEWED, actor=actor, case=case, target=review)
    return review


@transaction.atomic
def final_review(
    *, actor: User, case: Case, outcomes: Mapping[object, str], status: str,
    closure_reason: str, note: str = "", check_ins: Iterable[dt.date] = (),
    confirm_open_work: bool = False,
) -> Review:
    """The final review closes the plan and then the case, in one transaction.

    Each goal is met, partly met or not met; the closure reason and the re-trafficking
    check-ins are those of ``close_case``, which runs here and refuses as it always does.
    """
    case, plan = _locked_plan(actor, case, Access.MANAGE)
    if not plan.was_approved or plan.status == S.CLOSED:
        raise ValidationError(
            _("Only a plan in force has a final review; close the case itself instead."),
            code="state",
        )
    rated = _ratings(plan, outcomes, pv.FinalOutcome)
    note = _clean(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    if closure_reason not in cv.ClosureReason.values:
        raise ValidationError({"closure_reason": _("Choose a reason for closing the case.")})
    today = timezone.localdate()
    review = Review(plan=plan, survivor_id=case.survivor_id, kind=pv.ReviewKind.FINAL,
                    plan_version=plan.version, reviewed_on=today, reviewed_by=actor,
                    closure_reason=closure_reason)
    vault.seal(review, note=note or None)
    review.save()
    for goal, rating in rated:
        GoalProgress.objects.create(review=review, goal=goal, rating=rating)
        goal.final_outcome = rating
        goal.save(update_fields=["final_outcome"])
    from_status = _move(plan, pv.PlanStep.FINAL_REVIEW, actor=actor)
    plan.last_reviewed_on = today
    plan.next_review_on = None
    plan.closed_on = today
    plan.save()
    _event(plan, pv.PlanStep.FINAL_REVIEW, actor=actor, from_status=from_status)
    # The case closes in this same transaction; its event (CASE_CLOSED, with the reason)
    # is this request's one event, and the PlanEvent row above says who reviewed. The
    # hook's receiver sees the plan closed and lets the closure through.
    close_case(actor=actor, case=case, status=status, reason=closure_reason, check_ins=check_ins,
               confirm_open_work=confirm_open_work)
    return review


def close_plan_with_case(*, case: Case, actor: User) -> None:
    """``cases.hooks.case_closing``: a plan in force needs its final review first; a plan
    that was never approved closes with the case."""
    plan = Plan.objects.select_for_update().filter(case=case).first()
    if plan is None or plan.status == S.CLOSED:
        return
    if plan.was_approved:  # in force, or changed since and waiting: it had its goals agreed
        raise ValidationError(_(
            "Her support plan is in force: record its final review (goals met, partly met "
            "or not met) from the plan page, which closes the case."
        ))
    from_status = _move(plan, pv.PlanStep.CLOSED_WITH_CASE, actor=actor)
    plan.closed_on = timezone.localdate()
    plan.next_review_on = None
    plan.save()
    _event(plan, pv.PlanStep.CLOSED_WITH_CASE, actor=actor, from_status=from_status)
    # Part of the case's closure, whose own event records it: no second event.


# --- the copy for her -------------------------------------------------------------------


def record_print(*, actor: User, case: Case, plan: Plan, parts: Iterable[str]) -> None:
    """Printing her copy is a look at her plan: one event naming what it showed."""
    if access_level(actor, case) < Access.WORK:
        raise PermissionDenied
    shown = sorted(set(parts) & set(pv.PrintPart.values))
    record_event(action=Action.PLAN_PRINTED, actor=actor, target=plan, case_code=case.code,
                 purpose=",".join(shown)[:64])


# --- the assistance record --------------------------------------------------------------


def _check_assistance(
    case: Case, *, category: str, started_on: dt.date, ended_on: dt.date | None,
    quantity: int | None, unit: str, goal_action: GoalAction | None,
) -> None:
    _choice(category, pv.Area, field="category")
    if started_on is None:
        raise ValidationError({"started_on": _("Give the date she received it.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("Record assistance once she has received it.")})
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": _("The end cannot come before the start.")})
    if quantity is not None and not 0 < quantity <= QUANTITY_MAX:
        raise ValidationError({"quantity": _("Give a quantity between 1 and 10,000.")})
    if (quantity is None) != (not unit):
        raise ValidationError({"unit": _("Give the quantity and what it counts together.")})
    if unit:
        _choice(unit, pv.Unit, field="unit")
    if goal_action is not None and goal_action.goal.plan.case_id != case.pk:
        raise ValidationError({"goal_action": _("Choose an action of this case's plan.")})


def _check_provider(case: Case, provider: Organization) -> None:
    """Her own organisation, or a provider of the network's directory: never an
    organisation the statistics would wrongly credit."""
    if provider is None or not (
        provider.pk == case.organization_id
        or ServiceOffering.objects.filter(organization=provider).exists()
    ):
        raise ValidationError(
            {"provider": _("Choose her organisation or a provider of the network.")}
        )


@transaction.atomic
def record_assistance(
    *, actor: User, case: Case, category: str, started_on: dt.date, provider: Organization,
    ended_on: dt.date | None = None, quantity: int | None = None, unit: str = "",
    goal_action: GoalAction | None = None, note: str = "",
) -> AssistanceEntry:
    """A service she received from the team's own organisation or a partner."""
    case = _locked_case(actor, case, Access.WORK)
    _check_assistance(case, category=category, started_on=started_on, ended_on=ended_on,
                      quantity=quantity, unit=unit, goal_action=goal_action)
    _check_provider(case, provider)
    note = _clean(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    entry = AssistanceEntry(
        case=case, survivor_id=case.survivor_id, category=category, started_on=started_on,
        ended_on=ended_on, quantity=quantity, unit=unit, provider=provider,
        goal_action=goal_action, source=pv.AssistanceSource.RECORDED,
        status=pv.AssistanceStatus.CONFIRMED, recorded_by=actor, confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
    vault.seal(entry, note=note or None)
    entry.save()
    _record(Action.ASSISTANCE_RECORDED, actor=actor, case=case, target=entry, purpose=category)
    return entry


@transaction.atomic
def confirm_assistance(
    *, actor: User, case: Case, entry: AssistanceEntry, category: str,
    started_on: dt.date, ended_on: dt.date | None = None, quantity: int | None = None,
    unit: str = "", goal_action: GoalAction | None = None, note: str = "",
) -> AssistanceEntry:
    """The caseworker confirms an entry a completed referral made, or corrects it."""
    case = _locked_case(actor, case, Access.WORK)
    entry = AssistanceEntry.objects.select_for_update().filter(pk=entry.pk, case=case).first()
    if entry is None:
        raise PermissionDenied
    if entry.status != pv.AssistanceStatus.TO_CONFIRM:
        raise ValidationError(_("This entry was confirmed already. Nothing was changed."),
                              code="state")
    _check_assistance(case, category=category, started_on=started_on, ended_on=ended_on,
                      quantity=quantity, unit=unit, goal_action=goal_action)
    note = _clean(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    changed = (
        (category, started_on, ended_on, quantity, unit, goal_action and goal_action.pk)
        != (entry.category, entry.started_on, entry.ended_on, entry.quantity, entry.unit,
            entry.goal_action_id)
    )
    entry.category, entry.started_on, entry.ended_on = category, started_on, ended_on
    entry.quantity, entry.unit, entry.goal_action = quantity, unit, goal_action
    if note:
        vault.seal(entry, note=note)
    entry.status = pv.AssistanceStatus.CORRECTED if changed else pv.AssistanceStatus.CONFIRMED
    entry.confirmed_by = actor
    entry.confirmed_at = timezone.now()
    entry.save()
    _record(Action.ASSISTANCE_CONFIRMED, actor=actor, case=case, target=entry,
            purpose=entry.status)
    return entry


def record_assistance_from_referral(*, referral: Referral, actor: User) -> AssistanceEntry | None:
    """``referrals.hooks.referral_completed``: the partner's completion becomes an entry
    to confirm, in the completion's transaction; the referral's action is marked done
    when the partner says the service was provided."""
    from referrals import vocabularies as rv

    if AssistanceEntry.objects.filter(referral=referral).exists():
        return None
    answered = referral.answered_at or referral.sent_at or referral.completed_at
    completed = referral.completed_at or timezone.now()
    action = (
        GoalAction.objects.select_for_update()
        .filter(referral=referral, goal__plan__case_id=referral.case_id)
        .first()
    )
    entry = AssistanceEntry(
        case_id=referral.case_id, survivor_id=referral.survivor_id,
        category=pv.AREA_OF_SERVICE_TYPE.get(referral.offering.service_type, pv.Area.OTHER),
        started_on=timezone.localdate(answered), ended_on=timezone.localdate(completed),
        provider_id=referral.provider_id, referral=referral, goal_action=action,
        source=pv.AssistanceSource.REFERRAL, partner_outcome=referral.outcome,
        status=pv.AssistanceStatus.TO_CONFIRM, recorded_by=actor,
    )
    entry.save()
    if action is not None and referral.outcome == rv.CompletionOutcome.SERVICE_PROVIDED and (
        action.status in (pv.ActionStatus.PLANNED, pv.ActionStatus.IN_PROGRESS)
    ):
        action.status = pv.ActionStatus.DONE
        action.save(update_fields=["status"])
    # The completion's own event (REFERRAL_COMPLETED) records this request.
    return entry
