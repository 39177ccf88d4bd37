"""Every case URL × every kind of person → the status she gets (DESIGN §5).

The table ``ROUTES`` says, per URL name, which access level the URL needs; the people
around the case have the levels in ``PEOPLE``. From the two follow the expected answers:

- enough access                → the row's ``ok`` status, and exactly one audit event;
- can see the case, not enough → 403, recorded as denied;
- cannot see the case          → 404, recorded as denied (as if it did not exist);
- not signed in                → redirect to the sign-in page.

The URLs are read from ``cases.urls``: a new URL that takes a ``case_id`` and has no row
here fails ``test_every_case_url_has_a_row``, so nobody adds a case page without saying
who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from accounts.models import Role
from audit.models import AccessEvent, Outcome
from cases import vocabularies as v
from cases.queries import Access
from cases.services import work
from cases.services.management import request_emergency_access
from cases.urls import urlpatterns
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NONE, VIEW, WORK, MANAGE, SUPERVISE = tuple(Access)


@dataclass(frozen=True)
class Row:
    needed: Access
    method: str = "GET"  # POST for URLs that answer only POST (sent with an empty form)
    ok: int = 200  # what someone with enough access gets


# fmt: off
ROUTES: dict[str, Row] = {
    # URL name              needed     method   ok
    # reading
    "case_detail":          Row(VIEW),
    "case_history":         Row(VIEW),
    "download_attachment":  Row(VIEW),
    "reveal_name":          Row(VIEW,       "POST"),  # the header's "Show name" (cases.labels)
    # case work (an empty form comes back with its errors: 200, nothing saved)
    "edit_section":         Row(WORK),
    "add_note":             Row(WORK,       "POST"),
    "add_attachment":       Row(WORK,       "POST"),
    "add_follow_up":        Row(WORK,       "POST"),
    "complete_follow_up":   Row(WORK,       "POST"),
    "add_risk_assessment":  Row(WORK,       "POST"),
    "update_safety_plan":   Row(WORK,       "POST",  302),  # an empty plan clears it
    "record_consent":       Row(WORK,       "POST"),
    "withdraw_consent":     Row(WORK,       "POST"),
    "create_link_group":    Row(WORK,       "POST"),
    "join_link_group":      Row(WORK,       "POST"),
    # managing the case
    "share":                Row(MANAGE),
    "unshare":              Row(MANAGE,     "POST"),
    "close":                Row(MANAGE),
    "reopen":               Row(MANAGE),
    "assign":               Row(SUPERVISE),
    "shred_request":        Row(SUPERVISE),
    "discard":              Row(MANAGE),
}

# Who is who around the case (fixtures), and her access level on it.
PEOPLE: dict[str, Access | None] = {
    "owner":            MANAGE,     # the caseworker it is assigned to
    "supervisor":       SUPERVISE,  # a supervisor of the case's team
    "collaborator":     WORK,       # shared with her to work on it
    "emergency":        VIEW,       # another team, with a live emergency grant: read only
    "viewer":           VIEW,       # shared with her read-only
    "teammate":         NONE,       # same team, no share
    "other_supervisor": NONE,       # supervisor of another team
    "outsider":         NONE,       # caseworker of another organisation
    "auditor":          NONE,       # reads the access log, never content
    "partner":          NONE,       # sees referral packets only
    "org_admin":        NONE,       # manages people and teams, never content
    "anonymous":        None,       # not signed in
}
# fmt: on

# URLs of the namespace that take no case_id, and why they are not rows above.
NOT_CASE_SCOPED = {
    "case_list": "lists only visible cases (tests/cases/test_list_*)",
    "intake_start": "creates a case (tests/cases/test_intake_*)",
    "emergency_access": "takes a case code (tests/cases/test_manage_emergency_access.py)",
    "shred_requests": "org admins' queue (tests/cases/test_manage_shredding.py)",
    "shred_confirm": "org admins' queue (tests/cases/test_manage_shredding.py)",
    "shred_cancel": "org admins' queue (tests/cases/test_manage_shredding.py)",
    "retention_reviews": "supervisors' queue (tests/cases/test_retention_review.py)",
    "retention_keep": "a review of a case (tests/cases/test_retention_review.py)",
    "retention_propose": "a review of a case (tests/cases/test_retention_review.py)",
}


def _patterns(patterns=urlpatterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


CASE_URLS = {p.name: p for p in _patterns() if "case_id" in p.pattern.converters}


def test_every_case_url_has_a_row():
    missing = sorted(set(CASE_URLS) - set(ROUTES))
    stale = sorted(set(ROUTES) - set(CASE_URLS))
    assert not missing, f"Case URLs without a row in ROUTES: {missing}"
    assert not stale, f"Rows in ROUTES for URLs that no longer exist: {stale}"


def test_every_other_url_of_the_namespace_is_accounted_for():
    others = {p.name for p in _patterns()} - set(CASE_URLS)
    assert others == set(NOT_CASE_SCOPED), (
        "A URL of the cases namespace without a case_id: add it to NOT_CASE_SCOPED with "
        "the test that covers its access."
    )


# --- the case, its sub-objects and the people around it ---------------------------------


@pytest.fixture
def targets(caseworker, case):
    """Every kwarg a case URL may take, filled with objects of the case."""
    attachment = work.add_attachment(
        actor=caseworker,
        case=case,
        kind=v.AttachmentKind.OTHER,
        upload=SimpleUploadedFile("nota.txt", b"texto de prueba", content_type="text/plain"),
    )
    follow_up = work.add_follow_up(
        actor=caseworker,
        case=case,
        kind=v.FollowUpKind.CHECK_IN,
        due_on=case.opened_on,
        assignee=caseworker,
    )
    consent = work.record_consent(
        actor=caseworker,
        case=case,
        purpose=v.ConsentPurpose.DATA_PROCESSING,
        given=True,
        method=v.ConsentMethod.VERBAL,
        given_by=v.ConsentGivenBy.SURVIVOR,
    )
    return {
        "case_id": case.pk,
        "attachment_id": attachment.pk,
        "follow_up_id": follow_up.pk,
        "consent_id": consent.pk,
        "section": "identity",
    }


@pytest.fixture
def emergency(organization, case):
    user = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(user)
    outcome = request_emergency_access(
        actor=user, code=case.code, reason="Llamada urgente del hospital", password=TEST_PASSWORD
    )
    assert outcome.grant is not None
    return user


FIXTURE_OF = {"owner": "caseworker"}


def expected_status(row: Row, level: Access | None) -> int:
    if level is None:
        return 302
    if level == NONE:
        return 404
    if level < row.needed:
        return 403
    return row.ok


MATRIX = [(name, person) for name in sorted(ROUTES) for person in PEOPLE]


@pytest.mark.parametrize(("url_name", "person"), MATRIX, ids=[f"{n}-{p}" for n, p in MATRIX])
def test_access(request, client_for, targets, url_name, person):
    if url_name not in CASE_URLS:
        pytest.fail(f"{url_name} has a row but no URL")
    row, level = ROUTES[url_name], PEOPLE[person]
    pattern = CASE_URLS[url_name]
    url = reverse(
        f"cases:{url_name}", kwargs={name: targets[name] for name in pattern.pattern.converters}
    )
    if level is None:
        user, client = None, Client()
    else:
        user = request.getfixturevalue(FIXTURE_OF.get(person, person))
        client = client_for(user)
    before = AccessEvent.objects.count()

    response = client.post(url, {}) if row.method == "POST" else client.get(url)

    expected = expected_status(row, level)
    assert response.status_code == expected, (
        f"{person} ({level!r}) on {url_name} needing {row.needed!r}: "
        f"got {response.status_code}, expected {expected}"
    )
    new_events = AccessEvent.objects.order_by("id")[before:]
    if expected == 302 and level is None:
        assert reverse("accounts:login") in response.url
        assert not [event for event in new_events if event.outcome == Outcome.ALLOWED]
    elif expected in (403, 404):
        assert [event.outcome for event in new_events if event.actor_id == user.pk] == [
            Outcome.DENIED
        ], "a refused attempt leaves exactly one denied event"
    else:
        assert len(new_events) == 1, (
            f"{url_name} by {person}: one audit event per request, got "
            f"{[event.action for event in new_events]}"
        )
        assert new_events[0].outcome == Outcome.ALLOWED


POST_ONLY = sorted(name for name, row in ROUTES.items() if row.method == "POST")


@pytest.mark.parametrize("url_name", POST_ONLY)
def test_post_only_urls_refuse_get_without_touching_anything(
    client_for, supervisor, targets, url_name
):
    pattern = CASE_URLS[url_name]
    url = reverse(
        f"cases:{url_name}", kwargs={name: targets[name] for name in pattern.pattern.converters}
    )
    before = AccessEvent.objects.count()
    assert client_for(supervisor).get(url).status_code == 405
    assert AccessEvent.objects.count() == before
