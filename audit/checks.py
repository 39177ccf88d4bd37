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
