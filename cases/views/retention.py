"""The supervisor's retention queue: closed cases whose retention period ended.

The queue lists codes and dates only, so it records one list view, not a look at each
case. Each decision is a POST through ``get_retention_review_for_user`` (404 for a case
she cannot see, 403 for one she may not supervise) and one service call, which records
the decision in its own transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import record_event
from cases.forms.retention import KeepForm, ProposeShreddingForm
from cases.queries import get_retention_review_for_user, retention_queue
from cases.services import retention as services
from core.forms import add_service_errors


def _queue_page(request: HttpRequest, *, failed: object = None, keep_form: KeepForm | None = None,
                propose_form: ProposeShreddingForm | None = None) -> HttpResponse:
    reviews = list(retention_queue(request.user))
    rows = []
    for review in reviews:
        prefix = str(review.pk)
        mine = failed == review.pk
        rows.append((
            review,
            keep_form if mine and keep_form else KeepForm(prefix=prefix),
            propose_form if mine and propose_form else ProposeShreddingForm(prefix=prefix),
        ))
    record_event(action=Action.CASE_LIST_VIEWED, actor=request.user, purpose="retention")
    # The refused form at the top level of the context too: base.html's error summary
    # looks for forms there, not inside the rows.
    context = {"rows": rows, "refused_form": keep_form or propose_form}
    return render(request, "cases/retention/queue.html", context)


@login_required
def retention_reviews(request: HttpRequest) -> HttpResponse:
    """Supervisors: the closed cases of her teams waiting for a retention decision."""
    return _queue_page(request)


@login_required
@require_POST
def keep(request: HttpRequest, review_id: object) -> HttpResponse:
    review = get_retention_review_for_user(request.user, review_id, action=Action.RETENTION_KEPT)
    form = KeepForm(request.POST, prefix=str(review.pk))
    if form.is_valid():
        try:
            services.keep_case(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Case %(code)s is kept; it comes back for review on "
                                        "the date you gave.") % {"code": review.case.code})
            return redirect("cases:retention_reviews")
    return _queue_page(request, failed=review.pk, keep_form=form)


@login_required
@require_POST
def propose(request: HttpRequest, review_id: object) -> HttpResponse:
    review = get_retention_review_for_user(request.user, review_id,
                                           action=Action.SHRED_REQUESTED)
    form = ProposeShreddingForm(request.POST, prefix=str(review.pk))
    if form.is_valid():
        try:
            services.propose_shredding(actor=request.user, review=review)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _(
                "Shredding of case %(code)s is requested. An administrator of your "
                "organisation must confirm it."
            ) % {"code": review.case.code})
            return redirect("cases:retention_reviews")
    return _queue_page(request, failed=review.pk, propose_form=form)
