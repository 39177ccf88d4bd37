"""System checks for the thresholds that keep statistics from singling anyone out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from reports.suppression import MIN_THRESHOLD


@checks.register(checks.Tags.security)
def statistics_thresholds(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The settings refuse low thresholds at start-up; this check catches a value set
    later (an override, a settings module of one's own)."""
    problems = []
    if settings.AMPARO_STATISTICS_MIN_CELL < MIN_THRESHOLD:
        problems.append(
            checks.Error(
                f"AMPARO_STATISTICS_MIN_CELL is {settings.AMPARO_STATISTICS_MIN_CELL}; "
                f"it may not be below {MIN_THRESHOLD}.",
                hint="Counts of fewer women than this can single one out. Use 10.",
                id="reports.E001",
            )
        )
    if settings.AMPARO_CTDC_K < 11:
        problems.append(
            checks.Error(
                f"AMPARO_CTDC_K is {settings.AMPARO_CTDC_K}; the CTDC requires at least 11.",
                id="reports.E002",
            )
        )
    return problems
