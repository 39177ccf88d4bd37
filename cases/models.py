"""Survivors, their cases and everything recorded in them.

Data classes (DESIGN §3): identifying and narrative values are ``EncryptedField``s sealed
with the survivor's own data key (``owner="survivor_id"``, or ``"id"`` on the survivor);
coded values are plain choices for filters and statistics; operational values (codes,
statuses, owners, dates) are plain. Every model with sealed values has a UUID primary
key made in Python, because the row id is bound into each sealed value.

Nothing here decides who may see or do what: that is ``cases.queries`` (reads) and
``cases.services`` (writes).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases import vocabularies as v
from vault.blind_index import BlindIndex, Part
from vault.fields import BlindIndexField, EncryptedField, EncryptedFileField

# Duplicate detection at intake and exact-name search (DESIGN §4). One blind index per
# row (vault/blind_index.py, "one bit budget per row"): the survivor's row carries her
# full name's only, and the birth year is compared after opening; a second index of the
# same name with the year would narrow the pair to nearly one woman. Keys are derived per
# organisation (``cases.indexing``).
NAME_INDEX = BlindIndex("survivor.full_name", [Part("full_name")])
DOCUMENT_INDEX = BlindIndex("survivor.document_number", [Part("document_number")])


def _uuid_pk() -> models.UUIDField:
    return models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class Survivor(models.Model):
    """A person supported by the network. Her identity is sealed with her own key."""

    id = _uuid_pk()
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="survivors",
    )
    # Identifying, sealed.
    given_names = EncryptedField(_("given names"), owner="id", null=True)
    family_names = EncryptedField(_("family names"), owner="id", null=True)
    aliases = EncryptedField(_("aliases"), owner="id", null=True)
    birth_date = EncryptedField(_("birth date"), owner="id", null=True)
    estimated_age = EncryptedField(_("estimated age"), owner="id", null=True)
    family_contacts = EncryptedField(_("family contacts"), owner="id", null=True)
    guardian = EncryptedField(_("guardian"), owner="id", null=True)
    # Safe contact: the channel is coded so that "do not contact" shows in every list;
    # the number or address, safe times, message rule and code word are sealed together.
    contact_channel = models.CharField(
        _("contact channel"), max_length=32, choices=v.ContactChannel.choices, blank=True
    )
    safe_contact = EncryptedField(_("safe contact"), owner="id", null=True)
    # Coded, plain.
    gender = models.CharField(_("gender"), max_length=32, choices=v.Gender.choices, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=16, choices=v.Nationality.choices, blank=True
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    age_band = models.CharField(
        _("age band"), max_length=16, choices=v.AgeBand.choices, default=v.AgeBand.UNKNOWN
    )
    # The blind index for duplicate detection; shared by many survivors on purpose.
    name_key = BlindIndexField(index=NAME_INDEX.name)
    # Which index key and width computed name_key (``BlindIndex.version``); a row whose
    # version is not the current one is recomputed by ``reindex_blind_indexes``.
    index_version = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    shredded_at = models.DateTimeField(_("shredded"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["name_key", "index_version"])

    class Meta:
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")

    def __str__(self) -> str:
        return f"survivor {self.pk}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None


class SurvivorDocument(models.Model):
    """An identity document; the number is sealed and blind-indexed for duplicates."""

    id = _uuid_pk()
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document type"), max_length=32, choices=v.DocumentType.choices)
    number = EncryptedField(_("number"), owner="survivor_id")
    issuing_country = models.CharField(
        _("issued by"), max_length=16, choices=v.Nationality.choices, blank=True
    )
    number_key = BlindIndexField(index=DOCUMENT_INDEX.name)
    index_version = models.CharField(max_length=32, blank=True, editable=False)
    held_by_survivor = models.BooleanField(
        _("she has it"),
        default=True,
        help_text=_("Untick when the network or someone else holds it."),
    )

    history = HistoricalRecords(excluded_fields=["number_key", "index_version"])

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.survivor_id})"


class CaseCodeCounter(models.Model):
    """The last case number given out per organisation and year (see ``allocate_code``)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="one_counter_per_org_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_number}"


