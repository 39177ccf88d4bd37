"""The provider's pages: the inbox, the sealed packet, the answer, the printable form.

Partners reach referrals only through ``referrals.queries.inbox`` (their organisation's,
and only once sent): any other referral, a draft or a case answers 404. Every look is one
access event: the inbox list (INBOX_VIEWED, no survivor content on it), the packet
(PACKET_VIEWED), the printable form (PACKET_PRINTED). A withdrawn or shredded referral's
packet does not open: its page says so and shows nothing of her.

The answer forms are offered only for the steps ``workflow.allowed_steps`` allows; the
service checks again under a row lock, so a step someone else made impossible meanwhile
changes nothing and says so.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit.denials import deny_unseen
from audit.models import Action, Outcome
from audit.services import record_event
from core.forms import add_service_errors
from referrals import packet as packets
from referrals import queries, workflow
from referrals.forms.partner import STEP_FORMS
from referrals.models import Referral
from referrals.steps import take_step
from referrals.views.common import seen_state
from referrals.workflow import Step, StepNotAllowedNow, StepRefused
from vault.scope import key_scope

INBOX_PAGE_SIZE = 50

# The inbox's tabs: everything, then the filters of ``queries.INBOX_FILTERS``.
INBOX_TABS = (
    ("", pgettext_lazy("inbox tab", "All")),
    ("new", pgettext_lazy("inbox tab", "New")),
    ("overdue", pgettext_lazy("inbox tab", "Overdue")),
    ("accepted", pgettext_lazy("inbox tab", "Accepted")),
    ("closed", pgettext_lazy("inbox tab", "Closed")),
)

# Packets that must not open: the page says why and shows nothing of her.
CLOSED_FOR_GOOD = ("withdrawn", "shredded", "ended")


def _packet_url(referral: Referral) -> str:
    return reverse("referrals:packet", kwargs={"referral_id": referral.pk})



# --- the inbox ---------------------------------------------------------------------------


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    referrals = queries.inbox(request.user)  # 403 (recorded) for anyone but a partner
    show = request.GET.get("show", "")
    if show not in queries.INBOX_FILTERS:
        show = ""
    counts = queries.inbox_counts(referrals)
    shown = queries.INBOX_FILTERS[show](referrals) if show else referrals
    # What waits for an answer comes by its deadline; the rest newest first.
    order = ("due_at", "sent_at") if show in ("new", "overdue") else ("-sent_at",)
    page = Paginator(shown.order_by(*order), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        action=Action.INBOX_VIEWED, actor=request.user, target_type="inbox", purpose=show or "all"
    )
    tabs = [
        {"name": name, "label": label, "count": counts.get(name), "current": name == show}
        for name, label in INBOX_TABS
    ]
    return render(
        request,
        "referrals/partner/inbox.html",
        {"page": page, "rows": page.object_list, "tabs": tabs, "show": show, "counts": counts},
    )


# --- the packet --------------------------------------------------------------------------


def _render_packet(
    request: HttpRequest,
    referral: Referral,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The packet page. The caller has recorded this request's one look at it."""
    opened = packets.open_packet(referral, actor=request.user)
    answers = []
    if opened.closed not in CLOSED_FOR_GOOD:
        for transition in workflow.allowed_steps(request.user, referral):
            form_class = STEP_FORMS.get(transition.step.value)
            if form_class is None:
                continue
            form = bound[1] if bound and bound[0] == transition.step.value else form_class()
            answers.append({"step": transition.step.value, "label": transition.label, "form": form})
    context = {
        "referral": referral,
        "packet": opened,
        "data": opened.data,
        "answers": answers,
        "can_print": not opened.closed,
        "urgency_label": packets.present(opened).urgency_label(),
    }
    if not opened.closed:
        context.update(packets.present(opened).parts())
    return render(request, "referrals/partner/packet.html", context, status=status)


@login_required
@require_GET
@key_scope()
def packet(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = queries.get_packet_for_partner(request.user, referral_id)  # records the look
    return _render_packet(request, referral)


# --- the answer ---------------------------------------------------------------------------


_DONE = {
    "accept": gettext_lazy("You accepted referral %(code)s. The caseworker has been told."),
    "decline": gettext_lazy("You declined referral %(code)s. The caseworker has been told."),
    "complete": gettext_lazy("Referral %(code)s is completed. The caseworker has been told."),
}



@login_required
@require_POST
@key_scope()
def step(request: HttpRequest, referral_id: Any, step: str) -> HttpResponse:
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        # Not a step of the provider's: refused like a referral she cannot see.
        deny_unseen(actor=request.user, action=Action.PACKET_VIEWED, target_type="referral",
                    target_id=referral_id, purpose="unknown_step")
    action = workflow.TRANSITIONS[Step(step)].action
    # The service records the step; a refusal is recorded below.
    referral = queries.get_packet_for_partner(
        request.user, referral_id, action=action, record=False
    )
    form = form_class(request.POST)
    if form.is_valid():
        try:
            take_step(Step(step), actor=request.user, referral=referral,
                      data=form.cleaned_data, seen_state=seen_state(request))
        except StepRefused:
            record_event(
                action=action,
                actor=request.user,
                outcome=Outcome.DENIED,
                target=referral,
                case_code=referral.case.code,
            )
            raise
        except StepNotAllowedNow as error:
            # Someone else was faster (or the caseworker withdrew it): nothing changed.
            messages.error(request, " ".join(error.messages))
            return redirect(_packet_url(referral))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _DONE[step] % {"code": referral.case.code})
            return redirect(_packet_url(referral))
    # Nothing was changed. The packet is shown again with the form's messages: that look
    # is this request's one access event.
    record_event(
        action=Action.PACKET_VIEWED,
        actor=request.user,
        target=referral,
        case_code=referral.case.code,
        purpose="form_errors",
    )
    return _render_packet(request, referral, bound=(step, form))


# --- the printable form ------------------------------------------------------------------


@login_required
@require_GET
@key_scope()
def print_form(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = queries.get_packet_for_partner(
        request.user, referral_id, action=Action.PACKET_PRINTED, record=False
    )
    opened = packets.open_packet(referral, actor=request.user)
    if opened.closed:
        # A withdrawn or shredded packet is never printed: refused, and recorded as such.
        record_event(
            action=Action.PACKET_PRINTED,
            actor=request.user,
            outcome=Outcome.DENIED,
            target=referral,
            case_code=referral.case.code,
            purpose=opened.closed,
        )
        return render(
            request, "referrals/print.html", {"referral": referral, "packet": opened}, status=403
        )
    record_event(
        action=Action.PACKET_PRINTED,
        actor=request.user,
        target=referral,
        case_code=referral.case.code,
    )
    presented = packets.present(opened)
    context = {
        "referral": referral,
        "packet": opened,
        "data": opened.data,
        "urgency_label": presented.urgency_label(),
        **presented.parts(),
    }
    return render(request, "referrals/print.html", context)
