"""Seal access events whose on-commit sealing did not run (audit/chain/sealing.py)."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from audit.chain import seal_backlog
from audit.models import AccessEvent, EventSeal


class Command(BaseCommand):
    help = "Seal every access event that has no seal yet into the hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        unsealed = AccessEvent.objects.filter(
            ~Exists(EventSeal.objects.filter(event_id=OuterRef("pk")))
        )
        cutoff = timezone.now() - timedelta(minutes=settings.AMPARO_AUDIT_SEAL_GRACE_MINUTES)
        late = list(unsealed.filter(occurred_at__lt=cutoff).values_list("pk", flat=True)[:20])
        total = unsealed.count()
        with tqdm(total=total, unit="event", desc="sealing", file=sys.stderr) as bar:
            sealed = seal_backlog(progress=bar.update)
        if late:
            # Normal after a crash between commit and sealing; after a verify_audit
            # failure, these are the events to look at before trusting them.
            self.stderr.write(
                _("Sealed late (older than the grace period): events %(ids)s")
                % {"ids": ", ".join(map(str, late)) + (" …" if len(late) == 20 else "")}
            )
        self.stdout.write(_("%(count)s events sealed.") % {"count": sealed})
