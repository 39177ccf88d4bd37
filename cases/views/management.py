"""Managing a case: assign, share, close and reopen; emergency access; shredding.

Case-scoped pages fetch through ``get_case_for_user``. A GET (or a form sent back with
errors) shows the case header, so it records one view; a valid POST records nothing
here because the service records the change in its own transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from audit.models import Action, Outcome
from audit.services import record_event
from cases.forms.management import (
    AssignForm,
    CloseForm,
    DiscardForm,
    EmergencyAccessForm,
    ReopenForm,
    ShareForm,
    ShredConfirmForm,
    ShredRequestForm,
    UnshareForm,
)
from cases.queries import (
    CASE_ROLES,
    Access,
    CaseAccess,
    get_case_for_user,
    get_shred_request_for_admin,
    shred_queue,
)
from cases.services import management as services
from cases.summary import case_summary


def _fetch(request: HttpRequest, case_id: object, *, needed: Access, purpose: str) -> CaseAccess:
    """The case, with this request's view recorded unless a service will record a change."""
    return get_case_for_user(
        request.user, case_id, needed=needed, purpose=purpose, record=request.method != "POST"
    )


def _render(request: HttpRequest, template: str, access: CaseAccess, *, recorded: bool,
            purpose: str, status: int = 200, **context: object) -> HttpResponse:
    """A case page; a POST shown again with errors records the view it now shows."""
    if not recorded:
        record_event(action=Action.CASE_VIEWED, actor=request.user, target=access.case,
                     case_code=access.case.code, purpose=purpose)
    context.update(
        summary=case_summary(access.case, actor=request.user),
        case=access.case,
        access=access,
    )
    return render(request, template, context, status=status)


def _add_errors(form: object, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# --- assign --------------------------------------------------------------------------


@login_required
def assign(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.SUPERVISE, purpose="assign")
    case = access.case
    form = AssignForm(request.POST or None, actor=request.user, case=case)
    if request.method == "POST" and form.is_valid():
        team, person = form.cleaned_data["assignee"]
        try:
            services.assign_case(actor=request.user, case=case, owner=person, team=team)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s is now assigned to %(name)s.") % {
                "code": case.code, "name": person.display_name})
            return redirect("cases:case_detail", case_id=case.pk)
    return _render(request, "cases/manage/assign.html", access, form=form,
                   recorded=request.method != "POST", purpose="assign")


# --- share ---------------------------------------------------------------------------


def _share_page(request: HttpRequest, access: CaseAccess, *, form: ShareForm,
                unshare_form: UnshareForm | None = None) -> HttpResponse:
    return _render(
        request, "cases/manage/share.html", access, form=form, unshare_form=unshare_form,
        shares=services.case_shares(access.case), recorded=request.method != "POST",
        purpose="share",
    )


@login_required
def share(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.MANAGE, purpose="share")
    case = access.case
    form = ShareForm(request.POST or None, actor=request.user, case=case)
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["colleague"]
        try:
            services.share_case(actor=request.user, case=case, colleague=colleague,
                                can_work=form.cleaned_data["level"] == "work")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s is now shared with %(name)s.") % {
                "code": case.code, "name": colleague.display_name})
            return redirect("cases:share", case_id=case.pk)
    return _share_page(request, access, form=form)


@login_required
@require_POST
def unshare(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.MANAGE, purpose="share")
    case = access.case
    form = UnshareForm(request.POST, shares=services.case_shares(case))
    if form.is_valid():
        colleague = form.cleaned_data["colleague"]
        try:
            services.unshare_case(actor=request.user, case=case, colleague=colleague)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(name)s no longer has access to case %(code)s.") % {
                "code": case.code, "name": colleague.display_name})
            return redirect("cases:share", case_id=case.pk)
    return _share_page(request, access, form=ShareForm(actor=request.user, case=case),
                       unshare_form=form)


# --- close and reopen -----------------------------------------------------------------


