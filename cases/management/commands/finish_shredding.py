"""Destroy the data keys still waiting after a confirmed shredding.

Shredding commits first and destroys the key after it; if that fails (the keys database
was down, the process died), the request stays pending until this completes it. The
worker runs the same function on a schedule; run this by hand after an outage, or from
cron where no worker runs. It fails while any key is left, so a timer notices.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.services.management import finish_shredding
from vault.scope import key_scope


class Command(BaseCommand):
    help = "Destroy every data key still waiting after a confirmed shredding."

    @key_scope()
    def handle(self, *args: Any, **options: Any) -> None:
        completed, failed = finish_shredding()
        self.stdout.write(f"data keys destroyed: {completed}")
        if failed:
            raise CommandError(f"{failed} data key(s) could not be destroyed yet; run again.")
