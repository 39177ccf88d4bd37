"""With only a password, a session reaches the sign-in pages and nothing else.

Every URL pattern of the project is tried, so a page added later without thinking about
the second factor is caught here.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.middleware import RequireTwoFactorMiddleware
from accounts.models import User
from tests.accounts.helpers import enrolling_client, password_only_client
from tests.factories import enrol_totp

# Values that satisfy the usual converters (int, str, slug, path, uuid) and admin regexes.
SAMPLE_VALUES = ["1", "accounts", "user", "x", "2b1c7a9e-4d2f-4c3e-9a8b-0f1e2d3c4b5a"]
TWO_FACTOR_PAGE = "/accounts/two-factor/"


def _patterns(resolvers=None, prefix="", namespace=""):
    """(path template, view name, pattern) for every pattern, nested ones included."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        text = _pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}{entry.namespace}:"
            yield from _patterns(entry.url_patterns, prefix + text, inner_namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + text, name, entry


def _pattern_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))
    if isinstance(pattern, RegexPattern):
        text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        return text.replace("\\", "")
    raise AssertionError(f"unknown pattern type {pattern!r}")


def _example_url(template: str, entry: URLPattern) -> str:
    """A concrete address that resolves to ``entry``, trying a few values per argument."""
    names = re.findall(r"{(\w+)}", template)
    for values in itertools.product(SAMPLE_VALUES, repeat=len(names)):
        url = "/" + template.format(**dict(zip(names, values, strict=True)))
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.func == entry.callback:
            return url
    raise AssertionError(f"no example address found for {template!r}")


ALL_PATTERNS = [(template, name, entry) for template, name, entry in _patterns()]
GUARDED = [
    pytest.param(template, entry, id=name or template)
    for template, name, entry in ALL_PATTERNS
    if name not in RequireTwoFactorMiddleware.allowed_url_names
]


def test_the_project_has_the_pages_this_test_is_about():
    names = {name for _, name, _ in ALL_PATTERNS}
    assert {"home", "accounts:user_list", "accounts:security", "admin:index"} <= names
    assert RequireTwoFactorMiddleware.allowed_url_names <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("template", "entry"), GUARDED)
def test_page_needs_the_second_factor(template, entry, method, caseworker):
    enrol_totp(caseworker)
    client = password_only_client(caseworker)
    url = _example_url(template, entry)

    response = getattr(client, method)(url)

    assert response.status_code == 302, url
    assert response.url == TWO_FACTOR_PAGE, url


def test_a_superuser_also_needs_the_second_factor_for_the_admin(db):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    enrol_totp(root)
    client = password_only_client(root)

    response = client.get("/django-admin/")

    assert response.status_code == 302
    assert response.url == TWO_FACTOR_PAGE


@pytest.mark.parametrize(
    ("name", "enrolled"),
    [
        ("accounts:login", True),
        ("accounts:two_factor_verify", True),
        ("accounts:two_factor_enrol", False),
    ],
)
def test_sign_in_pages_stay_reachable(name, enrolled, caseworker):
    if enrolled:
        enrol_totp(caseworker)
    # Enrolment is reachable, and shown, to a session that came through its invitation link.
    client = password_only_client(caseworker) if enrolled else enrolling_client(caseworker)

    assert client.get(reverse(name)).status_code == 200


def test_logout_stays_reachable(caseworker):
    client = password_only_client(caseworker)

    response = client.post(reverse("accounts:logout"))

    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_changing_language_stays_reachable(caseworker):
    client = password_only_client(caseworker)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
