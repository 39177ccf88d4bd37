"""Auditors never see survivor content (DESIGN §1, §8).

tests/cases/test_access_matrix.py already says "auditor: NONE" for every case URL (404 and
one denied event each). This test says it once more in one place, for every URL of the
cases namespace that takes a case, with GET and POST, and checks that the auditor's own
pages never carry the survivor's name, her narrative, notes or an emergency reason.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse

from accounts.models import Role
from cases import vocabularies as v
from cases.services import work
from cases.services.management import request_emergency_access
from cases.urls import urlpatterns
from oversight.models import GrantFinding
from oversight.reviews import review_emergency_grant
from tests.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

GIVEN_NAMES = "Rosalinda"
FAMILY_NAMES = "Quispecahuana"
NOTE_TEXT = "Contó que la trasladaron de noche a Madre de Dios"
REASON = "Hospital Loayza llamó por Rosalinda"


def _patterns(patterns=urlpatterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


CASE_URLS = sorted(
    (p.name, tuple(p.pattern.converters)) for p in _patterns() if "case_id" in p.pattern.converters
)


@pytest.fixture
def worked_case(organization, make_case, caseworker):
    case = make_case(caseworker, given_names=GIVEN_NAMES, family_names=FAMILY_NAMES)
    work.add_note(actor=caseworker, case=case, body=NOTE_TEXT)
    attachment = work.add_attachment(
        actor=caseworker,
        case=case,
        kind=v.AttachmentKind.OTHER,
        upload=SimpleUploadedFile("informe.txt", b"contenido", content_type="text/plain"),
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
    nightshift = UserFactory(organization=organization, role=Role.CASEWORKER, username="nightshift")
    TeamFactory(organization=organization, name="Turno noche").members.add(nightshift)
    grant = request_emergency_access(
        actor=nightshift, code=case.code, reason=REASON, password=TEST_PASSWORD
    ).grant
    return {
        "case": case,
        "grant": grant,
        "kwargs": {
            "case_id": case.pk,
            "attachment_id": attachment.pk,
            "follow_up_id": follow_up.pk,
            "consent_id": consent.pk,
            "section": "identity",
        },
    }


def test_there_are_case_urls_to_check():
    assert len(CASE_URLS) >= 10


@pytest.mark.parametrize(("url_name", "converters"), CASE_URLS, ids=[n for n, _ in CASE_URLS])
def test_an_auditor_gets_404_on_every_case_page(
    client_for, auditor, worked_case, url_name, converters
):
    url = reverse(
        f"cases:{url_name}", kwargs={name: worked_case["kwargs"][name] for name in converters}
    )
    client = client_for(auditor)

    # 405 only where the method itself is wrong (a POST-only URL opened with GET).
    statuses = []
    for response in (client.get(url), client.post(url, {})):
        statuses.append(response.status_code)
        body = response.content.decode()
        assert GIVEN_NAMES not in body and FAMILY_NAMES not in body
        assert NOTE_TEXT not in body
    assert set(statuses) <= {404, 405} and 404 in statuses, f"{url_name}: {statuses}"


def test_the_auditors_own_pages_carry_no_survivor_content(client_for, auditor, worked_case):
    case, grant = worked_case["case"], worked_case["grant"]
    review_emergency_grant(actor=auditor, grant=grant, finding=GrantFinding.JUSTIFIED)
    client = client_for(auditor)
    pages = [
        reverse("home"),
        reverse("oversight:search"),
        reverse("oversight:search") + f"?case_code={case.code}",
        reverse("oversight:case_access") + f"?code={case.code}",
        reverse("oversight:person_activity") + f"?person={grant.user_id}",
        reverse("oversight:denied"),
        reverse("oversight:grants"),
        reverse("oversight:anomalies"),
        reverse("oversight:export"),
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        for secret in (GIVEN_NAMES, FAMILY_NAMES, NOTE_TEXT, REASON):
            assert secret not in body, f"{secret!r} on {url}"
        if "export" not in url and url != reverse("home"):
            assert case.code in body or url.endswith(("/denied/",)), url


@pytest.mark.parametrize("url_name", ["case_list", "emergency_access", "intake_start"])
def test_the_case_pages_without_a_case_refuse_her_too(client_for, auditor, url_name):
    response = client_for(auditor).get(reverse(f"cases:{url_name}"))

    assert response.status_code == 403
