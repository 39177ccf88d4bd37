"""The steps of the case side, POST only: one workflow step through its service
(``referrals.steps``), and a supervisor's review of an emergency send.

The referral is reached through ``get_referral_for_user`` with ``Access.WORK`` (outsiders
404, read-only colleagues 403), without recording: the service records the step, and
this view the refusal or the page re-shown with errors. Accept and decline are the
provider's, on the partner's pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.denials import deny_unseen
from audit.models import Action, Outcome
from audit.services import record_event
from cases.queries import Access
from core.forms import add_service_errors
from referrals import services
from referrals.forms import case_side as forms
from referrals.queries import ReferralAccess, get_referral_for_user
from referrals.steps import take_step
from referrals.views.common import referral_url, seen_state, step_view
from referrals.views.referral_page import referral_page
from referrals.workflow import TRANSITIONS, Step, StepNotAllowedNow, StepRefused

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


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors if e.code}
    return {e.code for e in error.error_list if e.code}


def _refused(request: HttpRequest, access: ReferralAccess, action: str,
             error: StepRefused) -> HttpResponse:
    referral = access.referral
    record_event(action=action, actor=request.user, outcome=Outcome.DENIED, target=referral,
                 case_code=referral.case.code)
    return render(
        request, "referrals/case/refused.html",
        {"refusal": error.message, "referral": referral, "back_url": referral_url(referral.pk)},
        status=403,
    )


@step_view
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
        deny_unseen(actor=user, action=action, target_type="referral", target_id=referral.pk,
                    purpose="unknown_step")
    show_confirm = referral.offering.is_full
    form = forms.step_form(chosen, request.POST, show_confirm=show_confirm)
    status = 200
    alert = ""
    no_places = False
    if form.is_valid():
        try:
            take_step(chosen, actor=user, referral=referral, data=form.cleaned_data,
                      seen_state=seen_state(request))
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
            return redirect(referral_url(referral.pk))
    # Nothing was changed. The page below is this request's one event.
    record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                 case_code=referral.case.code, purpose="form_errors")
    fresh = get_referral_for_user(user, referral.pk, record=False)
    bound = {chosen: form, "no_places": no_places} if form is not None else {}
    return referral_page(request, fresh, bound=bound, alert=alert, status=status)


@step_view
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
            return redirect(referral_url(referral.pk))
    record_event(action=Action.REFERRAL_VIEWED, actor=user, target=referral,
                 case_code=referral.case.code, purpose="form_errors")
    fresh = get_referral_for_user(user, referral.pk, record=False)
    return referral_page(request, fresh, bound={"review": form}, alert=alert, status=status)
