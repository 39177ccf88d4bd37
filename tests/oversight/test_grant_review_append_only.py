"""An auditor's review of an emergency grant is insert-only, like the access events: the
database refuses to change or remove it, for the application's own connection too
(migration audit.0005)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, connections

from accounts.models import Role
from cases.services.management import request_emergency_access
from oversight.models import GrantFinding, GrantReview
from oversight.reviews import review_emergency_grant
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

NOTE = "Comprobado con la supervisora del turno de noche."


@pytest.fixture
def review(organization, make_case, caseworker, auditor):
    case = make_case(caseworker)
    nightshift = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
    outcome = request_emergency_access(
        actor=nightshift, code=case.code, reason="Llamada urgente", password=TEST_PASSWORD
    )
    return review_emergency_grant(
        actor=auditor, grant=outcome.grant, finding=GrantFinding.JUSTIFIED, note=NOTE
    )


def _refused(application_connection, statement: str) -> None:
    with (
        application_connection() as app,
        app.cursor() as cursor,
        pytest.raises(DatabaseError, match="append-only"),
    ):
        cursor.execute(statement)


def test_it_refuses_an_update_of_a_review(review, application_connection):
    _refused(application_connection, "UPDATE audit_grantreview SET finding = 'not_justified'")

    assert GrantReview.objects.get(pk=review.pk).finding == GrantFinding.JUSTIFIED


def test_it_refuses_an_update_of_the_note(review, application_connection):
    _refused(
        application_connection, f"UPDATE audit_grantreview SET note = '' WHERE id = {review.pk}"
    )

    assert GrantReview.objects.get(pk=review.pk).note == NOTE


def test_it_refuses_a_delete_of_a_review(review, application_connection):
    _refused(application_connection, f"DELETE FROM audit_grantreview WHERE id = {review.pk}")

    assert GrantReview.objects.filter(pk=review.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no TRUNCATE (DELETE is tested)"
)
def test_it_refuses_a_truncate_of_the_reviews(review, application_connection):
    _refused(application_connection, "TRUNCATE audit_grantreview")

    assert GrantReview.objects.count() == 1


def test_the_orm_on_the_application_connection_is_refused(review, application_connection):
    with application_connection() as app:
        test_connection = connections["default"]
        connections["default"] = app
        try:
            with pytest.raises(DatabaseError, match="append-only"):
                GrantReview.objects.filter(pk=review.pk).update(note="")
            with pytest.raises(DatabaseError, match="append-only"):
                GrantReview.objects.get(pk=review.pk).delete()
        finally:
            connections["default"] = test_connection

    assert GrantReview.objects.get(pk=review.pk).note == NOTE


def test_a_new_review_is_still_accepted(review):
    assert GrantReview.objects.filter(pk=review.pk).exists()
