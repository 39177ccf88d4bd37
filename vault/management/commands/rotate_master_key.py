"""Re-wrap every data key under the current master key (the first one loaded).

Rotation, step by step:

1. ``python -m vault.keygen NEW-ID`` and put its line *first* in the master key file,
   keeping the old line below it; restart Amparo (new data keys now use the new key).
2. ``python manage.py rotate_master_key`` — safe to interrupt and run again: each batch
   commits, and only keys still wrapped by an older key are processed.
3. When it reports that no data key refers to an old key id, remove the old line and
   restart. ``python manage.py vault_status`` shows the key ids still in use.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from vault.models import DataKey
from vault.routers import KEYS_ALIAS
from vault.scope import key_scope
from vault.services import rotate_master_key


class Command(BaseCommand):
    help = "Re-wrap every data key under the current master key. Resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="Data keys per committed batch (default 1000).")
        parser.add_argument("--no-progress", action="store_true",
                            help="Do not draw a progress bar.")

    @key_scope()
    def handle(self, *args: Any, batch_size: int, no_progress: bool, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        from vault import keyring

        current = keyring.master().current_id
        total = (
            DataKey.objects.using(KEYS_ALIAS)
            .filter(shredded_at__isnull=True)
            .exclude(master_key_id=current)
            .count()
        )
        self.stdout.write(f"Re-wrapping {total} data keys under master key {current!r}.")
        with tqdm(total=total, unit="key", disable=no_progress or total == 0,
                  # tqdm writes raw text; the wrapper would add a newline per update.
                  file=self.stderr._out) as bar:
            report = rotate_master_key(batch_size=batch_size, progress=bar.update)
        self.stdout.write(
            f"re-wrapped: {report.rewrapped}\n"
            f"failed: {len(report.failed_owner_ids)}\n"
            f"still wrapped by another key: "
            f"{', '.join(report.remaining_key_ids) if report.remaining_key_ids else 'none'}"
        )
        if report.failed_owner_ids:
            shown = ", ".join(str(owner) for owner in report.failed_owner_ids[:10])
            raise CommandError(
                f"{len(report.failed_owner_ids)} data keys did not unwrap with the loaded "
                f"master keys (owners {shown}…). Load the master key they need and run again."
            )
        self.stdout.write(self.style.SUCCESS(
            f"Every data key is wrapped by {report.current_key_id!r}; older master keys "
            "may now be removed."
        ))
