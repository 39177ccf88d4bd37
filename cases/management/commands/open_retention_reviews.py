"""Queue the closed cases whose retention period ended for their supervisors' review.

The worker runs the same function once a day (``operations/jobs.py``); run this by hand
after a worker outage, or from cron where no worker runs. Running it twice queues
nothing twice. See docs/operations.md, "Retention review".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.services.retention import open_retention_reviews


class Command(BaseCommand):
    help = "Open a retention review for every closed case whose retention period ended."

    def handle(self, *args: Any, **options: Any) -> None:
        opened = open_retention_reviews()
        self.stdout.write(f"retention reviews opened: {opened}")
