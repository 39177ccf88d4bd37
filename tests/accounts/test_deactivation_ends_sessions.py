"""Deactivating a person ends her open sessions at once, on every device."""

from __future__ import annotations

from django.urls import reverse

from tests.accounts.helpers import session_keys_of


def test_deactivated_users_next_request_is_sent_to_sign_in(client_for, org_admin, caseworker):
    victim = client_for(caseworker)
    assert victim.get(reverse("home")).status_code == 200

    client_for(org_admin).post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    response = victim.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_deactivation_deletes_her_session_rows(client_for, org_admin, caseworker, supervisor):
    client_for(caseworker)
    client_for(caseworker)  # a second device
    client_for(supervisor)
    assert len(session_keys_of(caseworker)) == 2

    client_for(org_admin).post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    assert session_keys_of(caseworker) == set()
    assert len(session_keys_of(supervisor)) == 1  # nobody else is signed out
    assert len(session_keys_of(org_admin)) == 1


def test_reactivation_does_not_revive_old_sessions(client_for, org_admin, caseworker):
    victim = client_for(caseworker)
    admin = client_for(org_admin)
    admin.post(reverse("accounts:user_deactivate", args=[caseworker.pk]))

    admin.post(reverse("accounts:user_reactivate", args=[caseworker.pk]))

    assert victim.get(reverse("home")).status_code == 302
