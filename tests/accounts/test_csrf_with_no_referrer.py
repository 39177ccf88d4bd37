"""Form posts from Amparo's own pages pass CSRF even though no referrer is ever sent."""

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login_post(client: Client, **headers):
    client.get("/accounts/login/")
    token = client.cookies["amparo_csrf"].value
    return client.post(
        "/accounts/login/",
        {"username": "caseworker", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
        headers=headers,
    )


def test_null_origin_from_the_same_site_is_accepted(caseworker):
    client = Client(enforce_csrf_checks=True)
    response = _login_post(client, origin="null", sec_fetch_site="same-origin")
    assert response.status_code == 302


def test_null_origin_from_another_site_is_refused(caseworker):
    client = Client(enforce_csrf_checks=True)
    response = _login_post(client, origin="null", sec_fetch_site="cross-site")
    assert response.status_code == 403


def test_foreign_origin_is_refused_even_with_a_token(caseworker):
    client = Client(enforce_csrf_checks=True)
    response = _login_post(client, origin="https://evil.example", sec_fetch_site="same-origin")
    assert response.status_code == 403


def test_post_without_token_is_refused_even_from_the_same_site(caseworker):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": "caseworker", "password": TEST_PASSWORD},
        headers={"origin": "null", "sec_fetch_site": "same-origin"},
    )
    assert response.status_code == 403
