"""Recompute the blind indexes after the index key or their sizing changed (resumable)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from cases.indexing import recompute_stale, stale_counts


class Command(BaseCommand):
    help = (
        "Recompute every survivor's and identity document's blind index whose stored "
        "version is not the current one (a new AMPARO_INDEX_KEY, or a changed "
        "AMPARO_BLIND_INDEX_EXPECTED_RECORDS / AMPARO_BLIND_INDEX_MIN_BUCKET). Each batch "
        "commits: if interrupted, run it again and it goes on where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = stale_counts()
        total = stale.survivors + stale.documents
        with tqdm(
            total=total, unit="row", desc="reindexing", file=sys.stderr,
            disable=options["no_progress"],
        ) as bar:
            done = recompute_stale(batch_size=options["batch_size"], progress=bar.update)
        left = stale_counts()
        self.stdout.write(
            f"Recomputed {done.survivors} survivors and {done.documents} documents; "
            f"{left.survivors + left.documents} rows still stale."
        )
