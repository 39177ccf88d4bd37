"""Sign the head of the access log's hash chain, for keeping outside the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from audit.checkpoints import new_key_pem, public_key_pem, take_checkpoint


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the access log's head (JSON) to standard output or "
        "a file. Keep it outside Amparo; verify_audit --checkpoint FILE checks it later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a new Ed25519 signing key (PEM) instead, for "
            "AMPARO_AUDIT_SIGNING_KEY_FILE.",
        )
        parser.add_argument(
            "--public-key",
            action="store_true",
            help="Print the public half of the signing key (PEM) instead, for "
            "verify_audit --public-key: whoever verifies needs only that.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key_pem(), ending="")
            return
        if options["public_key"]:
            self.stdout.write(public_key_pem(), ending="")
            return
        text = json.dumps(take_checkpoint(), indent=2, sort_keys=True) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(_("Checkpoint written to %(file)s.") % {"file": options["output"]})
        else:
            self.stdout.write(text, ending="")
