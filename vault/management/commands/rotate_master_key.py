"""Re-wrap every data key under the current master key (the first one loaded).

Rotation, step by step:

1. ``python -m vault.keygen NEW-ID`` and put its line *first* in the master key file,
   keeping the old line below it (running processes wrap new data keys with it from
   their next one on; keys given in AMPARO_MASTER_KEYS need a restart instead).
2. ``python manage.py rotate_master_key`` — safe to interrupt and run again: each batch
   commits, and only keys still wrapped by an older key are processed.
3. When it reports that no data key refers to an old key id, remove the old line.
   ``python manage.py vault_status`` shows the key ids still in use.

Running processes reload a changed key *file* by themselves before wrapping (see
vault/keyring.py), so no restart is needed between the steps when the keys are in a
file. The command makes a second pass after ``--settle`` seconds (default 2, longer than
the processes' look at the file) and refuses to report success when a data key was
wrapped by an older key after it began: that is a process still wrapping with the old
keyring (keys from the environment, which a process cannot re-read), and removing the
old line then would lose the keys it goes on making.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
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
        parser.add_argument("--settle", type=float, default=2.0,
                            help="Seconds to wait before the second pass (default 2).")

    @key_scope()
    def handle(self, *args: Any, batch_size: int, no_progress: bool, settle: float,
               **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        from vault import keyring

        started = timezone.now()
        current = keyring.master(for_wrapping=True).current_id
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
        # A key wrapped by an older master key *after* this run began was made by a
        # process that still uses the old keyring: re-wrap it too, but do not report
        # success, because that process will go on wrapping with the old key.
        time.sleep(settle)
        # Created since the run began and wrapped by an old key: still so, or re-wrapped
        # by this run (a process that follows the file wraps new keys with the new key
        # directly, so its keys are never re-wrapped).
        made_with_old_keys = (
            DataKey.objects.using(KEYS_ALIAS)
            .filter(shredded_at__isnull=True, created_at__gte=started)
            .filter(~Q(master_key_id=current) | Q(rewrapped_at__gte=started))
        )
        stale_writer = made_with_old_keys.exists()
        second = rotate_master_key(batch_size=batch_size, record_when_idle=False)
        report.rewrapped += second.rewrapped
        report.failed_owner_ids += second.failed_owner_ids
        report.remaining_key_ids = second.remaining_key_ids
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
        if stale_writer or report.remaining_key_ids:
            raise CommandError(
                "Data keys were wrapped by an older master key while this ran: a running "
                "process still uses the old master keys. Restart every Amparo process "
                "(gunicorn, the worker), run rotate_master_key again, and keep the old line "
                "until it succeeds."
            )
        self.stdout.write(self.style.SUCCESS(
            f"Every data key is wrapped by {report.current_key_id!r}; older master keys "
            "may now be removed."
        ))
