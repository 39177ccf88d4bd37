"""``amparo restore FILE --identity KEY``: put a backup back into new, empty databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backup import BackupError, read_identities, restore_backup


class Command(BaseCommand):
    help = "Restore the main database, the keys database and the attachments from a backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="The .tar.age file made by 'amparo backup'.")
        parser.add_argument("--identity", required=True,
                            help="File holding the age secret key (AGE-SECRET-KEY-…).")

    def handle(self, *args: Any, backup: str, identity: str, **options: Any) -> None:
        try:
            manifest = restore_backup(Path(backup), read_identities(identity))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup started {manifest['started']}. Now run "
            "'amparo vault_status' and 'amparo verify_audit' before opening the doors."
        )
