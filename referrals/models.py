"""The service directory, referrals, their event trail and the mail they owe.

Data classes (DESIGN §3): the referral's reason, notes typed by people and the sealed
packet are narrative and sealed with the survivor's key (``owner="survivor_id"``); a
shelter's address is sealed with the offering's own key, so it never sits in clear in a
table that other organisations' pages read. States, urgencies, reasons and dates are
operational and plain.

Nothing here decides who may do what: that is ``referrals.workflow`` (the transition
table), ``referrals.services`` (writes) and ``referrals.queries`` (reads).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases import vocabularies as cv
from referrals import vocabularies as rv
from vault.fields import EncryptedField


def _uuid_pk() -> models.UUIDField:
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class ServiceOffering(models.Model):
    """One service an organisation of the network offers, as the directory lists it."""

    id = _uuid_pk()
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="service_offerings",
    )
    service_type = models.CharField(
        _("service type"), max_length=32, choices=cv.ServiceType.choices
    )
    name = models.CharField(_("name of the service"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the service offers and to whom.")
    )
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    accepts_children = models.BooleanField(_("accepts children"), default=False)
    genders_served = models.JSONField(
        _("genders served"), default=list, blank=True, help_text=_("None ticked: everyone.")
    )
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    # Shown only inside the provider's own organisation (a shelter's address is a secret).
    address = EncryptedField(_("address"), owner="id", null=True, blank=True)
    total_places = models.PositiveIntegerField(_("places in all"), null=True, blank=True)
    free_places = models.PositiveIntegerField(_("free places"), null=True, blank=True)
    places_updated_at = models.DateTimeField(_("places updated"), null=True, blank=True)
    active = models.BooleanField(_("taking referrals"), default=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["service_type", "city", "name"]
        indexes = [models.Index(fields=["service_type", "active", "city"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def is_shelter(self) -> bool:
        return self.service_type == cv.ServiceType.SHELTER

    @property
    def is_full(self) -> bool:
        return self.is_shelter and self.free_places == 0

    def serves_gender(self, gender: str) -> bool:
        return not self.genders_served or not gender or gender in self.genders_served


class Referral(models.Model):
    """A survivor's referral from her case to one service of the network (DESIGN §7)."""

    id = _uuid_pk()
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey(
        ServiceOffering, verbose_name=_("service"), on_delete=models.PROTECT,
        related_name="referrals",
    )
    # The provider's organisation, copied from the offering: the partner inbox's key.
    provider = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="referrals_received"
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=rv.Urgency.choices)
    state = models.CharField(
        _("status"), max_length=16, choices=rv.State.choices, default=rv.State.DRAFT
    )
    reason = EncryptedField(_("why she is referred"), owner="survivor_id", null=True)
    # What the caseworker ticked to share (codes), and the notes she chose (ids).
    items = models.JSONField(_("what to share"), default=list, blank=True)
    note_ids = models.JSONField(default=list, blank=True)
    # Sharing beyond the service type's minimum: only for a risk to life, with a reason.
    beyond_minimum_reason = EncryptedField(
        _("risk to life: why more is shared"), owner="survivor_id", null=True
    )
    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    confirmed_without_places = models.BooleanField(default=False)
    # The sealed snapshot the provider reads; emptied when the referral is withdrawn.
    packet = EncryptedField(owner="survivor_id", null=True)
    packet_sealed_at = models.DateTimeField(null=True, blank=True)
    # A packet ends when it is no longer needed (declined, kept its time after completion,
    # or the consent it relied on withdrawn): emptied, with when and why (issue 12).
    packet_ended_at = models.DateTimeField(null=True, blank=True)
    packet_end = models.CharField(max_length=32, choices=rv.PacketEnd.choices, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    return_note = EncryptedField(_("why it was returned"), owner="survivor_id", null=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)

    emergency = models.BooleanField(_("sent as an emergency"), default=False)
    emergency_reason = EncryptedField(_("why it could not wait"), owner="survivor_id", null=True)
    review_finding = models.CharField(
        _("review"), max_length=16, choices=rv.ReviewFinding.choices, blank=True
    )
    review_note = EncryptedField(_("review note"), owner="survivor_id", null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decline_reason = models.CharField(
        _("why it was declined"), max_length=32, choices=rv.DeclineReason.choices, blank=True
    )
    decline_note = EncryptedField(_("note on the decline"), owner="survivor_id", null=True)
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=rv.CompletionOutcome.choices, blank=True
    )
    outcome_note = EncryptedField(_("note on the outcome"), owner="survivor_id", null=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    withdraw_reason = models.CharField(
        _("why it was withdrawn"), max_length=32, choices=rv.WithdrawReason.choices, blank=True
    )
    withdraw_note = EncryptedField(_("note on the withdrawal"), owner="survivor_id", null=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The packet is left out of the history so that emptying it really removes it.
    history = HistoricalRecords(excluded_fields=["packet"])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["provider", "state", "due_at"]),
            models.Index(fields=["case", "state"]),
            models.Index(fields=["state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"referral {self.id} ({self.state})"

    @property
    def is_overdue(self) -> bool:
        return (
            self.state == rv.State.SENT
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    @property
    def awaits_review(self) -> bool:
        return self.emergency and not self.review_finding and self.sent_at is not None


class ReferralEvent(models.Model):
    """One step of a referral's workflow: from, to, who, why (a code), when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("step"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=rv.State.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=rv.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class OutgoingMail(models.Model):
    """A notification Amparo owes someone. Written in the transition's transaction, so it
    is never lost; delivered by a background task and retried until it leaves."""

    class Kind(models.TextChoices):
        TO_APPROVE = "to_approve", _("A referral awaits your approval")
        TO_REVIEW = "to_review", _("An emergency referral awaits your review")
        TO_ANSWER = "to_answer", _("A new referral for your organisation")
        RETURNED = "returned", _("Your referral was returned")
        ANSWERED = "answered", _("Your referral was answered")
        COMPLETED = "completed", _("Your referral was completed")
        WITHDRAWN = "withdrawn", _("A referral was withdrawn")

    id = _uuid_pk()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="mails")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class name only: a mail server's message may quote the address.
    last_error = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
