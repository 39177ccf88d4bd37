"""Working a case: the forms of the case page post here, and attachments download here.

Each writing view: fetch the case with ``Access.WORK`` without recording (the service
records the write), validate the form, call one service, and go back to the section of
the case page it came from. Bad input shows the form alone with its messages (status
200) and saves nothing; that page shows the case header, so it records one CASE_VIEWED.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action, Outcome
from audit.services import record_event
from cases.forms import work as work_forms
from cases.queries import Access, CaseAccess, get_case_for_user
from cases.sections import section_url
from cases.services import attachments as attachment_services
from cases.services import consent as consent_services
from cases.services import links as link_services
from cases.services import work as services
from cases.summary import case_summary
from core.forms import add_service_errors
from core.uploads import upload_refused
from vault.exceptions import CannotOpen
from vault.scope import key_scope


def _case_url(case_id: Any, anchor: str) -> str:
    # The safety plan is a place inside the "risk" section, not a section of its own.
    if anchor == "safety-plan":
        return section_url(case_id, "risk", anchor=anchor)
    return section_url(case_id, anchor)


def _for_work(request: HttpRequest, case_id: Any, action: str) -> CaseAccess:
    return get_case_for_user(
        request.user, case_id, needed=Access.WORK, action=action, record=False
    )



def _submit(
    request: HttpRequest,
    access: CaseAccess,
    form: forms.Form,
    *,
    call: Callable[[dict], object],
    anchor: str,
    title: str,
    done: str,
    multipart: bool = False,
) -> HttpResponse:
    """Validate, call the service once, and go back to the case page; or show the errors."""
    case = access.case
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done % {"code": case.code})
            return redirect(_case_url(case.pk, anchor))
    # Nothing was saved. The page below shows her name in the header: that look is
    # this request's one access event.
    record_event(action=Action.CASE_VIEWED, actor=request.user, target=case,
                 case_code=case.code, purpose="form_errors")
    return render(
        request,
        "cases/case/work_form.html",
        {
            "summary": case_summary(case, actor=request.user),
            "case": case,
            "form": form,
            "title": title,
            "action_url": request.path,
            "back_url": _case_url(case.pk, anchor),
            "multipart": multipart,
        },
    )


def _not_of_this_case(request: HttpRequest, access: CaseAccess, action: str,
                      target_type: str, target_id: Any) -> Http404:
    """A sub-object that is not of this case: 404 like any unseen thing, recorded."""
    record_event(action=action, actor=request.user, outcome=Outcome.DENIED,
                 target_type=target_type, target_id=target_id, case_code=access.case.code)
    return Http404()


def attachment_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one (RFC 6266 / RFC 5987)."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    )
    ascii_name = "".join(ch for ch in ascii_name if ch.isprintable() and ch not in '"\\;') or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def work_view(view: Callable) -> Callable:
    """POST only, signed in, with one key scope for the whole request."""
    return login_required(require_POST(key_scope()(view)))


# --- notes ------------------------------------------------------------------------------


@work_view
def add_note(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.NOTE_ADDED)
    return _submit(
        request, access, work_forms.NoteForm(request.POST),
        call=lambda data: services.add_note(
            actor=request.user, case=access.case, body=data["body"]
        ),
        anchor="notes", title=_("Add a note"), done=_("Note saved in %(code)s."),
    )


# --- attachments ------------------------------------------------------------------------


@work_view
def add_attachment(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.ATTACHMENT_ADDED)
    return _submit(
        request, access,
        work_forms.AttachmentForm(
            request.POST, request.FILES, upload_refused=upload_refused(request)
        ),
        call=lambda data: attachment_services.add_attachment(
            actor=request.user, case=access.case, kind=data["kind"], upload=data["file"]
        ),
        anchor="attachments", title=_("Attach a file"), done=_("File attached to %(code)s."),
        multipart=True,
    )


@login_required
@require_GET
def download_attachment(request: HttpRequest, case_id: Any, attachment_id: Any) -> HttpResponse:
    access = get_case_for_user(
        request.user, case_id, action=Action.ATTACHMENT_DOWNLOADED, record=False
    )
    attachment = access.case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise _not_of_this_case(
            request, access, Action.ATTACHMENT_DOWNLOADED, "attachment", attachment_id
        )
    try:
        download = attachment_services.open_attachment(
            actor=request.user, case=access.case, attachment=attachment
        )
    except CannotOpen as error:  # the vault has recorded the failure
        messages.error(request, str(error.user_message))
        return redirect(_case_url(access.case.pk, "attachments"))
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = attachment_disposition(download.filename)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


# --- follow-ups -------------------------------------------------------------------------


@work_view
def add_follow_up(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.FOLLOW_UP_ADDED)
    form = work_forms.FollowUpForm(request.POST, case=access.case, actor=request.user)
    return _submit(
        request, access, form,
        call=lambda data: services.add_follow_up(
            actor=request.user, case=access.case, kind=data["kind"], due_on=data["due_on"],
            assignee=data["assignee"],
        ),
        anchor="follow-ups", title=_("Plan a follow-up"), done=_("Follow-up planned in %(code)s."),
    )


@work_view
def complete_follow_up(request: HttpRequest, case_id: Any, follow_up_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.FOLLOW_UP_DONE)
    follow_up = access.case.follow_ups.filter(pk=follow_up_id).first()
    if follow_up is None:
        raise _not_of_this_case(request, access, Action.FOLLOW_UP_DONE, "followup", follow_up_id)
    form = work_forms.FollowUpDoneForm(request.POST, follow_up_id=follow_up.pk)
    return _submit(
        request, access, form,
        call=lambda data: services.complete_follow_up(
            actor=request.user, case=access.case, follow_up=follow_up,
            outcome=data["outcome"], note=data["note"],
        ),
        anchor="follow-ups", title=_("Mark the follow-up as done"),
        done=_("Follow-up marked as done in %(code)s."),
    )


# --- risk and safety --------------------------------------------------------------------


@work_view
def add_risk_assessment(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.RISK_ASSESSED)
    return _submit(
        request, access, work_forms.RiskAssessmentForm(request.POST),
        call=lambda data: services.record_risk_assessment(
            actor=request.user, case=access.case, assessed_on=data["assessed_on"],
            level=data["level"], factors=data["factors"], notes=data["notes"],
            next_review_on=data["next_review_on"],
        ),
        anchor="risk", title=_("Record a risk assessment"),
        done=_("Risk assessment saved in %(code)s."),
    )


@work_view
def update_safety_plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.SAFETY_PLAN_UPDATED)
    return _submit(
        request, access, work_forms.SafetyPlanForm(request.POST),
        call=lambda data: services.update_safety_plan(
            actor=request.user, case=access.case, plan=data["plan"]
        ),
        anchor="safety-plan", title=_("Safety plan"), done=_("Safety plan saved in %(code)s."),
    )


# --- consent ----------------------------------------------------------------------------


@work_view
def record_consent(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.CONSENT_RECORDED)
    return _submit(
        request, access, work_forms.ConsentForm(request.POST, case=access.case),
        call=lambda data: consent_services.record_consent(
            actor=request.user, case=access.case, purpose=data["purpose"],
            given=data["decision"] == "given", method=data["method"],
            given_by=data["given_by"],
            recipient_organization=data["recipient_organization"],
            recipient_service_type=data["recipient_service_type"], scope=data["scope"],
            interpreter_language=data["interpreter_language"], expires_on=data["expires_on"],
        ),
        anchor="consent", title=_("Record consent"), done=_("Consent recorded in %(code)s."),
    )


@work_view
def withdraw_consent(request: HttpRequest, case_id: Any, consent_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.CONSENT_WITHDRAWN)
    consent = access.case.consents.filter(pk=consent_id).first()
    if consent is None:
        raise _not_of_this_case(request, access, Action.CONSENT_WITHDRAWN, "consent", consent_id)
    form = work_forms.WithdrawConsentForm(request.POST, consent_id=consent.pk)
    return _submit(
        request, access, form,
        call=lambda data: consent_services.withdraw_consent(
            actor=request.user, case=access.case, consent=consent, reason=data["reason"]
        ),
        anchor="consent", title=_("Withdraw this consent"),
        done=_("Consent withdrawn in %(code)s."),
    )


# --- linked cases -----------------------------------------------------------------------


@work_view
def create_link_group(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.CASE_LINKED)
    return _submit(
        request, access, work_forms.NewLinkGroupForm(request.POST),
        call=lambda data: link_services.create_link_group(
            actor=request.user, case=access.case, label=data["label"]
        ),
        anchor="linked", title=_("Start a new group"), done=_("%(code)s is now in a new group."),
    )


@work_view
def join_link_group(request: HttpRequest, case_id: Any) -> HttpResponse:
    access = _for_work(request, case_id, Action.CASE_LINKED)
    form = work_forms.JoinLinkGroupForm(request.POST, case=access.case, actor=request.user)
    return _submit(
        request, access, form,
        call=lambda data: link_services.add_to_link_group(
            actor=request.user, case=access.case, group=data["group"]
        ),
        anchor="linked", title=_("Add to an existing group"),
        done=_("%(code)s was added to the group."),
    )

