"""What was exported, by whom, and which cases it held (DESIGN §8).

An access event has room for one case code; an export holds many. Each export therefore
leaves one ``ExportRecord`` with the codes of the cases it held, and one access event
that names the record (target ``exportrecord``, its id). Neither holds survivor content:
codes, filters, counts and the reason given, which is a code from a fixed list. The
exported file itself is never kept: it is encrypted to the recipient and handed to the
person who asked, in the response to her request.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    CASES_CSV = "cases_csv", _("Case export (CSV)")
    CASES_XLSX = "cases_xlsx", _("Case export (XLSX)")
    CTDC = "ctdc", _("Anonymised CTDC export")


class RecipientKind(models.TextChoices):
    PASSPHRASE = "passphrase", _("A passphrase")
    PUBLIC_KEY = "public_key", _("An age public key")


class IdentityReason(models.TextChoices):
    """Why an export carries names and birth dates (never needed for reporting)."""

    CASE_TRANSFER = "case_transfer", _("The case is transferred to another organisation")
    SURVIVOR_REQUEST = "survivor_request", _("She asked for a copy of her data")
    COURT_ORDER = "court_order", _("A court or prosecutor ordered it")
    CONTINUITY = "continuity", _("Continuity of care while Amparo is unavailable")


class ExportRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    first_month = models.DateField(_("from"))
    last_month = models.DateField(_("to"))
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_kind = models.CharField(
        _("encrypted to"), max_length=16, choices=RecipientKind.choices, blank=True
    )
    identity_reason = models.CharField(
        _("why names are included"), max_length=32, choices=IdentityReason.choices, blank=True
    )
    # The codes of the cases the file held (empty for the CTDC export: its rows are
    # anonymous, and codes here would link them back).
    case_codes = models.JSONField(_("case codes"), default=list, blank=True)
    record_count = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.exported_at:%Y-%m-%d %H:%M}"
