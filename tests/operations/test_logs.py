"""Logs: one line per request with its request id (path only, never the query string),
time stamps in UTC, and no traceback for a bad Host header."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from core.logs import UTCFormatter


@pytest.mark.django_db
def test_every_request_is_one_line_with_its_request_id_and_no_query(caplog):
    caplog.set_level(logging.INFO, logger="amparo.request")

    response = Client().get("/accounts/login/?q=María+Pérez")

    [line] = [r.getMessage() for r in caplog.records if r.name == "amparo.request"]
    assert line.startswith(response["X-Request-ID"] + " GET /accounts/login/ 200 ")
    assert "María" not in line and "q=" not in line


@pytest.mark.django_db
def test_a_secret_in_the_path_is_not_logged(caplog):
    caplog.set_level(logging.INFO, logger="amparo.request")
    token = "0123456789abcdefSECRETTOKENabcdef"

    Client().get(f"/accounts/invitation/{token}/")
    Client().get(f"/no-such-page/{token}/")

    lines = [r.getMessage() for r in caplog.records if r.name == "amparo.request"]
    assert len(lines) == 2
    assert all(token not in line for line in lines)
    assert " GET /accounts/invitation/<str:token>/ " in lines[0]
    assert " GET (no page) 404 " in lines[1]


def test_time_stamps_are_utc_whatever_the_time_zone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hola", None, None)
    record.created, record.msecs = 0.25, 250.0  # 1970-01-01 00:00:00.250 UTC

    assert UTCFormatter("%(asctime)s").format(record) == "1970-01-01T00:00:00.250Z"


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["amparo.example.org"])
def test_a_bad_host_header_is_one_warning_without_a_traceback(caplog):
    response = Client().get("/accounts/login/", HTTP_HOST="scanner.invalid")

    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.exc_info is None  # dropped by the logger's filter (settings.LOGGING)
    assert "Traceback" not in caplog.text
