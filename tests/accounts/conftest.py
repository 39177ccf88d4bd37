"""Fixtures for the accounts tests."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.accounts.invitations import SITE_URL


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what waits for the commit (mail) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def site_url():
    with override_settings(AMPARO_SITE_URL=SITE_URL):
        yield SITE_URL
