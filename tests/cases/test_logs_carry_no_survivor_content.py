"""Logs carry no survivor content (core/safe_logging.py, core/opened.py).

A stored birth date that is not a date once made the identity section answer 500 and log
``ValueError: Invalid isoformat string: '<the opened value>'``. Now the page parses it
defensively, and any exception that still escapes is logged with its type and frames but
without its message, by every configured handler.
"""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from django.urls import reverse

from cases.views import intake as intake_views
from core.safe_logging import WITHHELD, WithholdExceptionMessages, format_without_messages
from vault import services as vault

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "keys"])


@pytest.fixture
def case_with_a_birth_date_that_is_not_a_date(make_case, caseworker, canaries):
    case = make_case(caseworker)
    survivor = case.survivor
    vault.seal(survivor, birth_date=f"nacida en {canaries.new()}")
    survivor.save(update_fields=["birth_date"])
    return case


@pytest.fixture
def server_log():
    """What the configured handlers of the root logger write, as text."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                and any(isinstance(f, WithholdExceptionMessages) for f in h.filters)]
    assert handlers, "the root logger has no configured console handler"
    written = io.StringIO()
    previous = [handler.setStream(written) for handler in handlers]
    yield written
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def _identity_page(client, case):
    return client.get(
        reverse("cases:edit_section", kwargs={"case_id": case.pk, "section": "identity"})
    )


def test_the_identity_section_opens_with_a_birth_date_that_is_not_a_date(
    client_for, caseworker, case_with_a_birth_date_that_is_not_a_date, canaries, server_log
):
    response = _identity_page(client_for(caseworker), case_with_a_birth_date_that_is_not_a_date)

    assert response.status_code == 200
    canaries.assert_no_leaks(extra=[server_log.getvalue()], storage=False)


def test_a_failing_parse_of_an_opened_value_logs_no_content(
    client_for, caseworker, case_with_a_birth_date_that_is_not_a_date, canaries, server_log,
    monkeypatch,
):
    # The parse as it was before it was made defensive: it raises with the value quoted.
    monkeypatch.setattr(intake_views, "as_date", lambda text: date.fromisoformat(text))
    client = client_for(caseworker)
    client.raise_request_exception = False

    response = _identity_page(client, case_with_a_birth_date_that_is_not_a_date)

    logged = server_log.getvalue()
    assert response.status_code == 500
    assert "Internal Server Error" in logged
    assert f"ValueError: {WITHHELD}" in logged and "date.fromisoformat(text)" in logged
    canaries.assert_no_leaks(extra=[logged], storage=False)


def test_every_handler_of_the_configuration_withholds_messages(settings):
    configured = settings.LOGGING
    for name, handler in configured["handlers"].items():
        assert "no_exception_messages" in handler.get("filters", []), name
    # Django's own loggers send their records up to those handlers, not to their own.
    for name in ("django", "django.request"):
        assert logging.getLogger(name).handlers == []
        assert logging.getLogger(name).propagate


def test_chained_exceptions_keep_types_and_frames_without_messages(canaries):
    secret = canaries.new()

    def parse(text):
        return date.fromisoformat(text)

    try:
        try:
            parse(secret)
        except ValueError as error:
            raise RuntimeError(f"could not read {secret}") from error
    except RuntimeError as error:
        text = format_without_messages(type(error), error, error.__traceback__)

    assert secret not in text
    assert f"ValueError: {WITHHELD}" in text and f"RuntimeError: {WITHHELD}" in text
    assert "direct cause" in text and "in parse" in text


def test_an_exception_passed_as_an_argument_is_withheld_too(canaries):
    secret = canaries.new()
    record = logging.LogRecord(
        "amparo", logging.ERROR, __file__, 1, "failed: %s", (ValueError(secret),), None
    )

    WithholdExceptionMessages().filter(record)

    assert record.getMessage() == f"failed: ValueError: {WITHHELD}"
