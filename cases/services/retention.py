"""Retention review: closed cases come back to a supervisor when their retention ends.

DOMAIN.md, "Retention and deletion": closed cases are reviewed for deletion after a
configurable period. Rules kept here (the queue page only offers what these allow):

- A case is due ``Organization.retention_years`` after the later of its closure and its
  last follow-up (a re-trafficking check-in scheduled two years after closure keeps the
  record that much longer). Counted over every case of the same survivor: shredding is
  per survivor, so one of her cases is never due while another is open or more recent.
- A case kept at review is due again on the date the supervisor chose, never earlier
  than the rule above.
- ``open_retention_reviews`` (the worker's job, or the command of the same name) opens
  one review per due case: never a second open one (a constraint backs it), never for a
  shredded or discarded survivor, never while a shredding request for her waits.
- A supervisor of the case's team decides: keep (a coded reason and a future date of
  the next review) or propose shredding, which is the ordinary two-person shredding
  request (``management.request_shredding``): an org admin confirms it. If the admin
  cancels it, the case is due again and the next run of the job queues it anew.
- Reopening a case withdraws its open review (``withdraw_open_review``, called by
  ``management.reopen_case`` in its transaction).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from audit.models import Action
from audit.services import record_event
from cases import vocabularies as v
from cases.models import Case, FollowUp, RetentionReview, ShredRequest
from cases.queries import Access, access_level
from cases.services.management import add_months, request_shredding

logger = logging.getLogger(__name__)

CLOSED_STATUSES = (v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED)
# A kept case's next review may be set at most this far ahead; the org's own period
# applies from there on.
NEXT_REVIEW_LIMIT_YEARS = 50


@dataclass(frozen=True)
class Due:
    case: Case
    due_on: date


def _last_day_of_her_record(survivor_id: object) -> date | None:
    """The later of her cases' closures and follow-ups; None while any case is open."""
    cases = Case.objects.filter(survivor_id=survivor_id)
    if cases.exclude(status__in=CLOSED_STATUSES).exists():
        return None
    closed = cases.aggregate(last=Max("closed_on"))["last"]
    follow_ups = FollowUp.objects.filter(case__survivor_id=survivor_id).aggregate(
        due=Max("due_on"), done=Max("done_at")
    )
    days = [closed, follow_ups["due"]]
    if follow_ups["done"] is not None:
        days.append(timezone.localdate(follow_ups["done"]))
    days = [day for day in days if day is not None]
    return max(days) if days else None


def due_date(case: Case) -> date | None:
    """When this closed case's retention ends (None while she has a case open)."""
    last = _last_day_of_her_record(case.survivor_id)
    if last is None:
        return None
    due = add_months(last, 12 * case.organization.retention_years)
    kept_until = (
        RetentionReview.objects.filter(case=case, state=RetentionReview.State.KEPT)
        .aggregate(latest=Max("next_review_on"))["latest"]
    )
    return max(due, kept_until) if kept_until else due


def _candidates(today: date):
    """Closed cases of survivors not shredded, with no open review and no shredding
    request waiting, closed at least their organisation's period ago (the exact rule,
    follow-ups and her other cases, is ``due_date``'s; this only spares it the cases
    closed too recently, with a few days' margin for the end of February)."""
    periods = Q()
    for organization in Organization.objects.only("pk", "retention_years"):
        cutoff = add_months(today, -12 * organization.retention_years) + timedelta(days=3)
        periods |= Q(organization_id=organization.pk, closed_on__lte=cutoff)
    return (
        Case.objects.filter(status__in=CLOSED_STATUSES, survivor__shredded_at__isnull=True)
        .filter(periods)
        .exclude(retention_reviews__state=RetentionReview.State.OPEN)
        .exclude(survivor__shred_requests__status=ShredRequest.Status.PENDING)
        .order_by("closed_on", "pk")
    )


