"""The case side of referrals: what caseworkers and supervisors see and do.

- ``create``: a new referral of a case, in two steps: choose the service (a GET form, so
  the directory can link here with ``?offering=<id>``), then say why, how urgent and what
  to share ("minimum necessary" pre-ticked for that kind of service). Saving makes a
  draft; the referral page then offers the next steps (submit, or send as an emergency).
- ``detail``: the referral page, with only the steps this person may take now.
- ``edit``: a draft (new, or returned by the supervisor).
- ``step``: POST only; one workflow step through its service.
- ``review``: POST only; a supervisor's look back at an emergency send.

Every view reaches the referral through ``get_referral_for_user`` (outsiders and
partners 404, read-only colleagues 403 on writes) or the case through
``get_case_for_user``. Each request leaves one access event: the getter records a look;
on writes the service records the step, or the view records the refusal or the page
re-shown with errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Action, Outcome
from audit.services import record_event
from cases import vocabularies as cv
from cases.opening import Opener
from cases.queries import Access, CaseAccess, as_uuid, get_case_for_user
from cases.summary import case_summary
from core.forms import add_service_errors
from core.labels import label, labels
from referrals import services
from referrals import vocabularies as rv
from referrals.forms import case_side as forms
from referrals.packet import Packet, open_packet
from referrals.packet import build as build_packet
from referrals.queries import ReferralAccess, get_referral_for_user, referable_offerings
from referrals.workflow import TRANSITIONS, Step, StepNotAllowedNow, StepRefused, allowed_steps
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
DONE_MESSAGES = {
    Step.SUBMIT: gettext_lazy("Submitted: a supervisor of the team will approve it."),
    Step.APPROVE: gettext_lazy("Approved: the referral was sent to the provider."),
    Step.RETURN: gettext_lazy("Returned to the caseworker as a draft."),
    Step.SEND_EMERGENCY: gettext_lazy(
        "Sent to the provider. A supervisor of the team will review it."
    ),
    Step.COMPLETE: gettext_lazy("The referral is marked as completed."),
    Step.WITHDRAW: gettext_lazy("The referral was withdrawn. The provider can no longer "
                                "open what was shared."),
}


def _referral_url(referral_id: Any) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": referral_id})


def _case_url(case_id: Any) -> str:
    return f"{reverse('cases:case_detail', kwargs={'case_id': case_id})}#referrals"



def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors if e.code}
    return {e.code for e in error.error_list if e.code}


def _step_view(view: Any) -> Any:
    """POST only (no state changes through a GET), signed in, one key scope."""
    return login_required(require_POST(key_scope()(view)))


# --- the referral page ------------------------------------------------------------------




def packet_rows(packet: Any) -> list[tuple[str, list[str]]]:
    """The opened packet as (label, lines of text), coded values labelled."""
    rows = []
    items = packet.items
    for code, title, value in packet.entries():
        lines: list[str]
        if code == rv.PacketItem.SAFE_CONTACT and isinstance(value, dict):
            channel = value.get("channel", "")
            if channel == cv.ContactChannel.DO_NOT_CONTACT:
                rows.append((title, [_("Do not contact her.")]))
                continue
            if not channel and not value.get("address"):
                rows.append((title, []))
                continue
            lines = [label(channel, cv.ContactChannel)]
            if value.get("address"):
                lines.append(value["address"])
            if value.get("safe_times"):
                lines.append(_("Safe times: %(times)s") % {"times": value["safe_times"]})
            lines.append(_("A message may be left.") if value.get("may_leave_message")
                         else _("Never leave a message."))
            if value.get("code_word"):
                lines.append(_("Code word: %(word)s") % {"word": value["code_word"]})
        elif code == rv.PacketItem.NEEDS and isinstance(value, dict):
            lines = [", ".join(labels(value.get("codes", []), cv.ServiceType))]
            if value.get("note"):
                lines.append(value["note"])
        elif code == rv.PacketItem.RISK and isinstance(value, dict):
            lines = [label(value.get("level", ""), cv.RiskLevel)]
            lines += labels(value.get("factors", []), cv.RiskFactor)
            if value.get("assessed_on"):
                lines.append(_("Assessed on %(date)s") % {"date": value["assessed_on"]})
        elif code == rv.PacketItem.GUARDIAN and isinstance(value, dict):
            lines = [" · ".join(
                str(value[key]) for key in ("name", "relationship", "contact") if value.get(key)
            )]
        elif code == rv.PacketItem.NOTES and isinstance(value, list):
            lines = [f"{note.get('date', '')} — {note.get('body', '')}" for note in value]
        elif code == rv.PacketItem.BIRTH_DATE and not items.get("birth_date"):
            lines = [_("about %(age)s years old") % {"age": value}] if value else []
        else:
            lines = [str(value)] if value not in (None, "") else []
        rows.append((title, [line for line in lines if line]))
    return rows


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


def _referral_page(
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
        "consent_url": _case_url(case.pk).split("#")[0] + "#consent",
        "packet_rows": packet_rows(packet) if packet and not packet.closed else [],
        "alert": alert,
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
    return _referral_page(request, access)


# --- a new referral, and drafts --------------------------------------------------------


def _notes_of(case: Any, user: Any, shredded: bool) -> list[dict]:
    if shredded:
        return []
    opener = Opener(user)
    return forms.note_choices(list(case.notes.order_by("-created_at")), opener)


def _form_page(
    request: HttpRequest, case_access: CaseAccess, form: forms.ReferralForm, *,
    referral: Any = None, status: int = 200,
) -> HttpResponse:
    case = case_access.case
    offering = form.offering
    return render(
        request,
        "referrals/case/form.html",
        {
            "summary": case_summary(case, actor=request.user),
            "case": case,
            "form": form,
            "referral": referral,
            "offering": forms.describe_offering(offering) if offering else None,
            "minimum": form.minimum_labels,
            "action_url": request.path,
            "choose_url": reverse("referrals:create", kwargs={"case_id": case.pk}),
            "back_url": _referral_url(referral.pk) if referral else _case_url(case.pk),
        },
        status=status,
    )


def _choose_page(request: HttpRequest, case_access: CaseAccess, *, service_type: str = "",
                 error: str = "") -> HttpResponse:
    case = case_access.case
    choose = forms.ChooseServiceForm(case=case, actor=request.user, service_type=service_type)
    offerings = [
        {"choice": choice, "info": forms.describe_offering(choice.data["value"].instance)}
        for choice in choose["offering"]
    ]
    return render(
        request,
        "referrals/case/choose.html",
        {
            "summary": case_summary(case, actor=request.user),
            "case": case,
            "choose_form": choose,
            "filter_form": forms.ServiceTypeFilterForm(initial={"type": service_type}),
            "offerings": offerings,
            "service_type": service_type,
            "error": error,
            "back_url": _case_url(case.pk),
        },
    )


def _closed_page(request: HttpRequest, case_access: CaseAccess, message: str) -> HttpResponse:
    case = case_access.case
    return render(
        request,
        "referrals/case/cannot_refer.html",
        {"summary": case_summary(case, actor=request.user), "case": case, "message": message,
         "back_url": _case_url(case.pk)},
    )


def _why_not_referable(case: Any) -> str:
    if case.survivor.is_shredded:
        return _("Her data has been shredded: nothing more can be recorded.")
    if case.is_closed:
        return _("This case is closed: reopen it before referring her.")
    return ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@key_scope()
def create(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        case_access = get_case_for_user(
            user, case_id, needed=Access.WORK, action=Action.REFERRAL_CREATED, record=False
        )
        case = case_access.case
        posted = request.POST.get("offering", "")
        offering = (
            referable_offerings(user, case).filter(pk=posted).first() if as_uuid(posted)
            else None
        )
        notes = _notes_of(case, user, case.survivor.is_shredded)
        form = forms.ReferralForm(
            request.POST, case=case, actor=user, notes=notes, offering=offering
        )
        if form.is_valid():
            try:
                referral = services.create_referral(
                    actor=user, case=case, offering=form.cleaned_data["offering"],
                    urgency=form.cleaned_data["urgency"], reason=form.cleaned_data["reason"],
                    items=form.cleaned_data["items"], note_ids=form.cleaned_data["note_ids"],
                    beyond_minimum_reason=form.cleaned_data["beyond_minimum_reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _(
                    "Draft saved. Check it, then submit it for approval or send it as an "
                    "emergency."
                ))
                return redirect(_referral_url(referral.pk))
        # Nothing was saved; the page below shows her name: this request's one event.
        record_event(action=Action.CASE_VIEWED, actor=user, target=case, case_code=case.code,
                     purpose="referral_form")
        if offering is None:
            return _choose_page(request, case_access,
                                error=_("Choose a service from the list."))
        return _form_page(request, case_access, form)

    case_access = get_case_for_user(
        user, case_id, needed=Access.WORK, purpose="referral_form"
    )
    case = case_access.case
    problem = _why_not_referable(case)
    if problem:
        return _closed_page(request, case_access, problem)
    chosen = request.GET.get("offering", "")
    if chosen:
        choose = forms.ChooseServiceForm({"offering": chosen}, case=case, actor=user)
        if choose.is_valid():
            offering = choose.cleaned_data["offering"]
            notes = _notes_of(case, user, False)
            form = forms.ReferralForm(case=case, actor=user, notes=notes, offering=offering)
            return _form_page(request, case_access, form)
        return _choose_page(request, case_access, error=_(
            "That service cannot take her referral (it is not taking referrals, or it does "
            "not accept children). Choose another one."
        ))
    service_type = request.GET.get("type", "")
    return _choose_page(request, case_access, service_type=service_type)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@key_scope()
def edit(request: HttpRequest, referral_id: Any) -> HttpResponse:
    user = request.user
    posting = request.method == "POST"
    access = get_referral_for_user(
        user, referral_id, needed=Access.WORK,
        action=Action.REFERRAL_UPDATED if posting else Action.REFERRAL_VIEWED,
        record=not posting,
    )
    referral = access.referral
    case = referral.case
    case_access = CaseAccess(case=case, level=access.level)
    if referral.state != rv.State.DRAFT or case.survivor.is_shredded:
        if posting:
            record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                         case_code=case.code, purpose="form_errors")
        return _referral_page(
            request, access, status=409,
            alert=_("Only a draft can be changed. Nothing was changed."),
        )
    notes = _notes_of(case, user, False)
    if posting:
        form = forms.ReferralForm(request.POST, case=case, actor=user, notes=notes,
                                  referral=referral)
        if form.is_valid():
            try:
                services.update_draft(
                    actor=user, referral=referral, urgency=form.cleaned_data["urgency"],
                    reason=form.cleaned_data["reason"], items=form.cleaned_data["items"],
                    note_ids=form.cleaned_data["note_ids"],
                    beyond_minimum_reason=form.cleaned_data["beyond_minimum_reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(_referral_url(referral.pk))
        record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                     case_code=case.code, purpose="form_errors")
        return _form_page(request, case_access, form, referral=referral)
    opener = Opener(user)
    form = forms.ReferralForm(
        case=case, actor=user, notes=notes, referral=referral,
        initial={
            "urgency": referral.urgency,
            "reason": opener(referral, "reason").text,
            "items": [item for item in referral.items if item != rv.PacketItem.NOTES],
            "note_ids": [str(pk) for pk in referral.note_ids],
            "beyond_minimum_reason": opener(referral, "beyond_minimum_reason").text,
        },
    )
    return _form_page(request, case_access, form, referral=referral)


# --- the steps ---------------------------------------------------------------------------


def _refused(request: HttpRequest, access: ReferralAccess, action: str,
             error: StepRefused) -> HttpResponse:
    referral = access.referral
    record_event(action=action, actor=request.user, outcome=Outcome.DENIED, target=referral,
                 case_code=referral.case.code)
    return render(
        request, "referrals/case/refused.html",
        {"message": error.message, "referral": referral, "back_url": _referral_url(referral.pk)},
        status=403,
    )


def _call_step(
    step: Step, user: Any, referral: Any, data: dict, seen_state: str | None = None
) -> Any:
    if step == Step.SUBMIT:
        return services.submit_referral(
            actor=user, referral=referral, seen_state=seen_state,
            confirm_without_places=data["confirm_without_places"],
        )
    if step == Step.APPROVE:
        return services.approve_referral(actor=user, referral=referral, seen_state=seen_state)
    if step == Step.RETURN:
        return services.return_referral(actor=user, referral=referral, seen_state=seen_state,
                                        note=data["note"])
    if step == Step.SEND_EMERGENCY:
        return services.send_emergency(
            actor=user, referral=referral, seen_state=seen_state, reason=data["reason"],
            confirm_without_places=data["confirm_without_places"],
        )
    if step == Step.COMPLETE:
        return services.complete_referral(
            actor=user, referral=referral, seen_state=seen_state,
            outcome=data["outcome"], note=data["note"],
        )
    if step == Step.WITHDRAW:
        return services.withdraw_referral(
            actor=user, referral=referral, seen_state=seen_state,
            reason=data["reason"], note=data["note"],
        )
    raise Http404


def seen_state(request: HttpRequest) -> str | None:
    """The state the page showed when she chose the step (posted back by the form): if
    someone else changed the referral since, the step is refused instead of applied to a
    referral she has not seen (referrals.workflow.transition)."""
    value = request.POST.get("seen_state", "")
    return value if value in rv.State.values else None


@_step_view
def step(request: HttpRequest, referral_id: Any, step: str) -> HttpResponse:
    user = request.user
    try:
        chosen = Step(step)
    except ValueError:
        chosen = None
    action = TRANSITIONS[chosen].action if chosen else Action.REFERRAL_VIEWED
    access = get_referral_for_user(
        user, referral_id, needed=Access.WORK, action=action, record=False
    )
    referral = access.referral
    if chosen not in forms.STEP_FORMS:
        # Accept and decline are the provider's, on the partner's pages.
        record_event(action=action, actor=user, outcome=Outcome.DENIED, target=referral,
                     case_code=referral.case.code, purpose="unknown_step")
        raise Http404
    show_confirm = referral.offering.is_full
    form = forms.step_form(chosen, request.POST, show_confirm=show_confirm)
    status = 200
    alert = ""
    no_places = False
    if form.is_valid():
        try:
            _call_step(chosen, user, referral, form.cleaned_data, seen_state(request))
        except StepRefused as error:
            return _refused(request, access, action, error)
        except StepNotAllowedNow as error:
            alert, status = " ".join(error.messages), 409
            form = None
        except ValidationError as error:
            no_places = "no_places" in _codes(error)
            if no_places:
                # The shelter filled up: ask again, now with the confirmation to tick.
                form = forms.step_form(chosen, request.POST, show_confirm=True)
                form.is_valid()
            add_service_errors(form, error)
        else:
            messages.success(request, str(DONE_MESSAGES[chosen]))
            return redirect(_referral_url(referral.pk))
    # Nothing was changed. The page below is this request's one event.
    record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                 case_code=referral.case.code, purpose="form_errors")
    fresh = get_referral_for_user(user, referral.pk, record=False)
    bound = {chosen: form, "no_places": no_places} if form is not None else {}
    return _referral_page(request, fresh, bound=bound, alert=alert, status=status)


@_step_view
def review(request: HttpRequest, referral_id: Any) -> HttpResponse:
    user = request.user
    action = Action.REFERRAL_REVIEWED
    access = get_referral_for_user(
        user, referral_id, needed=Access.WORK, action=action, record=False
    )
    referral = access.referral
    form = forms.ReviewForm(request.POST)
    alert, status = "", 200
    if form.is_valid():
        try:
            services.review_emergency_send(
                actor=user, referral=referral, finding=form.cleaned_data["finding"],
                note=form.cleaned_data["note"],
            )
        except StepRefused as error:
            return _refused(request, access, action, error)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                alert, status = " ".join(error.messages), 409
        else:
            messages.success(request, _("Your review of the emergency send is recorded."))
            return redirect(_referral_url(referral.pk))
    record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                 case_code=referral.case.code, purpose="form_errors")
    fresh = get_referral_for_user(user, referral.pk, record=False)
    return _referral_page(request, fresh, bound={"review": form}, alert=alert, status=status)
