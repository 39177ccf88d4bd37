"""The support plan, its goals, actions and reviews, and the assistance record.

Data classes (DESIGN §3): her goals in her own words, the actions' descriptions, review
notes, the agreement note and assistance notes are narrative and sealed with the
survivor's key (``owner="survivor_id"``), so shredding her key destroys them with the
rest of her record. Areas, statuses, dates, quantities and providers are coded or
operational, plain for lists and statistics. Every model with sealed values has a UUID
primary key made in Python and a history that copies the ciphertext.

Nothing here decides who may see or do what: ``plans.queries`` (reads) and
``plans.services`` (writes) do.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases import vocabularies as cv
from plans import vocabularies as pv
from referrals import vocabularies as rv
from vault.fields import EncryptedField


def _uuid_pk() -> models.UUIDField:
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class Plan(models.Model):
    """The one current support plan of a case; earlier versions live in its history."""

    id = _uuid_pk()
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="plan"
    )
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=32, choices=pv.PlanStatus.choices, default=pv.PlanStatus.DRAFT
    )
    # Raised by the first substantial change after an approval: that version needs one too.
    version = models.PositiveIntegerField(_("version"), default=1)

    # How she agreed to it (DOMAIN.md: a child's plan is agreed by her guardian, with her
    # assent). The note may say who was there and what she said: sealed.
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreement_method = models.CharField(
        _("how"), max_length=16, choices=cv.ConsentMethod.choices, blank=True
    )
    agreed_by = models.CharField(
        _("agreed by"), max_length=32, choices=pv.AgreedBy.choices, blank=True
    )
    child_assent = models.BooleanField(_("she gave her assent"), default=False)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=16, choices=cv.Language.choices, blank=True
    )
    agreement_note = EncryptedField(_("note on the agreement"), owner="survivor_id", null=True)

    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        indexes = [models.Index(fields=["status", "next_review_on"])]

    def __str__(self) -> str:
        return f"plan {self.pk} ({self.status})"

    @property
    def is_in_force(self) -> bool:
        return self.status in pv.IN_FORCE

    @property
    def was_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.status != pv.PlanStatus.CLOSED
            and self.next_review_on is not None
            and self.next_review_on < timezone.localdate()
        )


class PlanEvent(models.Model):
    """One step in a plan's life: what, from and to which status, who, which version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=32, choices=pv.PlanStep.choices)
    from_status = models.CharField(max_length=32, choices=pv.PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=pv.PlanStatus.choices)
    version = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")

    def __str__(self) -> str:
        return f"{self.step}: {self.from_status} → {self.to_status}"


class Goal(models.Model):
    """What she wants to achieve, in her own words, in one area."""

    id = _uuid_pk()
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    area = models.CharField(_("area"), max_length=32, choices=pv.Area.choices)
    position = models.PositiveSmallIntegerField(default=0)
    wording = EncryptedField(_("the goal, in her words"), owner="survivor_id")
    created_at = models.DateTimeField(default=timezone.now)
    final_outcome = models.CharField(
        _("final outcome"), max_length=16, choices=pv.FinalOutcome.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"goal {self.pk} ({self.area})"


class GoalAction(models.Model):
    """One thing to do towards a goal: who does it, by when, and how far it got."""

    id = _uuid_pk()
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    description = EncryptedField(_("what will be done"), owner="survivor_id")
    performer = models.CharField(_("who does it"), max_length=16, choices=pv.Performer.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("colleague"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    referral = models.ForeignKey(
        "referrals.Referral", verbose_name=_("referral"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=pv.ActionStatus.choices,
        default=pv.ActionStatus.PLANNED,
    )
    drop_reason = models.CharField(
        _("why it was dropped"), max_length=16, choices=pv.DropReason.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"action {self.pk} ({self.status})"

    @property
    def is_late(self) -> bool:
        return (
            self.status in (pv.ActionStatus.PLANNED, pv.ActionStatus.IN_PROGRESS)
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Review(models.Model):
    """A periodic or final review of the plan: a sealed note and progress per goal."""

    id = _uuid_pk()
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=pv.ReviewKind.choices)
    plan_version = models.PositiveIntegerField()
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedField(_("review note"), owner="survivor_id", null=True)
    # A final review closes the case: with the closure reason that exists for cases.
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=cv.ClosureReason.choices, blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-recorded_at"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.kind} review {self.pk}"


class GoalProgress(models.Model):
    """How far one goal got, as one review judged it (coded only)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    # A periodic review's ``Progress`` or a final review's ``FinalOutcome``.
    rating = models.CharField(_("progress"), max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="one_rating_per_goal_review")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.rating}"

    @property
    def rating_label(self) -> str:
        labels = {**dict(pv.Progress.choices), **dict(pv.FinalOutcome.choices)}
        return str(labels.get(self.rating, self.rating))


class AssistanceEntry(models.Model):
    """One service she received: what kind, when, how much, from whom, for which action.

    The coded fields (category, dates, quantity and unit, provider, source) are what the
    statistics count; the note is sealed. An entry a completed referral made waits for
    the caseworker to confirm or correct it.
    """

    id = _uuid_pk()
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assistance")
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("kind of assistance"), max_length=32, choices=pv.Area.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=pv.Unit.choices, blank=True)
    provider = models.ForeignKey(
        "accounts.Organization", verbose_name=_("provided by"), on_delete=models.PROTECT,
        related_name="+",
    )
    goal_action = models.ForeignKey(
        GoalAction, verbose_name=_("for the action"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="assistance",
    )
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True,
        related_name="assistance_entry",
    )
    source = models.CharField(max_length=16, choices=pv.AssistanceSource.choices)
    partner_outcome = models.CharField(
        _("the provider's outcome"), max_length=32, choices=rv.CompletionOutcome.choices,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=pv.AssistanceStatus.choices,
        default=pv.AssistanceStatus.CONFIRMED,
    )
    note = EncryptedField(_("note"), owner="survivor_id", null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-recorded_at"]
        verbose_name = _("assistance received")
        verbose_name_plural = _("assistance received")
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["category", "started_on"]),
        ]

    def __str__(self) -> str:
        return f"assistance {self.pk} ({self.category})"
