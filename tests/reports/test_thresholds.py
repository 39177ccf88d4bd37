"""The small-cell threshold is never below 5 and the CTDC k never below 11: the settings
refuse to start, and a system check catches a value set another way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from reports.suppression import publish

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "value"), [("AMPARO_STATISTICS_MIN_CELL", "4"),
                                             ("AMPARO_CTDC_K", "10")])
def test_the_settings_refuse_a_threshold_too_low(name, value):
    env = {**os.environ, "DEBUG": "1", name: value, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "can single out a survivor" in result.stderr


@override_settings(AMPARO_STATISTICS_MIN_CELL=3, AMPARO_CTDC_K=5)
def test_a_system_check_names_thresholds_set_too_low():
    ids = {message.id for message in checks.run_checks(tags=[checks.Tags.security])}
    assert {"reports.E001", "reports.E002"} <= ids


def test_the_default_thresholds_pass_the_check():
    ids = {message.id for message in checks.run_checks(tags=[checks.Tags.security])}
    assert not ids & {"reports.E001", "reports.E002"}


@override_settings(AMPARO_STATISTICS_MIN_CELL=3)
def test_publishing_refuses_a_threshold_too_low():
    with pytest.raises(ValueError):
        publish(7)


@override_settings(AMPARO_STATISTICS_MIN_CELL=16)
def test_a_higher_threshold_is_honoured():
    assert publish(15).label == "<16"
    assert publish(16).label == "16–18"  # 15 = 3 × 5: bands of 3


@override_settings(AMPARO_STATISTICS_MIN_CELL=20)
def test_a_threshold_after_a_prime_gets_wide_bands():
    """19 is prime: the only width that keeps the residues apart is 19 itself."""
    assert publish(20).label == "20–38"
