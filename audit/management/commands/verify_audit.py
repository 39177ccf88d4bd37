"""Walk the access log's hash chain; optionally check a signed checkpoint against it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from audit.chain import verify_chain
from audit.checkpoints import CheckpointError, check_checkpoint, load_public_key
from audit.models import EventSeal


class Command(BaseCommand):
    help = (
        "Verify the access log's hash chain and name the first event that was altered, "
        "removed, reordered or inserted. Exits non-zero on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="A checkpoint written by audit_checkpoint: the log must still extend it.",
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help="Check the checkpoint's signature with this Ed25519 public key (PEM, from "
            "audit_checkpoint --public-key) instead of the configured signing key: the "
            "private key is then not needed.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None
        public_key = None
        if options["public_key"]:
            if not options["checkpoint"]:
                raise CommandError(_("--public-key checks a checkpoint: give --checkpoint too."))
            try:
                public_key = load_public_key(Path(options["public_key"]))
            except CheckpointError as error:
                raise CommandError(str(error)) from None
        if options["checkpoint"]:
            try:
                checkpoint = json.loads(Path(options["checkpoint"]).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(
                    _("Cannot read the checkpoint %(file)s: %(error)s")
                    % {"file": options["checkpoint"], "error": error}
                ) from error
        with tqdm(
            total=EventSeal.objects.count(),
            unit="event",
            desc="verifying",
            file=sys.stderr,
            disable=options["no_progress"],
        ) as bar:
            result = verify_chain(progress=bar.update)
        if result.problem is not None:
            raise CommandError(
                _("Audit log NOT intact: %(problem)s.") % {"problem": result.problem.message}
            )
        if checkpoint is not None:
            try:
                proven = check_checkpoint(checkpoint, public_key=public_key)
            except CheckpointError as error:
                raise CommandError(
                    _("Checkpoint NOT proven: %(error)s") % {"error": error}
                ) from None
            self.stdout.write(
                _("Checkpoint of %(time)s proven: the log still extends seal %(sequence)s.")
                % {"time": proven.time, "sequence": proven.sequence}
            )
        self.stdout.write(
            _("Audit log intact: %(count)s events, head hash %(hash)s.")
            % {"count": result.count, "hash": result.head_hash}
        )
        if result.pending:
            self.stdout.write(
                _("%(count)s recent events are waiting for their seal.") % {"count": result.pending}
            )
