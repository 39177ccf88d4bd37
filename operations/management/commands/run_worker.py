"""``amparo run_worker``: background tasks, periodic jobs and heartbeat (operations/worker.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from operations.worker import Worker


class Command(BaseCommand):
    help = (
        "Run notification mail tasks and the periodic jobs (audit sealing, pending mail, "
        "expired sessions, task results, audit checkpoints); survives database restarts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between turns when there is nothing to do (1).")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        worker = Worker(interval=interval)
        worker.tasks.configure_signals()
        worker.run()
