"""Moving the grant reviews from ``audit`` to ``oversight`` (migrations audit.0007 and
oversight.0001) changes Django's picture of the models only: the table
``audit_grantreview``, its rows, the access events and their seals, and the append-only
triggers of audit.0005 come through untouched. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Role
from audit.models import AccessEvent, EventSeal
from cases.models import EmergencyGrant
from cases.services.management import request_emergency_access
from oversight.models import GrantFinding, GrantReview
from oversight.reviews import review_emergency_grant
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

BEFORE_THE_MOVE = [("audit", "0006_alter_accessevent_action"), ("oversight", None)]
AFTER_THE_MOVE = [
    ("audit", "0007_grantreview_moves_to_oversight"),
    ("oversight", "0001_initial"),
]
NOTE = "Revisado con la supervisora de guardia."
EVENT_FIELDS = ("id", "occurred_at", "actor_id", "action", "case_code", "outcome", "purpose")


def _migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate the default database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    reached = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(reached).apps


@pytest.fixture
def before_the_move() -> Iterator[Apps]:
    """The database as audit.0006 left it (the review still audit's), and back to the
    latest migrations afterwards, whatever the test did."""
    try:
        yield _migrate(BEFORE_THE_MOVE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def grant(organization, make_case, caseworker) -> EmergencyGrant:
    case = make_case(caseworker)
    nightshift = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
    return request_emergency_access(
        actor=nightshift, code=case.code, reason="Llamada urgente", password=TEST_PASSWORD
    ).grant


def test_the_move_runs_no_sql():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(AFTER_THE_MOVE)
        assert [migration.name for migration, _backwards in plan] == [
            "0007_grantreview_moves_to_oversight",
            "0001_initial",
        ]
        statements = [
            line
            for line in executor.loader.collect_sql(plan)
            if line.strip() and not line.lstrip().startswith("--")
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert statements == []


def test_reviews_events_and_seals_written_before_the_move_survive_it(
    grant, auditor, before_the_move
):
    old_review_model = before_the_move.get_model("audit", "GrantReview")
    written = old_review_model.objects.create(
        grant_id=grant.pk, finding="justified", note=NOTE, reviewed_by_id=auditor.pk
    )
    events_before = list(AccessEvent.objects.order_by("id").values_list(*EVENT_FIELDS))
    seals_before = list(EventSeal.objects.order_by("sequence").values_list("event_id", "hash"))
    assert events_before, "the grant left events to carry through the move"

    _migrate(AFTER_THE_MOVE)

    review = GrantReview.objects.get()
    assert (review.pk, review.grant_id, review.finding, review.note, review.reviewed_by_id) == (
        written.pk,
        grant.pk,
        GrantFinding.JUSTIFIED,
        NOTE,
        auditor.pk,
    )
    assert EmergencyGrant.objects.get(pk=grant.pk).review == review
    assert list(AccessEvent.objects.order_by("id").values_list(*EVENT_FIELDS)) == events_before
    assert (
        list(EventSeal.objects.order_by("sequence").values_list("event_id", "hash")) == seals_before
    )


def test_the_triggers_still_refuse_to_change_a_review_after_the_move(
    grant, auditor, before_the_move, application_connection
):
    before_the_move.get_model("audit", "GrantReview").objects.create(
        grant_id=grant.pk, finding="justified", note=NOTE, reviewed_by_id=auditor.pk
    )
    _migrate(AFTER_THE_MOVE)

    for statement in (
        "UPDATE audit_grantreview SET note = ''",
        "DELETE FROM audit_grantreview",
        "UPDATE audit_accessevent SET purpose = 'x'",
        "DELETE FROM audit_accessevent",
    ):
        with (
            application_connection() as app,
            app.cursor() as cursor,
            pytest.raises(DatabaseError, match="append-only"),
        ):
            cursor.execute(statement)

    assert GrantReview.objects.get().note == NOTE
    assert AccessEvent.objects.exists()


def test_going_back_before_the_move_keeps_the_reviews(grant, auditor, before_the_move):
    _migrate(AFTER_THE_MOVE)
    review = review_emergency_grant(
        actor=auditor, grant=grant, finding=GrantFinding.NEEDS_FOLLOW_UP, note=NOTE
    )

    old_apps = _migrate(BEFORE_THE_MOVE)

    old = old_apps.get_model("audit", "GrantReview").objects.get()
    assert (old.pk, old.grant_id, old.finding, old.note) == (
        review.pk,
        grant.pk,
        "needs_follow_up",
        NOTE,
    )
