"""Organisations of the network, their teams, and the people who work in them.

Every person belongs to exactly one organisation and has exactly one role (DESIGN §1).
Superusers are the only exception: they run the installation, belong to no
organisation and have no role, and reach nothing but Django's admin.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    SHELTER = "shelter", _("Shelter")
    LEGAL_AID = "legal_aid", _("Legal aid")
    PROTECTION_UNIT = "protection_unit", _("Protection unit")
    HEALTH_SERVICE = "health_service", _("Health service")
    GOVERNMENT = "government", _("Government")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    country = models.CharField(_("country"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    # How a partner who receives a referral reaches the referring team: a shared line or
    # the office's address, chosen by the org admin, never a caseworker's personal phone.
    partner_contact = models.CharField(
        _("how partners reach us"), max_length=200, blank=True,
        help_text=_("An office line, a shared mailbox or the office's address, shown to the "
                    "organisations you refer to. Never a personal phone."),
    )
    # How long a closed case is kept before a supervisor reviews it for shredding,
    # counted from its closure or its last follow-up, whichever is later (DOMAIN.md,
    # "Retention and deletion"; cases.services.retention).
    retention_years = models.PositiveSmallIntegerField(
        _("years a closed case is kept"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("After this many years from its closure or its last follow-up, a "
                    "closed case goes to its supervisors for review: keep it or shred it."),
    )
    # Case lists and the case header show the case code alone, the name one recorded
    # click away (cases.labels): what someone looking over a caseworker's shoulder, or at
    # a screen left open, can read is a code, not who she works with.
    show_case_code_only = models.BooleanField(
        _("show the case code only"), default=False,
        help_text=_("Case lists and the top of each case show the case code without the "
                    "survivor's name; a person who may see the case can show the name "
                    "with one click, and that click is recorded."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a person may do. The rules themselves are in DESIGN §1:

    - caseworker: registers intakes and works the cases she owns or that are shared with her;
    - supervisor: a caseworker's powers on her teams' cases, plus assigning cases and
      approving referrals and closures;
    - auditor: reads the access log and change metadata, never survivor content;
    - partner: staff of a service provider, sees only the referral packets sent to her
      organisation;
    - org admin: manages users, teams and the service directory, never survivor content.
    """

    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    PARTNER = "partner", _("Partner")
    ORG_ADMIN = "org_admin", _("Organisation administrator")


class User(AbstractUser):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    demo_account = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by seed_demo; may skip two-factor only while AMPARO_DEMO is on."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_has_organization_and_role_unless_superuser",
                condition=models.Q(is_superuser=True)
                | (models.Q(organization__isnull=False) & ~models.Q(role="")),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if not self.is_superuser and (self.organization_id is None or not self.role):
            raise ValidationError(_("Every user needs an organisation and a role."))

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class Team(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(
        User, verbose_name=_("members"), related_name="teams", blank=True
    )
    supervisors = models.ManyToManyField(
        User, verbose_name=_("supervisors"), related_name="supervised_teams", blank=True
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class InvitationKind(models.TextChoices):
    """Why a one-time link was sent. Each leads to the same page: she sets her own
    password, then enrols a second factor if she has none (or confirms the one she has)."""

    NEW_ACCOUNT = "new_account", _("New account")
    PASSWORD_RESET = "password_reset", _("Password reset")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor reset")


class Invitation(models.Model):
    """A one-time link by which a person sets her own password (DESIGN §1, issue 11).

    Only a SHA-256 digest of the link's token is stored: whoever reads the database (or a
    backup of it) cannot use a pending link. A link works once, until ``expires_at``,
    while it is the newest link of its person and while she is active.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="invitations"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=InvitationKind.choices)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    # Empty when the installation's operator sent it (the create_organization command).
    created_by = models.ForeignKey(
        User,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # Set when a newer link for the same person replaced this one.
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
