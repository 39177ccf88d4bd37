"""``seed_demo`` loads the fictional demo network, and only where the demo flag is on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import router
from django.test import override_settings

from accounts.demo import DEMO_PASSWORD, seed_demo_network
from accounts.models import Organization, Role, User

# The command also loads the demo cases, whose data keys live in the ``keys`` database.
pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _counts() -> dict[str, int]:
    """Rows of every table, each counted in the database that holds it."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        database = router.db_for_read(model)
        if router.allow_migrate_model(database, model):
            counts[model._meta.label] = model.objects.using(database).count()
    return counts


@override_settings(AMPARO_DEMO=True)
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert _counts() == first
    assert first["accounts.User"] > 0
    # The second run still prints the logins and the warning.
    assert DEMO_PASSWORD in out.getvalue()
    assert "lucia" in out.getvalue()
    assert "never enter real data" in out.getvalue()


@override_settings(DEBUG=False, AMPARO_DEMO=False)
def test_seed_demo_refuses_without_the_demo_or_debug_flag():
    before = _counts()

    with pytest.raises(ImproperlyConfigured):
        call_command("seed_demo", stdout=StringIO())

    assert _counts() == before
    assert not Organization.objects.exists()


# The people of the network, seeded without the (slower) demo cases.


@override_settings(AMPARO_DEMO=True)
def test_the_demo_network_has_every_role():
    seed_demo_network()

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


@override_settings(AMPARO_DEMO=True)
def test_demo_accounts_are_marked_and_share_the_published_password():
    seed_demo_network()

    for user in User.objects.all():
        assert user.demo_account
        assert user.check_password(DEMO_PASSWORD)
        assert not user.is_superuser and not user.is_staff


@override_settings(AMPARO_DEMO=True)
def test_seeding_again_repairs_a_changed_demo_account():
    seed_demo_network()
    lucia = User.objects.get(username="lucia")
    lucia.is_active = False
    lucia.set_password("something-else-entirely")
    lucia.save()

    seed_demo_network()

    lucia.refresh_from_db()
    assert lucia.is_active
    assert lucia.check_password(DEMO_PASSWORD)


@override_settings(DEBUG=True, AMPARO_DEMO=False)
def test_the_demo_network_may_be_seeded_in_development():
    seed_demo_network()

    assert User.objects.exists()


@override_settings(DEBUG=False, AMPARO_DEMO=False)
def test_the_demo_network_refuses_without_the_demo_or_debug_flag():
    with pytest.raises(ImproperlyConfigured):
        seed_demo_network()

    assert not User.objects.exists()
