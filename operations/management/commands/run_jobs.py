"""``amparo run_jobs``: run every periodic job once now (after an outage, or from cron
where no worker runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from operations.jobs import periodic_jobs


class Command(BaseCommand):
    help = "Run every periodic job once: seal the audit log, send pending mail, and the rest."

    def handle(self, *args: Any, **options: Any) -> None:
        for job in periodic_jobs():
            self.stdout.write(f"{job.name}: {job.run()}")
