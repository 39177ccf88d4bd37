"""An org admin cannot remove her own administrator role (and lock her organisation out)."""

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_org_admin_cannot_demote_herself(client_for, org_admin):
    response = client_for(org_admin).post(
        f"/accounts/users/{org_admin.pk}/",
        {"first_name": "A", "last_name": "B", "email": "", "role": Role.CASEWORKER},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "administrator role" in response.content.decode()
    org_admin.refresh_from_db()
    assert org_admin.role == Role.ORG_ADMIN


def test_totp_secrets_are_not_in_the_admin():
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice)
