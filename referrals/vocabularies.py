"""The referral vocabularies: states, urgencies, reasons, outcomes and packet items.

Stored as codes; labels are translated. What a packet may hold, and what each service
type needs at least ("minimum necessary", DOMAIN.md), is data here, not logic in views.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import vocabularies as cv


class State(models.TextChoices):
    # A context of their own: in Spanish a referral's states agree with "derivación".
    DRAFT = "draft", pgettext_lazy("referral state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("referral state", "Awaiting approval")
    SENT = "sent", pgettext_lazy("referral state", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral state", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral state", "Declined")
    COMPLETED = "completed", pgettext_lazy("referral state", "Completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral state", "Withdrawn")


# States in which the provider has the packet in hand (or had it).
SENT_STATES = (State.SENT, State.ACCEPTED, State.DECLINED, State.COMPLETED, State.WITHDRAWN)
# States that still call for someone to act.
OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.SENT, State.ACCEPTED)


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (answer within 24 hours)")
    URGENT = "urgent", _("Urgent (answer within 72 hours)")
    NORMAL = "normal", _("Normal (answer within two weeks)")


RESPONSE_TIME = {
    Urgency.EMERGENCY: timedelta(hours=24),
    Urgency.URGENT: timedelta(hours=72),
    Urgency.NORMAL: timedelta(weeks=2),
}


class PacketEnd(models.TextChoices):
    """Why a sent packet no longer opens, although the referral was not withdrawn."""

    DECLINED = "declined", _("The referral was declined")
    EXPIRED = "expired", _("The time to keep it after completion ran out")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("She withdrew the consent it relied on")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for this service")
    UNREACHABLE = "unreachable", _("Survivor could not be reached")
    OTHER = "other", _("Other")


class WithdrawReason(models.TextChoices):
    SURVIVOR_DECLINED = "survivor_declined", _("She no longer wants this service")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Her consent was withdrawn")
    NEED_MET = "need_met", _("The need was met another way")
    WRONG_PROVIDER = "wrong_provider", _("Sent to the wrong provider")
    SAFETY = "safety", _("Her safety requires it")
    LOST_CONTACT = "lost_contact", _("Contact with her was lost")
    OTHER = "other", _("Other")
    # Never chosen by a person: set when her data is shredded (two people confirmed it).
    DATA_ERASED = "data_erased", _("Her data was erased")


# The reasons a person may choose when she withdraws a referral.
CHOSEN_WITHDRAW_REASONS = [
    (value, label) for value, label in WithdrawReason.choices
    if value != WithdrawReason.DATA_ERASED
]


class CompletionOutcome(models.TextChoices):
    SERVICE_PROVIDED = "service_provided", _("Service provided")
    PARTLY_PROVIDED = "partly_provided", _("Service partly provided")
    SURVIVOR_LEFT = "survivor_left", _("She left the service")
    NOT_PROVIDED = "not_provided", _("Service could not be provided")


class ReviewFinding(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed: the emergency send was right")
    CONCERN = "concern", _("Concern raised")


class PacketItem(models.TextChoices):
    """What the caseworker may tick to share, in the order the packet shows it."""

    NAME = "name", _("Name")
    ALIASES = "aliases", _("Other names she uses")
    AGE_BAND = "age_band", _("Age band")
    BIRTH_DATE = "birth_date", _("Birth date")
    GENDER = "gender", _("Gender")
    NATIONALITY = "nationality", _("Nationality")
    LANGUAGES = "languages", _("Languages")
    SAFE_CONTACT = "safe_contact", _("Safe contact")
    GUARDIAN = "guardian", _("Guardian")
    NEEDS = "needs", _("Needs")
    RISK = "risk", _("Risk summary")
    NOTES = "notes", _("Chosen notes")


# The consent scope (cases.vocabularies.ConsentScope) each item falls under: an item is
# shared only when the consent that covers the referral allows its scope.
ITEM_SCOPE = {
    PacketItem.NAME: cv.ConsentScope.IDENTITY,
    PacketItem.ALIASES: cv.ConsentScope.IDENTITY,
    PacketItem.AGE_BAND: cv.ConsentScope.AGE,
    PacketItem.BIRTH_DATE: cv.ConsentScope.AGE,
    PacketItem.GENDER: cv.ConsentScope.IDENTITY,
    PacketItem.NATIONALITY: cv.ConsentScope.IDENTITY,
    PacketItem.LANGUAGES: cv.ConsentScope.LANGUAGES,
    PacketItem.SAFE_CONTACT: cv.ConsentScope.SAFE_CONTACT,
    PacketItem.GUARDIAN: cv.ConsentScope.IDENTITY,
    PacketItem.NEEDS: cv.ConsentScope.NEEDS,
    PacketItem.RISK: cv.ConsentScope.RISK,
    PacketItem.NOTES: cv.ConsentScope.NARRATIVE,
}

_I = PacketItem
_COMMON = (_I.NAME, _I.LANGUAGES, _I.SAFE_CONTACT)
# "Minimum necessary" per service type: pre-selected at submission. Sharing more is
# allowed only for a risk to life, with the reason recorded (DOMAIN.md).
MINIMUM_NECESSARY = {
    cv.ServiceType.SHELTER: (*_COMMON, _I.AGE_BAND, _I.GENDER, _I.NEEDS, _I.RISK, _I.GUARDIAN),
    cv.ServiceType.MEDICAL: (*_COMMON, _I.BIRTH_DATE, _I.GENDER, _I.NEEDS, _I.GUARDIAN),
    cv.ServiceType.PSYCHOSOCIAL: (*_COMMON, _I.AGE_BAND, _I.GENDER, _I.GUARDIAN),
    cv.ServiceType.LEGAL_AID: (*_COMMON, _I.BIRTH_DATE, _I.NATIONALITY, _I.GUARDIAN),
    cv.ServiceType.PROTECTION: (*_COMMON, _I.BIRTH_DATE, _I.NATIONALITY, _I.RISK, _I.GUARDIAN),
    cv.ServiceType.FAMILY_SUPPORT: (*_COMMON, _I.GUARDIAN),
    cv.ServiceType.RETURN: (*_COMMON, _I.BIRTH_DATE, _I.NATIONALITY, _I.GUARDIAN),
    cv.ServiceType.DOCUMENTATION: (_I.NAME, _I.LANGUAGES, _I.BIRTH_DATE, _I.NATIONALITY),
    cv.ServiceType.LIVELIHOOD: (*_COMMON, _I.AGE_BAND),
    cv.ServiceType.INTERPRETATION: (_I.LANGUAGES, _I.SAFE_CONTACT),
    cv.ServiceType.OTHER: _COMMON,
}


def minimum_necessary(service_type: str) -> tuple[str, ...]:
    return tuple(str(item) for item in MINIMUM_NECESSARY.get(service_type, _COMMON))
