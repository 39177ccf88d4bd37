"""The referral workflow of DESIGN §7 as data, and the one function that applies it.

::

    draft --submit--> submitted --approve--> sent --accept--> accepted --complete--> completed
                          |                    '--decline--> declined
                          '--return--> draft
    draft, submitted, sent, accepted --withdraw--> withdrawn
    draft --send_emergency--> sent      (a supervisor reviews it afterwards)

Who may take a step is named by the person's relation to the referral, never by a check
scattered in a view:

- ``CASE_WORKER``: may work the case (owner, work share, emergency grant, supervisor);
- ``TEAM_SUPERVISOR``: supervises the case's team;
- ``PROVIDER``: partner staff of the organisation the referral is addressed to.

``transition()`` locks the referral's row, checks the table, lets the step's service
change its own fields, then writes the referral event and the audit event in the same
transaction and owes the mails, which leave after commit. Refusals say why: a person who
may never take the step gets ``StepRefused`` (a 403); a step the referral's state no
longer allows (someone else was faster) gets ``StepNotAllowedNow`` and changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit.models import Action
from audit.services import record_event
from cases.models import ShredRequest
from cases.queries import Access, access_level
from referrals.models import Referral, ReferralEvent
from referrals.vocabularies import State

if TYPE_CHECKING:
    from accounts.models import User


class Relation(enum.Enum):
    CASE_WORKER = "case_worker"
    TEAM_SUPERVISOR = "team_supervisor"
    PROVIDER = "provider"


class Step(enum.StrEnum):
    """The steps, by the names URLs and events use."""

    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    SEND_EMERGENCY = "send_emergency"
    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    step: Step
    sources: frozenset[State]
    target: State
    by: frozenset[Relation]
    action: Action
    label: Promise
    # Who may never take it, in her own words when refused.
    refused: Promise
    # The supervisor who approves or returns must not be the one who submitted.
    not_by_submitter: bool = False


_CW, _SUP, _PROV = Relation.CASE_WORKER, Relation.TEAM_SUPERVISOR, Relation.PROVIDER

TRANSITIONS: dict[Step, Transition] = {
    t.step: t
    for t in (
        Transition(
            Step.SUBMIT, frozenset({State.DRAFT}), State.SUBMITTED, frozenset({_CW}),
            Action.REFERRAL_SUBMITTED, _("Submit for approval"),
            _("Only someone who works this case can submit its referrals."),
        ),
        Transition(
            Step.APPROVE, frozenset({State.SUBMITTED}), State.SENT, frozenset({_SUP}),
            Action.REFERRAL_APPROVED, _("Approve and send"),
            _("Only a supervisor of the case's team can approve a referral."),
            not_by_submitter=True,
        ),
        Transition(
            Step.RETURN, frozenset({State.SUBMITTED}), State.DRAFT, frozenset({_SUP}),
            Action.REFERRAL_RETURNED, _("Return to the caseworker"),
            _("Only a supervisor of the case's team can return a referral."),
            not_by_submitter=True,
        ),
        Transition(
            Step.SEND_EMERGENCY, frozenset({State.DRAFT}), State.SENT, frozenset({_CW}),
            Action.REFERRAL_SENT_EMERGENCY, _("Send now as an emergency"),
            _("Only someone who works this case can send its referrals."),
        ),
        Transition(
            Step.ACCEPT, frozenset({State.SENT}), State.ACCEPTED, frozenset({_PROV}),
            Action.REFERRAL_ACCEPTED, _("Accept"),
            _("Only the organisation the referral was sent to can accept it."),
        ),
        Transition(
            Step.DECLINE, frozenset({State.SENT}), State.DECLINED, frozenset({_PROV}),
            Action.REFERRAL_DECLINED, _("Decline"),
            _("Only the organisation the referral was sent to can decline it."),
        ),
        Transition(
            Step.COMPLETE, frozenset({State.ACCEPTED}), State.COMPLETED, frozenset({_PROV, _CW}),
            Action.REFERRAL_COMPLETED, _("Mark as completed"),
            _("Only the provider or someone who works this case can complete a referral."),
        ),
        Transition(
            Step.WITHDRAW,
            frozenset({State.DRAFT, State.SUBMITTED, State.SENT, State.ACCEPTED}),
            State.WITHDRAWN, frozenset({_CW}),
            Action.REFERRAL_WITHDRAWN, _("Withdraw"),
            _("Only someone who works this case can withdraw its referrals."),
        ),
    )
}


class StepRefused(PermissionDenied):
    """This person may never take this step on this referral (answered with 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


class StepNotAllowedNow(ValidationError):
    """The referral's state does not allow the step (any more); nothing was changed."""


def relations(user: User, referral: Referral) -> frozenset[Relation]:
    """How this person stands to the referral; empty for everyone else."""
    found: set[Relation] = set()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.role == Role.PARTNER:
        if user.organization_id == referral.provider_id:
            found.add(Relation.PROVIDER)
        return frozenset(found)
    level = access_level(user, referral.case)
    if level >= Access.WORK:
        found.add(Relation.CASE_WORKER)
    if level >= Access.SUPERVISE:
        found.add(Relation.TEAM_SUPERVISOR)
    return frozenset(found)


def check(user: User, referral: Referral, step: Step,
          held: frozenset[Relation] | None = None) -> Transition:
    """Raise ``StepRefused`` or ``StepNotAllowedNow``; return the transition if allowed."""
    transition = TRANSITIONS[Step(step)]
    held = relations(user, referral) if held is None else held
    if not held & transition.by:
        raise StepRefused(transition.refused)
    if transition.not_by_submitter and referral.submitted_by_id == user.pk:
        raise StepRefused(
            _("You submitted this referral: another supervisor of the team must decide on it.")
        )
    if referral.state not in transition.sources:
        raise StepNotAllowedNow(
            _("This referral is now “%(state)s”: it cannot be changed that way. "
              "Nothing was changed.") % {"state": referral.get_state_display()},
            code="state",
        )
    return transition


def allowed_steps(user: User, referral: Referral) -> list[Transition]:
    """The steps this person may take now: what the page offers, and nothing else."""
    held = relations(user, referral)
    allowed = []
    for step in TRANSITIONS:
        try:
            allowed.append(check(user, referral, step, held))
        except (StepRefused, StepNotAllowedNow):
            continue
    return allowed


def transition(
    referral: Referral,
    step: Step,
    *,
    actor: User,
    reason: str = "",
    seen_state: str | None = None,
    erasure: ShredRequest | None = None,
    apply: Callable[[Referral], None] | None = None,
    notify: Callable[[Referral, str], Iterable[tuple[str, Iterable[User]]]] | None = None,
) -> Referral:
    """Take one step: lock, check, change, record (referral event + audit event), notify.

    ``seen_state`` is the state the person saw when she chose the step (the page posts
    it back): if the referral has moved on since, the step is refused with
    ``StepNotAllowedNow`` even when the table would allow it from the new state.
    ``apply`` makes the step's own changes on the locked row (it may raise
    ``ValidationError``, which undoes everything); ``notify`` names the mails owed as
    ``(kind, recipients)`` pairs, given the locked referral and the state it left.
    """
    from referrals import mail

    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("case", "case__team", "offering", "survivor")
            .get(pk=referral.pk)
        )
        held = None
        if erasure is not None:
            # A confirmed shredding of her data (two people: a supervisor asked, an org
            # admin confirmed) withdraws her referrals on its own authority: the admin
            # who confirms has no other relation to them, and nothing else may use this.
            if not (
                Step(step) == Step.WITHDRAW
                and erasure.status == ShredRequest.Status.CONFIRMED
                and erasure.survivor_id == locked.survivor_id
                and erasure.decided_by_id == actor.pk
            ):
                raise StepRefused(TRANSITIONS[Step(step)].refused)
            held = frozenset({Relation.CASE_WORKER})
        transition_ = check(actor, locked, step, held)
        if seen_state is not None and locked.state != seen_state:
            # Two supervisors approve while the caseworker withdraws: once the approval
            # has committed, the table alone would let the withdrawal through too (sent
            # referrals can be withdrawn), so both would win. A step is meant for the
            # referral as the person saw it; someone was faster, so nothing is done.
            raise StepNotAllowedNow(
                _("Someone changed this referral in the meantime: it is now "
                  "“%(state)s”. Nothing was changed; look at it again.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        from_state = locked.state
        if apply is not None:
            apply(locked)
        locked.state = transition_.target
        locked.save()
        ReferralEvent.objects.create(
            referral=locked, action=transition_.step.value, from_state=from_state,
            to_state=transition_.target, actor=actor, reason=reason,
        )
        record_event(
            action=transition_.action, actor=actor, target=locked,
            case_code=locked.case.code, purpose=reason,
        )
        if notify is not None:
            for kind, recipients in notify(locked, from_state):
                mail.owe(kind, locked, recipients)
    return locked