class Case(models.Model):
    """One episode of support for one survivor (she may have several over the years)."""

    id = _uuid_pk()
    code = models.CharField(_("case code"), max_length=32)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="cases"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    status = models.CharField(
        _("status"), max_length=32, choices=v.CaseStatus.choices, default=v.CaseStatus.OPEN
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=v.ClosureReason.choices, blank=True
    )
    opened_on = models.DateField(_("opened"), default=date.today)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    # Minors (DOMAIN.md): when she may be under 18, she is treated as a child.
    is_child = models.BooleanField(_("child"), default=False)
    age_uncertain = models.BooleanField(_("age uncertain"), default=False)

    # Current risk, copied from the latest assessment for lists and dashboards.
    risk_level = models.CharField(
        _("risk level"), max_length=16, choices=v.RiskLevel.choices, blank=True
    )
    next_risk_review_on = models.DateField(_("next risk review"), null=True, blank=True)

    # Where she was identified: a region, coded and not sealed (it identifies no one;
    # docs/security.md). Counted by the statistics; not in the CTDC export (reports/ctdc.py).
    identification_place = models.CharField(
        _("place of identification"), max_length=16, choices=v.IdentificationPlace.choices,
        blank=True,
    )

    # Trafficking profile, coded.
    trafficking_status = models.CharField(
        _("trafficking status"),
        max_length=32,
        choices=v.TraffickingStatus.choices,
        default=v.TraffickingStatus.POSSIBLE,
    )
    determined_by = models.CharField(
        _("determined by"), max_length=32, choices=v.DeterminedBy.choices, blank=True
    )
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    labour_industry = models.CharField(
        _("industry"), max_length=32, choices=v.LabourIndustry.choices, blank=True
    )
    # Several at once, as HTCDS records them: a cousin who was herself a victim is both a
    # relative and another victim recruiting.
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    recruitment_platform = models.CharField(
        _("platform used to recruit"),
        max_length=32,
        choices=v.RecruitmentPlatform.choices,
        blank=True,
    )
    recruiter_relationship = models.CharField(
        _("relationship to recruiter"),
        max_length=32,
        choices=v.RecruiterRelationship.choices,
        blank=True,
    )
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    debt_amount = models.DecimalField(
        _("debt (“fines”) claimed"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    debt_currency = models.CharField(
        _("currency"), max_length=8, choices=v.Currency.choices, blank=True
    )
    immediate_needs = models.JSONField(_("immediate needs"), default=list, blank=True)

    # Narrative, sealed.
    narrative = EncryptedField(_("her account"), owner="survivor_id", null=True)
    perpetrators = EncryptedField(_("perpetrators"), owner="survivor_id", null=True)
    needs_note = EncryptedField(_("notes on needs"), owner="survivor_id", null=True)
    safety_plan = EncryptedField(_("safety plan"), owner="survivor_id", null=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="case_code_unique_in_org")
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
            # One per path of cases.queries.visible_case_paths, in the list's order: a
            # page reads its 50 rows from the index and stops (cases.listing.case_page).
            models.Index(fields=["owner", "-opened_on", "-code"], name="case_owner_newest"),
            models.Index(fields=["team", "-opened_on", "-code"], name="case_team_newest"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.status in (v.CaseStatus.CLOSED, v.CaseStatus.CLOSED_REFERRED)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A case shared with a colleague (django-guardian, direct foreign key)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class RouteStop(models.Model):
    """A place on her route. Country and kind are coded; the place and dates are sealed."""

    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=32, choices=v.RouteStopKind.choices)
    country = models.CharField(
        _("country"), max_length=16, choices=v.Nationality.choices, blank=True
    )
    place = EncryptedField(_("place"), owner="survivor_id", null=True)
    when = EncryptedField(_("approximate dates"), owner="survivor_id", null=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        verbose_name = _("route stop")
        verbose_name_plural = _("route")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.country} ({self.case_id})"


class RiskAssessment(models.Model):
    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"), default=date.today)
    level = models.CharField(_("risk level"), max_length=16, choices=v.RiskLevel.choices)
    factors = models.JSONField(_("risk factors"), default=list, blank=True)
    notes = EncryptedField(_("notes"), owner="survivor_id", null=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-recorded_at"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.assessed_on} ({self.case_id})"


class Consent(models.Model):
    """Consent for one purpose and recipient, recorded as she gave or refused it."""

    id = _uuid_pk()
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=v.ConsentPurpose.choices)
    recipient_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("recipient organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_service_type = models.CharField(
        _("recipient service type"), max_length=32, choices=v.ConsentRecipientType.choices,
        blank=True,
    )
    scope = models.JSONField(_("what may be shared"), default=list, blank=True)
    given = models.BooleanField(_("given"), help_text=_("Unticked: she refused."))
    method = models.CharField(_("how"), max_length=16, choices=v.ConsentMethod.choices)
    given_by = models.CharField(_("by whom"), max_length=32, choices=v.ConsentGivenBy.choices)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=16, choices=v.Language.choices, blank=True
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(
        _("reason for withdrawal"),
        max_length=32,
        choices=v.ConsentWithdrawalReason.choices,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.case_id})"

    def is_live(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.given
            and self.withdrawn_at is None
            and (self.expires_on is None or self.expires_on >= on)
        )


class Note(models.Model):
    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    body = EncryptedField(_("note"), owner="survivor_id")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"note {self.pk}"


class Attachment(models.Model):
    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=32, choices=v.AttachmentKind.choices)
    filename = EncryptedField(_("file name"), owner="survivor_id")
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    content = EncryptedFileField(owner="survivor_id")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class FollowUp(models.Model):
    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=32, choices=v.FollowUpKind.choices)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=v.FollowUpOutcome.choices, blank=True
    )
    outcome_note = EncryptedField(_("what happened"), owner="survivor_id", null=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on} ({self.case_id})"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class LinkGroup(models.Model):
    """Cases that belong together, e.g. women found in the same house.

    The label names a place, so it is sealed with a key of the group's own.
    """

    id = _uuid_pk()
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    label = EncryptedField(_("label"), owner="id")
    cases = models.ManyToManyField(Case, related_name="link_groups", through="CaseLink")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("linked cases")
        verbose_name_plural = _("linked cases")

    def __str__(self) -> str:
        return f"link group {self.pk}"

    @property
    def reference(self) -> str:
        """A short reference that tells apart two groups given the same name (no content:
        the start of its random id)."""
        return f"G-{self.pk.hex[:6].upper()}"


