from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vault.scope import key_scope
from vault.services import vault_status


class Command(BaseCommand):
    help = (
        "Show master key ids in use, data key and shredded owner counts, and whether the "
        "loaded master keys open a sample of data keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample", type=int, default=20,
                            help="How many random data keys to try to unwrap (default 20).")

    @key_scope()
    def handle(self, *args: Any, sample: int, **options: Any) -> None:
        status = vault_status(sample_size=sample)
        loaded = ", ".join(
            f"{key_id} (current)" if key_id == status.current_key_id else key_id
            for key_id in status.loaded_key_ids
        )
        self.stdout.write(f"master keys loaded: {loaded}")
        self.stdout.write(f"data keys: {status.data_keys}")
        for key_id, count in sorted(status.keys_by_master_key_id.items()):
            loaded_note = "" if key_id in status.loaded_key_ids else " — NOT LOADED"
            self.stdout.write(f"  wrapped by {key_id}: {count}{loaded_note}")
        self.stdout.write(f"shredded owners: {status.shredded_owners}")
        self.stdout.write(
            f"sample: {status.sample_opened} of {status.sample_size} data keys open "
            "with the loaded master keys"
        )
        self.stdout.write(f"owners with sealed data but no data key: "
                          f"{len(status.owners_without_key)}")
        self.stdout.write(f"shredded owners whose key is still live: "
                          f"{len(status.shredded_with_key)}")
        problems = []
        if status.sample_opened != status.sample_size:
            details = ", ".join(f"{name}: {n}" for name, n in status.sample_errors.items())
            problems.append(
                f"The loaded master keys do not open every sampled data key ({details})."
            )
        if status.owners_without_key:
            shown = ", ".join(map(str, status.owners_without_key[:10]))
            problems.append(
                f"{len(status.owners_without_key)} owners have sealed data but no data key "
                f"(owners {shown}…): the keys database is older than the main database. "
                "Restore a keys database at least as new as the main one (docs/operations.md)."
            )
        if status.shredded_with_key:
            shown = ", ".join(map(str, status.shredded_with_key[:10]))
            problems.append(
                f"{len(status.shredded_with_key)} shredded owners still have a live data key "
                f"(owners {shown}…): their shredding did not finish."
            )
        if problems:
            raise CommandError(" ".join(problems))
