"""``manage.py expire_packets``: empty the packets of referrals completed longer ago than
``AMPARO_PACKET_DAYS_AFTER_COMPLETION`` days (the worker runs the same function; cron
where no worker runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals.services import expire_completed_packets


class Command(BaseCommand):
    help = "Empty the packets of referrals completed more than the configured days ago."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"packets ended: {expire_completed_packets()}")
