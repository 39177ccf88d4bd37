"""Access events are kept six years unless somebody decides otherwise, and a shorter
time is flagged by the system checks."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from audit.checks import SIX_YEARS_IN_DAYS, retention_at_least_six_years


def test_it_keeps_events_six_years_by_default():
    assert settings.AMPARO_AUDIT_RETENTION_DAYS == SIX_YEARS_IN_DAYS == 2192


def test_it_warns_about_a_shorter_retention():
    with override_settings(AMPARO_AUDIT_RETENTION_DAYS=365):
        warnings = retention_at_least_six_years()

    assert [warning.id for warning in warnings] == ["audit.W001"]


def test_it_accepts_a_longer_retention():
    with override_settings(AMPARO_AUDIT_RETENTION_DAYS=3650):
        assert retention_at_least_six_years() == []
