"""System checks for the access log's settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

SIX_YEARS_IN_DAYS = 2192


@checks.register(checks.Tags.security)
def retention_at_least_six_years(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    days = settings.AMPARO_AUDIT_RETENTION_DAYS
    if days < SIX_YEARS_IN_DAYS:
        return [
            checks.Warning(
                f"AMPARO_AUDIT_RETENTION_DAYS is {days}: access events would be kept for "
                f"less than six years ({SIX_YEARS_IN_DAYS} days).",
                hint="Keep the default unless a law or agreement requires a shorter time.",
                id="audit.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def application_cannot_rewrite_the_log(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``check --deploy``: on PostgreSQL the application's connection must not be able to
    change, remove or truncate access events (audit/roles.py)."""
    from django.db import DatabaseError, connections

    from audit.roles import application_role_problems

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        problems = application_role_problems(connection)
    except DatabaseError as error:
        return [
            checks.Error(
                f"Could not check the database role of DATABASE_URL: {type(error).__name__}.",
                hint="The deploy check needs the database; see docs/database-roles.md.",
                id="audit.E011",
            )
        ]
    if not problems:
        return []
    return [
        checks.Error(
            "The application's database connection could rewrite the access log: "
            + "; ".join(problems)
            + ".",
            hint="Connect as the application role, not the owner, and run "
            "'manage.py grant_app_role ROLE' as the owner after every migrate "
            "(docs/database-roles.md).",
            id="audit.E010",
        )
    ]
