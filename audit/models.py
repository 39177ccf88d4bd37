"""The access log: who did what to which record, when, from where, and with what outcome.

An event never holds survivor content — no names, narratives, notes or free text typed
by a user. Targets are named by type and id, and cases by their non-identifying code,
so auditors can read the whole log without seeing what the survivors told anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What happened. Later modules add their own actions here, never free text."""

    LOGIN_SUCCEEDED = "login.succeeded", _("Signed in with password")
    LOGIN_FAILED = "login.failed", _("Failed sign-in")
    LOGIN_LOCKED_OUT = "login.locked_out", _("Sign-in locked after repeated failures")
    LOGIN_UNLOCKED = "login.unlocked", _("Sign-in lockout lifted by an operator")
    LOGOUT = "logout", _("Signed out")
    SESSION_EXPIRED = "session.expired", _("Session expired")
    TWO_FACTOR_ENROLLED = "two_factor.enrolled", _("Two-factor authentication set up")
    TWO_FACTOR_VERIFIED = "two_factor.verified", _("Two-factor code accepted")
    TWO_FACTOR_FAILED = "two_factor.failed", _("Two-factor code refused")
    RECOVERY_CODE_USED = "two_factor.recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_REGENERATED = (
        "two_factor.recovery_codes_regenerated",
        _("Recovery codes replaced"),
    )
    TWO_FACTOR_RESET = "two_factor.reset", _("Two-factor authentication reset")
    PASSWORD_CHANGED = "password.changed", _("Password changed")
    PASSWORD_CHANGE_REFUSED = "password.change_refused", _("Password change refused")
    USER_CREATED = "user.created", _("User created")
    USER_UPDATED = "user.updated", _("User changed")
    USER_DEACTIVATED = "user.deactivated", _("User deactivated")
    USER_REACTIVATED = "user.reactivated", _("User reactivated")
    TEAM_CREATED = "team.created", _("Team created")
    TEAM_UPDATED = "team.updated", _("Team changed")
    USER_MANAGEMENT_DENIED = "user_management.denied", _("User management refused")
    # One-time links by which a person sets her own password (accounts.services).
    ORGANIZATION_CREATED = "organization.created", _("Organisation created")
    ORGANIZATION_UPDATED = "organization.updated", _("Organisation changed")
    INVITATION_SENT = "invitation.sent", _("Invitation link sent")
    INVITATION_OPENED = "invitation.opened", _("Invitation link opened")
    INVITATION_ACCEPTED = "invitation.accepted", _("Password set through an invitation link")
    INVITATION_REFUSED = "invitation.refused", _("Invitation link refused")
    PASSWORD_RESET = "password.reset", _("Password reset by an administrator")
    TWO_FACTOR_CHANGE_CONFIRMED = (
        "two_factor.change_confirmed",
        _("Password and code confirmed to change the second factor"),
    )
    TWO_FACTOR_CHANGE_REFUSED = (
        "two_factor.change_refused",
        _("Second-factor change refused"),
    )
    TWO_FACTOR_ENROLMENT_REFUSED = (
        "two_factor.enrolment_refused",
        _("Two-factor set-up refused without an invitation link"),
    )
    ROLE_GRANTED = "user.role_granted", _("Role that reads survivor records granted")
    # Superusers' changes in Django's admin (/django-admin/).
    ADMIN_ADDED = "admin.added", _("Added in the Django admin")
    ADMIN_CHANGED = "admin.changed", _("Changed in the Django admin")
    ADMIN_DELETED = "admin.deleted", _("Deleted in the Django admin")
    VAULT_INTEGRITY_FAILURE = "vault.integrity_failure", _("Encrypted value failed to open")
    VAULT_KEY_CREATED = "vault.key_created", _("Data key created")
    VAULT_KEYS_ROTATED = "vault.keys_rotated", _("Master key rotated")
    VAULT_OWNER_SHREDDED = "vault.owner_shredded", _("Survivor data shredded")
    BLIND_INDEXES_RECOMPUTED = (
        "vault.blind_indexes_recomputed",
        _("Duplicate-detection indexes recomputed"),
    )
    CASE_LIST_VIEWED = "case.list_viewed", _("Case list viewed")
    # One per case a list, search, home page or export showed (cases.sightings): the
    # case's trail names everyone who saw her name, not only those who opened the case.
    CASE_LISTED = "case.listed", _("Case shown in a list")
    CASE_VIEWED = "case.viewed", _("Case viewed")
    # Where her organisation labels cases by their code only (cases.labels), showing the
    # survivor's name on the case header is a click of its own, recorded as such.
    CASE_NAME_REVEALED = "case.name_revealed", _("Survivor's name shown on the case header")
    CASE_HISTORY_VIEWED = "case.history_viewed", _("Case history viewed")
    CASE_REGISTERED = "case.registered", _("Intake registered")
    CASE_UPDATED = "case.updated", _("Case changed")
    CASE_ASSIGNED = "case.assigned", _("Case assigned")
    CASE_SHARED = "case.shared", _("Case shared with a colleague")
    CASE_UNSHARED = "case.unshared", _("Case sharing ended")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_REOPENED = "case.reopened", _("Case reopened")
    CASE_LINKED = "case.linked", _("Cases linked")
    DUPLICATE_CHECKED = "case.duplicate_checked", _("Duplicate check at intake")
    NOTE_ADDED = "note.added", _("Note added")
    ATTACHMENT_ADDED = "attachment.added", _("Attachment added")
    ATTACHMENT_DOWNLOADED = "attachment.downloaded", _("Attachment downloaded")
    CONSENT_RECORDED = "consent.recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    FOLLOW_UP_ADDED = "follow_up.added", _("Follow-up scheduled")
    FOLLOW_UP_DONE = "follow_up.done", _("Follow-up done")
    RISK_ASSESSED = "risk.assessed", _("Risk assessed")
    SAFETY_PLAN_UPDATED = "safety_plan.updated", _("Safety plan changed")
    EMERGENCY_ACCESS_GRANTED = "emergency_access.granted", _("Emergency access opened")
    SHRED_REQUESTED = "shred.requested", _("Shredding requested")
    SHRED_CONFIRMED = "shred.confirmed", _("Shredding confirmed")
    SHRED_CANCELLED = "shred.cancelled", _("Shredding request cancelled")
    CASE_DISCARDED = "case.discarded", _("New case discarded by the person who registered it")
    # Retention review of closed cases (cases.services.retention): the worker opens a
    # review when a case's retention period ends; a supervisor keeps it or proposes it
    # for shredding (recorded as SHRED_REQUESTED); a reopened case's review is withdrawn.
    RETENTION_REVIEW_OPENED = "retention.review_opened", _("Retention review opened")
    RETENTION_KEPT = "retention.kept", _("Closed case kept after its retention review")
    RETENTION_REVIEW_WITHDRAWN = (
        "retention.review_withdrawn", _("Retention review withdrawn: the case was reopened")
    )
    # Referrals (referrals/): one action per workflow step, and the looks at them.
    REFERRAL_CREATED = "referral.created", _("Referral drafted")
    REFERRAL_UPDATED = "referral.updated", _("Referral draft changed")
    REFERRAL_SUBMITTED = "referral.submitted", _("Referral submitted for approval")
    REFERRAL_APPROVED = "referral.approved", _("Referral approved and sent")
    REFERRAL_RETURNED = "referral.returned", _("Referral returned to the caseworker")
    REFERRAL_SENT_EMERGENCY = "referral.sent_emergency", _("Referral sent as an emergency")
    REFERRAL_REVIEWED = "referral.reviewed", _("Emergency referral reviewed")
    REFERRAL_ACCEPTED = "referral.accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral.declined", _("Referral declined")
    REFERRAL_COMPLETED = "referral.completed", _("Referral completed")
    REFERRAL_WITHDRAWN = "referral.withdrawn", _("Referral withdrawn")
    REFERRAL_VIEWED = "referral.viewed", _("Referral viewed")
    REFERRAL_LIST_VIEWED = "referral.list_viewed", _("Referral list viewed")
    PACKET_VIEWED = "referral.packet_viewed", _("Referral packet opened")
    PACKET_PRINTED = "referral.packet_printed", _("Referral form printed")
    PACKET_CLOSED = "referral.packet_closed", _("Referral packet closed")
    INBOX_VIEWED = "referral.inbox_viewed", _("Referral inbox viewed")
    DIRECTORY_SEARCHED = "directory.searched", _("Service directory searched")
    SERVICE_SAVED = "directory.service_saved", _("Service directory entry saved")
    PLACES_UPDATED = "directory.places_updated", _("Free places updated")
    # Support plans and the assistance record (plans/).
    PLAN_VIEWED = "plan.viewed", _("Support plan viewed")
    PLAN_STARTED = "plan.started", _("Support plan started")
    PLAN_CHANGED = "plan.changed", _("Support plan changed")
    PLAN_SUBMITTED = "plan.submitted", _("Support plan submitted for approval")
    PLAN_APPROVED = "plan.approved", _("Support plan approved")
    PLAN_RETURNED = "plan.returned", _("Support plan returned to the caseworker")
    PLAN_REVIEWED = "plan.reviewed", _("Support plan reviewed")
    PLAN_CLOSED = "plan.closed", _("Support plan closed")
    PLAN_PRINTED = "plan.printed", _("Copy of the support plan printed")
    ASSISTANCE_RECORDED = "assistance.recorded", _("Assistance recorded")
    ASSISTANCE_CONFIRMED = "assistance.confirmed", _("Assistance entry confirmed")
    # The auditor's own work is on the record too.
    AUDIT_SEARCHED = "audit.searched", _("Access log searched")
    AUDIT_EXPORTED = "audit.exported", _("Access log exported")
    AUDIT_CASE_ACCESS_VIEWED = "audit.case_access_viewed", _("Case access trail viewed")
    AUDIT_PERSON_ACTIVITY_VIEWED = (
        "audit.person_activity_viewed",
        _("A person's activity viewed"),
    )
    AUDIT_ANOMALIES_VIEWED = "audit.anomalies_viewed", _("Anomalies viewed")
    AUDIT_ACCESS_DENIED = "audit.denied", _("Access log refused")
    GRANT_REVIEWED = "emergency_access.reviewed", _("Emergency access reviewed")
    # Statistics, reports and exports (reports/).
    STATISTICS_VIEWED = "statistics.viewed", _("Statistics viewed")
    MONTHLY_REPORT_VIEWED = "statistics.monthly_report_viewed", _("Monthly report viewed")
    CTDC_EXPORTED = "export.ctdc", _("Anonymised CTDC export downloaded")
    CASES_EXPORTED = "export.cases", _("Organisation's case export downloaded")
    # The auditor's reading of the export records (reports/, /audit/exports/).
    AUDIT_EXPORTS_VIEWED = "audit.exports_viewed", _("List of exports viewed")
    AUDIT_EXPORT_VIEWED = "audit.export_viewed", _("Case codes of an export viewed")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
    ERROR = "error", _("Error")


