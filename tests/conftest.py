"""Shared fixtures: an organisation with a person of every role, and an outsider.

Access tests use three standard people (STYLE.md): the owner of a thing, a read-only
colleague, and an outsider from another organisation.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import sessions
from accounts.models import Role
from cases.services.intake import Identity, register_intake
from tests.factories import OrganizationFactory, TeamFactory, UserFactory, enrol_totp


@pytest.fixture(autouse=True)
def _default_language_between_tests():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware): each
    test starts and ends in the default language, so none depends on the one before."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Asociación Prueba")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Otra Organización")


@pytest.fixture
def team(organization):
    return TeamFactory(organization=organization, name="Equipo Lima")


@pytest.fixture
def caseworker(organization, team):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="caseworker")
    team.members.add(user)
    return user


@pytest.fixture
def supervisor(organization, team):
    user = UserFactory(organization=organization, role=Role.SUPERVISOR, username="supervisor")
    team.supervisors.add(user)
    return user


@pytest.fixture
def auditor(organization):
    return UserFactory(organization=organization, role=Role.AUDITOR, username="auditor")


@pytest.fixture
def org_admin(organization):
    return UserFactory(organization=organization, role=Role.ORG_ADMIN, username="orgadmin")


@pytest.fixture
def partner(other_organization):
    return UserFactory(organization=other_organization, role=Role.PARTNER, username="partner")


@pytest.fixture
def outsider_admin(other_organization):
    return UserFactory(
        organization=other_organization, role=Role.ORG_ADMIN, username="outsideradmin"
    )


def signed_in_client(user) -> Client:
    """A client whose session has passed both factors, as after a real sign-in."""
    from django.utils import timezone

    device = enrol_totp(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    sessions.start(session, timezone.now())
    session.save()
    return client


@pytest.fixture
def client_for():
    """``client_for(user)`` gives a fully signed-in client for that user."""
    return signed_in_client


# --- canary scan (tests/canary.py) -------------------------------------------------


@pytest.fixture
def canaries(caplog):
    """Plant canaries with ``canaries.new()``; ``canaries.assert_no_leaks()`` then scans
    every database, the default storage, captured logs (all levels) and sent mail.

    Needs ``@pytest.mark.django_db(transaction=True, databases=[...])``.
    """
    from core.safe_logging import WithholdExceptionMessages
    from tests.canary import CanaryScan

    caplog.set_level(logging.DEBUG)
    # Captured as the configured handlers write it (config/settings.py LOGGING).
    caplog.handler.addFilter(WithholdExceptionMessages())
    return CanaryScan(caplog)


@pytest.fixture
def make_case(db):
    """``make_case(owner, team=None, **identity)`` registers an intake through the service."""

    def make(owner, team=None, guardian=None, **identity):
        team = team or owner.teams.first() or owner.supervised_teams.first()
        values = {
            "given_names": "María José",
            "family_names": "Pérez Salas",
            "birth_date": date(1996, 4, 12),
            "gender": "female",
            "nationality": "VE",
            "languages": ["es"],
        }
        values.update(identity)
        return register_intake(
            actor=owner, team=team, identity=Identity(**values), guardian=guardian
        )

    return make


# --- emptying the append-only tables between tests (audit/append_only.py) ----------
# The database refuses UPDATE, DELETE and TRUNCATE of access events, their seals and
# grant reviews. Django's test runner must still empty every table after a transactional
# test (TRUNCATE on PostgreSQL, DELETE on SQLite):
# - PostgreSQL: the flush runs with ``SET LOCAL session_replication_role = replica``, in
#   which triggers do not fire. It needs a superuser, which the tests connect as and the
#   application never does (audit/roles.py); only the flush uses it, so every other
#   statement of the tests meets the triggers as the application would.
# - SQLite: every connection gets the maintenance function that Amparo itself defines as 0.
# Tests of the refusal itself take a connection opened as the application opens it: the
# ``application_connection`` fixture; tests of the application role's privileges create
# that role (tests/audit/test_database_roles_pg.py).

AUDIT_MAINTENANCE_UID = "amparo-tests-audit-maintenance"


def _maintenance_on() -> int:
    return 1


def allow_emptying_the_audit_log(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        # Replaces the audit app's function of the same name, which answers 0.
        connection.connection.create_function("amparo_audit_maintenance", 0, _maintenance_on)


connection_created.connect(allow_emptying_the_audit_log, dispatch_uid=AUDIT_MAINTENANCE_UID)


def _flush_in_replica_mode():
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush
    if getattr(flush, "amparo_replica_mode", False):
        return

    def execute_sql_flush(self, sql_list):
        # SET LOCAL: the flush's own transaction only (execute_sql_flush is atomic).
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    execute_sql_flush.amparo_replica_mode = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush


_flush_in_replica_mode()


@pytest.fixture
def application_connection():
    """``with application_connection() as connection:`` a new connection to the test
    database as the application has it: on SQLite without the tests' maintenance
    function, on PostgreSQL outside the flush's replica mode (still as the tests'
    superuser: tests of the application *role* are in test_database_roles_pg.py). Needs
    committed rows to act on, so use it in ``transaction=True`` tests."""

    @contextmanager
    def open_connection(alias: str = "default"):
        connection_created.disconnect(dispatch_uid=AUDIT_MAINTENANCE_UID)
        try:
            connection = connections.create_connection(alias)
            connection.ensure_connection()
        finally:
            connection_created.connect(
                allow_emptying_the_audit_log, dispatch_uid=AUDIT_MAINTENANCE_UID
            )
        try:
            yield connection
        finally:
            connection.close()

    return open_connection
