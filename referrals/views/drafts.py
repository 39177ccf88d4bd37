"""A new referral of a case, and drafts: choose the service, then say why, how urgent and
what to share ("minimum necessary" pre-ticked for that kind of service).

- ``create``: two steps. Choosing the service is a GET form, so the directory can link
  here with ``?offering=<id>``; saving makes a draft, and the referral page then offers
  the next steps (submit, or send as an emergency).
- ``edit``: a draft (new, or returned by the supervisor).

The case is reached through ``get_case_for_user`` and a draft through
``get_referral_for_user``, both with ``Access.WORK``; each request leaves one access
event (the service records a save, the view the page re-shown with errors).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import record_event
from cases.opening import Opener
from cases.queries import Access, CaseAccess, as_uuid, get_case_for_user
from cases.summary import case_summary
from core.forms import add_service_errors
from referrals import services
from referrals import vocabularies as rv
from referrals.forms import case_side as forms
from referrals.queries import get_referral_for_user, referable_offerings
from referrals.views.common import case_url, referral_url
from referrals.views.referral_page import referral_page
from vault.scope import key_scope


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
            "back_url": referral_url(referral.pk) if referral else case_url(case.pk),
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
            # Said by the page's error summary (core/templatetags/error_summary.py), its
            # link leading to the list of services when there is one to choose from.
            "refusal": error,
            "refusal_target": "service-choices" if error and offerings else "",
            "back_url": case_url(case.pk),
        },
    )


def _closed_page(request: HttpRequest, case_access: CaseAccess, message: str) -> HttpResponse:
    case = case_access.case
    return render(
        request,
        "referrals/case/cannot_refer.html",
        {"summary": case_summary(case, actor=request.user), "case": case, "refusal": message,
         "back_url": case_url(case.pk)},
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
                return redirect(referral_url(referral.pk))
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
        return referral_page(
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
                return redirect(referral_url(referral.pk))
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