class AccessEvent(models.Model):
    occurred_at = models.DateTimeField(_("when (UTC)"), default=timezone.now, db_index=True)
    # PROTECT: users are deactivated, never deleted, so their trail stays whole.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_events",
        help_text=_("Empty for system jobs and for sign-in attempts with an unknown username."),
    )
    # Copies made at the time, so renaming or moving a user later does not rewrite history.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_events",
    )
    action = models.CharField(_("action"), max_length=64, choices=Action.choices)
    target_type = models.CharField(
        _("target type"), max_length=64, blank=True, help_text=_("For example “case” or “user”.")
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    case_code = models.CharField(
        _("case code"), max_length=32, blank=True, help_text=_("Never a survivor's name.")
    )
    purpose = models.CharField(
        _("purpose"), max_length=64, blank=True, help_text=_("A code from a fixed list.")
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    source_address = models.GenericIPAddressField(_("source address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at"]),
            models.Index(fields=["actor", "-occurred_at"]),
            models.Index(fields=["case_code", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"


class EventSeal(models.Model):
    """One link of the hash chain over the access log (``audit.chain``).

    Seals are written after the event's transaction commits, in the order events are
    sealed: ``sequence`` 1, 2, 3 … with no gaps. ``hash`` is SHA-256 of ``prev_hash``
    followed by the event's canonical JSON, so editing, removing, reordering or slipping
    in an event breaks the chain at that point. Insert-only, like the events
    (``audit.append_only``).
    """

    sequence = models.BigIntegerField(_("sequence"), primary_key=True)
    # Not a foreign key: a deleted event must leave its seal behind, as evidence.
    event_id = models.BigIntegerField(_("event id"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    class Meta:
        verbose_name = _("event seal")
        verbose_name_plural = _("event seals")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"seal {self.sequence} of event {self.event_id}"
