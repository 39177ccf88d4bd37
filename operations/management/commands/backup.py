"""``amparo backup``: main database, keys database and attachments in one encrypted file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from operations.backup import BackupError, create_backup, read_recipients


class Command(BaseCommand):
    help = (
        "Back up the main database, the keys database and the attachments together, "
        "encrypted to the operator's age public key(s)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True,
                            help="A directory (a dated file is made in it) or a file name.")
        parser.add_argument("--recipients", default=settings.AMPARO_BACKUP_RECIPIENTS_FILE,
                            help="File of age public keys (default AMPARO_BACKUP_RECIPIENTS_FILE).")

    def handle(self, *args: Any, output: str, recipients: str, **options: Any) -> None:
        if not recipients:
            raise CommandError("Set AMPARO_BACKUP_RECIPIENTS_FILE or pass --recipients.")
        target = Path(output)
        if target.is_dir():
            target = target / f"amparo-{timezone.now():%Y%m%dT%H%M%SZ}.tar.age"
        try:
            manifest = create_backup(target, read_recipients(recipients))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{target}: both databases and {manifest['files']} attachment files.")
