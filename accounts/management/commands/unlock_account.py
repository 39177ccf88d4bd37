"""``amparo unlock_account USERNAME``: lift the lockout of one person at every address.

Axes stores usernames as keyed digests (accounts/lockout.py), so its own
``axes_reset_username`` cannot find anyone; this command digests the name the same way.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.lockout import unlock
from accounts.models import User
from audit.models import Action
from audit.services import record_event


class Command(BaseCommand):
    help = "Clear the failed sign-ins of one username, so that she can sign in again at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No account has the username {username!r}.")
        with transaction.atomic():
            cleared = unlock(username)
            record_event(
                action=Action.LOGIN_UNLOCKED, target=person, organization=person.organization
            )
        self.stdout.write(f"{username}: {cleared} lockout records cleared.")
