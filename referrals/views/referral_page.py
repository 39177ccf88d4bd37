"""The referral page of the case side: what was asked, the packet (or its preview), what
happened, and only the steps this person may take now.

The referral is reached through ``get_referral_for_user`` (outsiders and partners 404);
the getter records this request's one look. The step forms post to
``referrals.views.steps``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.opening import Opener
from cases.queries import Access
from cases.sections import section_url
from cases.summary import case_summary
from core.labels import label, labels
from referrals import services
from referrals import vocabularies as rv
from referrals.forms import case_side as forms
from referrals.packet import Packet, open_packet, present
from referrals.packet import build as build_packet
from referrals.queries import ReferralAccess, get_referral_for_user
from referrals.workflow import Step, allowed_steps
from vault.exceptions import CannotOpen
from vault.scope import key_scope

# What the timeline says each step did.
DONE_LABELS = {
    Step.SUBMIT: gettext_lazy("Submitted for approval"),
    Step.APPROVE: gettext_lazy("Approved and sent"),
    Step.RETURN: gettext_lazy("Returned to the caseworker"),
    Step.SEND_EMERGENCY: gettext_lazy("Sent as an emergency"),
    Step.ACCEPT: gettext_lazy("Accepted by the provider"),
    Step.DECLINE: gettext_lazy("Declined by the provider"),
    Step.COMPLETE: gettext_lazy("Completed"),
    Step.WITHDRAW: gettext_lazy("Withdrawn"),
}
# The codes a step's event may carry as its reason, by step.
REASON_CHOICES = {
    Step.DECLINE: rv.DeclineReason,
    Step.COMPLETE: rv.CompletionOutcome,
    Step.WITHDRAW: rv.WithdrawReason,
}


def _timeline(referral: Any) -> list[dict[str, Any]]:
    entries = [{
        "at": referral.created_at, "what": _("Draft started"),
        "who": referral.created_by.display_name, "reason": "",
    }]
    for event in referral.events.select_related("actor", "actor__organization"):
        try:
            step = Step(event.action)
        except ValueError:
            step = None
        choices = REASON_CHOICES.get(step)
        reason = label(event.reason, choices) if choices and event.reason else ""
        who = ""
        if event.actor is not None:
            who = event.actor.display_name
            if event.actor.organization_id != referral.case.organization_id:
                who = f"{who} ({event.actor.organization})"
        entries.append({
            "at": event.at, "what": DONE_LABELS.get(step, event.action), "who": who,
            "reason": reason,
        })
    if referral.reviewed_at:
        entries.append({
            "at": referral.reviewed_at,
            "what": _("Emergency send reviewed: %(finding)s")
            % {"finding": referral.get_review_finding_display()},
            "who": referral.reviewed_by.display_name if referral.reviewed_by else "", "reason": "",
        })
    entries.sort(key=lambda entry: entry["at"])
    return entries


def _may_review(user: Any, access: ReferralAccess) -> bool:
    referral = access.referral
    return (
        access.allows(Access.SUPERVISE)
        and referral.awaits_review
        and referral.submitted_by_id != user.pk
    )


def referral_page(
    request: HttpRequest,
    access: ReferralAccess,
    *,
    bound: dict[str, Any] | None = None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    """The referral page; ``bound`` replaces a step's empty form with the one sent."""
    referral = access.referral
    user = request.user
    case = referral.case
    summary = case_summary(case, actor=user)
    opener = Opener(user, shredded=summary.shredded)
    bound = bound or {}
    show_confirm = referral.offering.is_full or bool(bound.get("no_places"))
    steps = []
    if access.allows(Access.WORK):
        for transition in allowed_steps(user, referral):
            if transition.step not in forms.STEP_FORMS:
                continue
            form = bound.get(transition.step) or forms.step_form(
                transition.step, show_confirm=show_confirm
            )
            # An emergency draft: "send now" is what she most likely came to do.
            urgent_send = (transition.step == Step.SEND_EMERGENCY
                           and referral.urgency == rv.Urgency.EMERGENCY)
            steps.append({"step": transition.step.value, "label": transition.label,
                          "form": form, "open": transition.step in bound or urgent_send,
                          "danger": transition.step == Step.WITHDRAW})
    review_form = None
    if access.allows(Access.WORK) and _may_review(user, access):
        review_form = bound.get("review") or forms.ReviewForm()
    notes = []
    if referral.note_ids:
        notes = list(case.notes.filter(pk__in=referral.note_ids).order_by("created_at"))
    packet = None
    if referral.sent_at is not None:
        packet = open_packet(referral, actor=user)
    elif access.allows(Access.WORK) and not summary.shredded:
        # Before it leaves: the packet exactly as it would be sealed now, so that the
        # supervisor approves what the provider will read, not a list of labels.
        packet = _preview(referral, user)
    consent_missing = (
        referral.state in (rv.State.DRAFT, rv.State.SUBMITTED)
        and access.allows(Access.WORK)
        and not services.covering_consents(referral)
    )
    context = {
        "summary": summary,
        "case": case,
        "referral": referral,
        "offering": forms.describe_offering(referral.offering),
        "access": access,
        "read_only": not access.allows(Access.WORK),
        "can_edit": (access.allows(Access.WORK) and referral.state == rv.State.DRAFT
                     and not summary.shredded),
        # A guardian goes only into a child's packet (referrals.packet.build).
        "items": labels([item for item in referral.items if case.is_child
                          or item != rv.PacketItem.GUARDIAN], rv.PacketItem),
        "shared_notes": notes,
        "reason": opener(referral, "reason"),
        "beyond_minimum_reason": opener(referral, "beyond_minimum_reason"),
        "return_note": opener(referral, "return_note"),
        "emergency_reason": opener(referral, "emergency_reason"),
        "review_note": opener(referral, "review_note"),
        "decline_note": opener(referral, "decline_note"),
        "outcome_note": opener(referral, "outcome_note"),
        "withdraw_note": opener(referral, "withdraw_note"),
        "timeline": _timeline(referral),
        "steps": steps,
        "review_form": review_form,
        "packet": packet,
        "consent_missing": consent_missing,
        "consent_url": section_url(case.pk, "consent"),
        "packet_rows": present(packet).lines() if packet and not packet.closed else [],
        # A refused step, said in the page's error summary (base.html).
        "refusal": alert,
    }
    return render(request, "referrals/case/detail.html", context, status=status)


def _preview(referral: Any, user: Any) -> Packet | None:
    try:
        return Packet(data=build_packet(referral, actor=user))
    except CannotOpen:
        return None


@login_required
@require_http_methods(["GET", "HEAD"])
@key_scope()
def detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    access = get_referral_for_user(request.user, referral_id)
    return referral_page(request, access)