class CaseLink(models.Model):
    group = models.ForeignKey(LinkGroup, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "case"], name="case_once_per_link_group")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} – {self.case_id}"


class EmergencyGrant(models.Model):
    """Break-the-glass access to a case outside one's teams, for one hour (DESIGN §5)."""

    id = _uuid_pk()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_grants")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_grants"
    )
    # The reason may describe her situation, so it is sealed like a note.
    reason = EncryptedField(_("reason"), owner="survivor_id")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"emergency access {self.user_id} → {self.case_id}"

    def is_live(self) -> bool:
        return self.expires_at > timezone.now()


class ShredRequest(models.Model):
    """Shredding needs two people: a supervisor asks, an org admin confirms."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Shredded")
        CANCELLED = "cancelled", _("Cancelled")

    id = _uuid_pk()
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="shred_requests")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shred_requests")
    reason = models.CharField(_("reason"), max_length=32, choices=v.ShredReason.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Confirmed but not yet here: her data key still exists on the keys database. The
    # confirmation commits first and the key is destroyed after it (a failure must leave
    # data readable, never half-erased); until this is set, the worker and the
    # ``finish_shredding`` command keep trying (cases.services.management).
    key_destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("shredding request")
        verbose_name_plural = _("shredding requests")

    def __str__(self) -> str:
        return f"shredding {self.case_id}: {self.status}"


class RetentionReview(models.Model):
    """A closed case whose retention period ended, waiting for a supervisor's decision.

    Opened by the worker's ``open_retention_reviews`` job; a supervisor of the case's
    team keeps the case (a coded reason and the date of the next review) or proposes it
    for shredding, which becomes an ordinary two-person ``ShredRequest``. Reopening the
    case withdraws its open review. At most one open review per case, by constraint: two
    workers running the job at once cannot queue a case twice. No sealed values: the
    reason is coded (``RetentionKeepReason``), so nothing of her story is written here.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        KEPT = "kept", _("Kept")
        PROPOSED = "proposed", _("Proposed for shredding")
        WITHDRAWN = "withdrawn", _("Withdrawn: the case was reopened")

    id = _uuid_pk()
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="retention_reviews"
    )
    due_on = models.DateField(_("review due"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=32, choices=v.RetentionKeepReason.choices, blank=True
    )
    # Set when kept: the job opens the next review on this day.
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # Set when proposed: the request an org admin confirms or cancels.
    shred_request = models.ForeignKey(
        ShredRequest, verbose_name=_("shredding request"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("retention review")
        verbose_name_plural = _("retention reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="open"),
                name="one_open_retention_review_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"retention review {self.case_id}: {self.state}"
