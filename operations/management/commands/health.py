"""``amparo health``: each check of the health URL with its reason; exit 1 if one fails."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operations.health import healthy, run_checks


class Command(BaseCommand):
    help = "Check databases, master key, worker heartbeat, audit sealing lag and mail backlog."

    def handle(self, *args: Any, **options: Any) -> None:
        checks = run_checks()
        for check in checks:
            mark = "ok  " if check.ok else "FAIL"
            self.stdout.write(f"{mark} {check.name}{': ' + check.detail if check.detail else ''}")
        if not healthy(checks):
            raise CommandError("Amparo is not healthy.")