@login_required
def close(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.MANAGE, purpose="close")
    case = access.case
    if case.is_closed:
        if request.method == "POST":  # _fetch recorded nothing for a POST: this is the one
            record_event(action=Action.CASE_VIEWED, actor=request.user, target=case,
                         case_code=case.code, purpose="close")
        messages.info(request, _("Case %(code)s is already closed.") % {"code": case.code})
        return redirect("cases:reopen", case_id=case.pk)
    form = CloseForm(request.POST or None, closed_on=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            services.close_case(
                actor=request.user, case=case, status=form.cleaned_data["status"],
                reason=form.cleaned_data["closure_reason"], check_ins=form.check_in_dates(),
                confirm_open_work=form.cleaned_data["confirm_open_work"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # the warning goes next to its confirmation
                form.add_error(None, error)
            else:
                _add_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s is closed.") % {"code": case.code})
            return redirect("cases:case_detail", case_id=case.pk)
    return _render(request, "cases/manage/close.html", access, form=form,
                   recorded=request.method != "POST", purpose="close")


@login_required
def reopen(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.MANAGE, purpose="reopen")
    case = access.case
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_case(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s is open again.") % {"code": case.code})
            return redirect("cases:case_detail", case_id=case.pk)
    return _render(request, "cases/manage/reopen.html", access, form=form,
                   recorded=request.method != "POST", purpose="reopen")


# --- discard a case registered by mistake ----------------------------------------------


@login_required
def discard(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.MANAGE, purpose="discard")
    case = access.case
    # Bound on any POST: an unticked box sends nothing but must still be refused aloud.
    form = DiscardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discard_new_case(actor=request.user, case=case)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s was discarded.") % {"code": case.code})
            return redirect("home")
    return _render(request, "cases/manage/discard.html", access, form=form,
                   allowed=services.can_discard(request.user, case),
                   recorded=request.method != "POST", purpose="discard")


# --- emergency access -----------------------------------------------------------------


# Lazy: built once at import, shown in the language of each request.
_EMERGENCY_ERRORS = {
    services.EmergencyAnswer.WRONG_PASSWORD: (
        "password", gettext_lazy("That is not your password. Nothing was opened."),
    ),
    services.EmergencyAnswer.TOO_MANY_ATTEMPTS: (
        None,
        gettext_lazy("Too many wrong passwords. Try again in an hour, or ask your supervisor."),
    ),
    services.EmergencyAnswer.NO_CASE: (
        "code", gettext_lazy("There is no case with that code in your organisation."),
    ),
    services.EmergencyAnswer.SHREDDED: (
        "code", gettext_lazy("This survivor's data was shredded. There is nothing to open."),
    ),
}


@login_required
@sensitive_post_parameters("password", "reason")
@sensitive_variables("form")
def emergency_access(request: HttpRequest) -> HttpResponse:
    """Break the glass: open a case outside one's teams, with a reason and one's password."""
    if not request.user.has_role(*CASE_ROLES):
        record_event(action=Action.EMERGENCY_ACCESS_GRANTED, actor=request.user,
                     outcome=Outcome.DENIED, target_type="case")
        raise PermissionDenied
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.request_emergency_access(
            actor=request.user, code=form.cleaned_data["code"],
            reason=form.cleaned_data["reason"], password=form.cleaned_data["password"],
        )
        if outcome.answer == services.EmergencyAnswer.GRANTED:
            messages.warning(request, _(
                "Emergency access to case %(code)s is open for %(minutes)s minutes. Her team's "
                "supervisors have been told."
            ) % {"code": outcome.case.code, "minutes": services.grant_minutes()})
            return redirect("cases:case_detail", case_id=outcome.case.pk)
        if outcome.answer == services.EmergencyAnswer.ALREADY_VISIBLE:
            messages.info(request, _("You can already open case %(code)s.") % {
                "code": outcome.case.code})
            return redirect("cases:case_detail", case_id=outcome.case.pk)
        field, message = _EMERGENCY_ERRORS[outcome.answer]
        form.add_error(field, message)
    return render(request, "cases/manage/emergency_access.html", {
        "form": form, "minutes": services.grant_minutes(),
    })


# --- shredding ------------------------------------------------------------------------


@login_required
def shred_request(request: HttpRequest, case_id: object) -> HttpResponse:
    access = _fetch(request, case_id, needed=Access.SUPERVISE, purpose="shred")
    case = access.case
    pending = services.pending_shred_request(case)
    form = ShredRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_shredding(actor=request.user, case=case,
                                       reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _(
                "Shredding of case %(code)s is requested. An administrator of your "
                "organisation must confirm it."
            ) % {"code": case.code})
            return redirect("cases:case_detail", case_id=case.pk)
    return _render(request, "cases/manage/shred_request.html", access, form=form,
                   pending=pending, recorded=request.method != "POST", purpose="shred")


def _queue_page(request: HttpRequest, *, errors_for: object = None,
                confirm_form: ShredConfirmForm | None = None, status: int = 200) -> HttpResponse:
    pending = list(shred_queue(request.user, action=Action.SHRED_CONFIRMED))
    rows = [
        (item, confirm_form if errors_for == item.pk and confirm_form else ShredConfirmForm())
        for item in pending
    ]
    return render(request, "cases/manage/shred_requests.html", {"rows": rows}, status=status)


@login_required
def shred_requests(request: HttpRequest) -> HttpResponse:
    """Org admins: shredding requests waiting for a second person (codes only)."""
    return _queue_page(request)


@login_required
@require_POST
def shred_confirm(request: HttpRequest, request_id: object) -> HttpResponse:
    item = get_shred_request_for_admin(request.user, request_id, action=Action.SHRED_CONFIRMED)
    form = ShredConfirmForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, errors_for=item.pk, confirm_form=form)
    try:
        services.confirm_shredding(actor=request.user, shred_request=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The data of case %(code)s has been shredded.") % {
            "code": item.case.code})
    return redirect("cases:shred_requests")


@login_required
@require_POST
def shred_cancel(request: HttpRequest, request_id: object) -> HttpResponse:
    item = get_shred_request_for_admin(request.user, request_id, action=Action.SHRED_CANCELLED)
    try:
        services.cancel_shredding(actor=request.user, shred_request=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request to shred case %(code)s was cancelled.") % {
            "code": item.case.code})
    return redirect("cases:shred_requests")
