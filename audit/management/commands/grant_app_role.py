"""Give the application role its privileges; run as the owner after every ``migrate``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit.roles import acts_as_owner, grant_app_role, grant_statements


class Command(BaseCommand):
    help = (
        "Grant the application's database role what it needs and no more: every table, "
        "but only SELECT and INSERT on the append-only audit tables (PostgreSQL). Run it "
        "as the owner, after every migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role that DATABASE_URL names for the application.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--print", action="store_true", help="Print the statements instead of running them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        if options["print"]:
            for statement in grant_statements(connection, options["role"]):
                self.stdout.write(statement + ";")
            return
        if not acts_as_owner(connection):
            raise CommandError(
                "Run grant_app_role as the owner of the tables (DATABASE_URL of the owner)."
            )
        try:
            with transaction.atomic(using=options["database"]):
                grant_app_role(connection, options["role"])
        except LookupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Granted {options['role']} its privileges.")