def open_retention_reviews(*, today: date | None = None) -> int:
    """Open a review for every closed case whose retention has ended; the number opened.

    Case by case, each in its own transaction under a lock of the case row, so a case
    reopened meanwhile is seen as reopened, and two workers at once open one review (the
    partial unique constraint refuses the second; it is skipped, not an error).
    """
    today = today or timezone.localdate()
    opened = 0
    for case_id in _candidates(today).values_list("pk", flat=True).iterator():
        try:
            if _open_review(case_id, today):
                opened += 1
        except IntegrityError:
            logger.info("retention: case %s already has an open review", case_id)
    return opened


@transaction.atomic
def _open_review(case_id: object, today: date) -> bool:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "survivor")
        .get(pk=case_id)
    )
    if not case.is_closed or case.survivor.is_shredded:
        return False
    if case.retention_reviews.filter(state=RetentionReview.State.OPEN).exists():
        return False
    due = due_date(case)
    if due is None or due > today:
        return False
    review = RetentionReview.objects.create(case=case, due_on=due)
    record_event(
        action=Action.RETENTION_REVIEW_OPENED, target=review, case_code=case.code,
        organization=case.organization,
    )
    return True


def _locked_open_review(actor: User, review: RetentionReview) -> RetentionReview:
    # Locked: keeping and proposing at once (two supervisors, two tabs) must decide once.
    review = (
        RetentionReview.objects.select_for_update(of=("self",))
        .select_related("case", "case__team", "case__survivor")
        .get(pk=review.pk)
    )
    if access_level(actor, review.case) < Access.SUPERVISE:
        raise PermissionDenied
    if review.state != RetentionReview.State.OPEN or not review.case.is_closed:
        raise ValidationError(_("This retention review has already been decided."))
    return review


@transaction.atomic
def keep_case(
    *, actor: User, review: RetentionReview, reason: str, next_review_on: date | None
) -> RetentionReview:
    """Keep the closed case; it comes back for review on ``next_review_on``."""
    review = _locked_open_review(actor, review)
    errors: dict[str, str] = {}
    if reason not in v.RetentionKeepReason.values:
        errors["reason"] = _("Choose why the case is kept.")
    today = timezone.localdate()
    if next_review_on is None:
        errors["next_review_on"] = _("Give the date of the next review.")
    elif next_review_on <= today:
        errors["next_review_on"] = _("The next review must fall after today.")
    elif next_review_on > add_months(today, 12 * NEXT_REVIEW_LIMIT_YEARS):
        errors["next_review_on"] = _("The next review must fall within %(years)s years.") % {
            "years": NEXT_REVIEW_LIMIT_YEARS}
    if errors:
        raise ValidationError(errors)
    review.state = RetentionReview.State.KEPT
    review.reason = reason
    review.next_review_on = next_review_on
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "reason", "next_review_on", "decided_by", "decided_at"])
    record_event(action=Action.RETENTION_KEPT, actor=actor, target=review,
                 case_code=review.case.code, purpose=reason)
    return review


@transaction.atomic
def propose_shredding(*, actor: User, review: RetentionReview) -> ShredRequest:
    """Propose the case for shredding: the existing two-person request, reason
    "the retention period ended", which an org admin confirms or cancels."""
    review = _locked_open_review(actor, review)
    # request_shredding checks again, records SHRED_REQUESTED and tells the org admins.
    shred_request = request_shredding(
        actor=actor, case=review.case, reason=v.ShredReason.RETENTION_ENDED
    )
    review.state = RetentionReview.State.PROPOSED
    review.shred_request = shred_request
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "shred_request", "decided_by", "decided_at"])
    return shred_request


def withdraw_open_review(*, actor: User, case: Case) -> None:
    """The case was reopened: its open review leaves the queue (caller's transaction)."""
    for review in case.retention_reviews.select_for_update().filter(
        state=RetentionReview.State.OPEN
    ):
        review.state = RetentionReview.State.WITHDRAWN
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.save(update_fields=["state", "decided_by", "decided_at"])
        record_event(action=Action.RETENTION_REVIEW_WITHDRAWN, actor=actor, target=review,
                     case_code=case.code)
