"""One table from a workflow step to the service that takes it, for every page.

The case side (caseworkers and supervisors) and the partner side (the provider's staff)
both post a step and its form's cleaned data here; which steps a page offers is each
side's forms' business (``referrals.forms``), and whether this person may take it now is
the workflow's (``referrals.workflow``), checked again by the service under a row lock.

The form's fields carry the names of the service's keyword arguments, so the table says
only which of them each step passes. The service is looked up when called, not when the
table is built, so a test (or a later wrapper) that replaces it is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from referrals import services
from referrals.workflow import Step

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Referral


@dataclass(frozen=True)
class StepService:
    service: str  # a function of referrals.services
    fields: tuple[str, ...] = ()  # the form's fields it takes, by the same names


STEP_SERVICES: dict[Step, StepService] = {
    Step.SUBMIT: StepService("submit_referral", ("confirm_without_places",)),
    Step.APPROVE: StepService("approve_referral"),
    Step.RETURN: StepService("return_referral", ("note",)),
    Step.SEND_EMERGENCY: StepService("send_emergency", ("reason", "confirm_without_places")),
    Step.ACCEPT: StepService("accept_referral"),
    Step.DECLINE: StepService("decline_referral", ("reason", "note")),
    Step.COMPLETE: StepService("complete_referral", ("outcome", "note")),
    Step.WITHDRAW: StepService("withdraw_referral", ("reason", "note")),
}


def take_step(
    step: Step,
    *,
    actor: User,
    referral: Referral,
    data: dict[str, Any],
    seen_state: str | None = None,
) -> Referral:
    """Take ``step`` through its service with the fields it needs from ``data``."""
    entry = STEP_SERVICES[step]
    service = getattr(services, entry.service)
    return service(
        actor=actor, referral=referral, seen_state=seen_state,
        **{name: data[name] for name in entry.fields},
    )
