"""Every response tells the browser to run only Amparo's own code, never to frame it, never
to send a referrer and never to keep a copy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.accounts.helpers import enrolling_client, new_recovery_codes
from tests.factories import UserFactory

ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_safe_headers(response) -> None:
    policy = _policy(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    for name, sources in policy.items():
        assert set(sources) <= ALLOWED_SOURCES, f"{name} allows {sources}"
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def responses(client_for, organization, org_admin, caseworker, team, other_organization):
    """One response of every kind an authenticated person meets."""
    admin = client_for(org_admin)
    worker = client_for(caseworker)
    foreign = UserFactory(organization=other_organization)
    found = {
        "home": worker.get(reverse("home")),
        "security": worker.get(reverse("accounts:security")),
        "recovery codes": new_recovery_codes(worker, caseworker),
        "enrolment": enrolling_client(caseworker).get(reverse("accounts:two_factor_enrol")),
        "user list": admin.get(reverse("accounts:user_list")),
        "user form": admin.get(reverse("accounts:user_edit", args=[caseworker.pk])),
        "team list": admin.get(reverse("accounts:team_list")),
        "team form": admin.get(reverse("accounts:team_edit", args=[team.pk])),
        "redirect after a change": admin.post(
            reverse("accounts:team_create"), {"name": "Nuevo equipo"}
        ),
        "403": worker.get(reverse("accounts:user_list")),
        "404": admin.get(reverse("accounts:user_edit", args=[foreign.pk])),
        "405": worker.get(reverse("accounts:logout")),
        "logout": worker.post(reverse("accounts:logout")),
    }
    expected = {"403": 403, "404": 404, "405": 405, "redirect after a change": 302, "logout": 302}
    for name, response in found.items():
        assert response.status_code == expected.get(name, 200), name
    return found


def test_every_authenticated_response_carries_the_security_headers(responses):
    for name, response in responses.items():
        try:
            assert_safe_headers(response)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error


@pytest.mark.parametrize("role", list(Role))
def test_every_home_page_carries_the_security_headers(client_for, organization, role):
    response = client_for(UserFactory(organization=organization, role=role)).get(reverse("home"))

    assert response.status_code == 200
    assert_safe_headers(response)


def test_the_sign_in_pages_carry_the_security_headers(client, db):
    assert_safe_headers(client.get(reverse("accounts:login")))
    assert_safe_headers(client.post(reverse("accounts:login"), {"username": "x", "password": "y"}))


def test_pages_load_no_inline_script_or_style(client_for, org_admin):
    """The policy would block them; finding one here means a broken page."""
    content = client_for(org_admin).get(reverse("home")).content.decode()

    assert "<script" not in content
    assert "<style" not in content
    assert " style=" not in content
    assert " onclick=" not in content
