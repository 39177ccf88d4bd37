"""Coded values of the support plan and the assistance record.

The areas follow the assistance categories of the Human Trafficking Case Data Standard
(HTCDS v2), as IOM's direct-assistance handbook and Primero's case plans group them.
Statistics count assistance by these codes alone: nothing here may identify her.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import vocabularies as cv


class Area(models.TextChoices):
    """What a goal is about and what kind of assistance an entry records."""

    SAFETY = "safety", _("Safety")
    ACCOMMODATION = "accommodation", _("Accommodation")
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL = "legal", _("Legal and justice")
    DOCUMENTS = "documents", _("Documents and migration status")
    LIVELIHOOD = "livelihood", _("Livelihood and vocational training")
    EDUCATION = "education", _("Education")
    FAMILY = "family", _("Family contact and reunification")
    RETURN = "return", _("Return and reintegration")
    OTHER = "other", _("Other assistance")


# The area a completed referral's assistance is counted under, by the service's type.
AREA_OF_SERVICE_TYPE: dict[str, str] = {
    cv.ServiceType.SHELTER: Area.ACCOMMODATION,
    cv.ServiceType.MEDICAL: Area.HEALTH,
    cv.ServiceType.PSYCHOSOCIAL: Area.PSYCHOSOCIAL,
    cv.ServiceType.LEGAL_AID: Area.LEGAL,
    cv.ServiceType.PROTECTION: Area.SAFETY,
    cv.ServiceType.FAMILY_SUPPORT: Area.FAMILY,
    cv.ServiceType.RETURN: Area.RETURN,
    cv.ServiceType.DOCUMENTATION: Area.DOCUMENTS,
    cv.ServiceType.LIVELIHOOD: Area.LIVELIHOOD,
    cv.ServiceType.INTERPRETATION: Area.OTHER,
    cv.ServiceType.OTHER: Area.OTHER,
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    # "Reviewed" elsewhere labels lists of things (plural in Spanish): this one is a plan.
    REVIEWED = "reviewed", pgettext_lazy("plan status", "Reviewed")
    CLOSED = "closed", _("Closed")


# A plan in force: approved, and perhaps reviewed since.
IN_FORCE = (PlanStatus.APPROVED, PlanStatus.REVIEWED)


class PlanStep(models.TextChoices):
    """What happened to a plan, as its own rows say (``PlanEvent``)."""

    STARTED = "started", _("Plan started")
    CHANGED = "changed", _("Goals or agreement changed")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to the caseworker")
    REVIEWED = "reviewed", _("Reviewed")
    FINAL_REVIEW = "final_review", _("Final review")
    CLOSED_WITH_CASE = "closed_with_case", _("Closed with the case")


class AgreedBy(models.TextChoices):
    SURVIVOR = "survivor", _("She agreed herself")
    GUARDIAN_WITH_ASSENT = "guardian_with_assent", _("Her guardian agreed, with her assent")


class Performer(models.TextChoices):
    """Who carries out an action of the plan."""

    CASEWORKER = "caseworker", _("Her caseworker")
    COLLEAGUE = "colleague", _("A colleague")
    PROVIDER = "provider", _("A provider, through a referral")
    SURVIVOR = "survivor", _("She herself")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class DropReason(models.TextChoices):
    SHE_DECIDED = "she_decided", _("She no longer wants it")
    NOT_NEEDED = "not_needed", _("No longer needed")
    NOT_AVAILABLE = "not_available", _("The service is not available")
    REPLACED = "replaced", _("Replaced by another action")
    UNSAFE = "unsafe", _("Not safe for her now")


class Progress(models.TextChoices):
    """Progress of a goal at a periodic review."""

    NOT_STARTED = "not_started", _("Not started")
    SOME_PROGRESS = "some_progress", _("Some progress")
    ON_TRACK = "on_track", _("On track")
    MET = "met", _("Met")
    STALLED = "stalled", _("Stalled")


class FinalOutcome(models.TextChoices):
    """How far a goal was met when the case closed."""

    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic review")
    FINAL = "final", _("Final review")


class Unit(models.TextChoices):
    """What an assistance entry's quantity counts, where a count means something."""

    NIGHTS = "nights", _("nights of shelter")
    SESSIONS = "sessions", _("sessions")
    CONSULTATIONS = "consultations", _("consultations")
    DAYS = "days", _("days")
    ITEMS = "items", _("items")


class AssistanceStatus(models.TextChoices):
    TO_CONFIRM = "to_confirm", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")


class AssistanceSource(models.TextChoices):
    RECORDED = "recorded", _("Recorded by the team")
    REFERRAL = "referral", _("From a completed referral")


class PrintPart(models.TextChoices):
    """What the copy for her may show; the caseworker ticks what she wants on it."""

    NAME = "name", _("Her name")
    GOALS = "goals", _("Her goals")
    ACTIONS = "actions", _("Actions and who does them")
    DUE_DATES = "due_dates", _("Due dates")
    NEXT_REVIEW = "next_review", _("Date of the next review")
    CASEWORKER = "caseworker", _("Her caseworker's name")


PRINT_DEFAULTS = [PrintPart.GOALS, PrintPart.ACTIONS, PrintPart.DUE_DATES, PrintPart.NEXT_REVIEW]
