"""The demo network's directory and referrals: there after ``seed_demo``, and only once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import router
from django.test import override_settings
from django.urls import reverse

from accounts.models import Organization, User
from referrals import vocabularies as rv
from referrals.demo import seed_demo_referrals
from referrals.models import Referral, ServiceOffering
from tests.conftest import signed_in_client
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        database = router.db_for_read(model)
        if router.allow_migrate_model(database, model):
            counts[model._meta.label] = model.objects.using(database).count()
    return counts


@pytest.fixture
def demo():
    with override_settings(AMPARO_DEMO=True):
        call_command("seed_demo", stdout=StringIO())
        yield


def test_the_demo_has_a_directory_and_referrals_in_every_state(demo):
    """One test for all of it: seeding the demo takes seconds."""
    for name in (
        "Casa Refugio Mujeres del Sur",
        "Clínica Jurídica Libertad",
        "Unidad de Protección y Retorno",
        "Asociación Camino Seguro",
    ):
        assert ServiceOffering.objects.filter(organization__name=name).exists(), name
    shelter = ServiceOffering.objects.get(name="Casa Refugio — acogida temporal")
    assert shelter.city == "Arequipa"
    assert (shelter.free_places, shelter.total_places) == (3, 12)
    assert shelter.places_updated_at is not None
    assert "inventada" in vault.unseal(shelter, "address")
    assert ServiceOffering.objects.filter(free_places=0).exists()  # a full one, to confirm

    states = set(Referral.objects.values_list("state", flat=True))

    assert states == set(rv.State.values)
    assert Referral.objects.filter(emergency=True, review_finding="").exists()
    assert any(referral.is_overdue for referral in Referral.objects.filter(state=rv.State.SENT))
    for referral in Referral.objects.exclude(state=rv.State.DRAFT):
        assert referral.consent is not None

    refugio = User.objects.get(username="refugio")

    response = signed_in_client(refugio).get(reverse("referrals:inbox"))

    assert response.status_code == 200
    provider = Organization.objects.get(name="Casa Refugio Mujeres del Sur")
    assert {r.provider_id for r in response.context["rows"]} == {provider.pk}
    assert len(response.context["rows"]) >= 3

    # Seeding again adds nothing (the whole command's idempotence is tested in
    # tests/accounts/test_seed_demo.py).
    before = _counts()
    with override_settings(AMPARO_DEMO=True):
        assert seed_demo_referrals() == (0, 0)
    assert _counts() == before
