"""The auditor's own records: her review of each emergency grant.

The access events themselves belong to ``audit`` (the ground); what is here sits above
``cases``, because a review names the grant it judges.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GrantFinding(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")
    NEEDS_FOLLOW_UP = "needs_follow_up", _("Needs follow-up")


class GrantReview(models.Model):
    """An auditor's review of one emergency grant (DESIGN §5, §8).

    One review per grant. The review is itself recorded as an access event
    (``GRANT_REVIEWED``, purpose = the finding); this row holds what an event may not:
    the auditor's note.
    """

    grant = models.OneToOneField(
        "cases.EmergencyGrant",
        verbose_name=_("emergency access"),
        on_delete=models.PROTECT,
        related_name="review",
    )
    finding = models.CharField(_("finding"), max_length=32, choices=GrantFinding.choices)
    # Written by the auditor about the access, not about the survivor; still, it is free
    # text, so it is shown only on the auditor's pages and never copied into an event.
    note = models.TextField(
        _("auditor's note"),
        blank=True,
        help_text=_("Shown to auditors only. Do not write anything about the survivor."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("emergency access review")
        verbose_name_plural = _("emergency access reviews")
        ordering = ["-reviewed_at"]
        # Kept from when the model lived in ``audit``: the table, its rows and the
        # append-only triggers of migration audit.0005 stay where they are.
        db_table = "audit_grantreview"

    def __str__(self) -> str:
        return f"review of {self.grant_id}: {self.finding}"
