"""Consent to share with the authorities names police or a prosecutor as its recipient
type, not "Other" (issue 14); the service types stay recipients too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import vocabularies as v
from cases.models import Consent
from tests.cases.test_work_consent import _record

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.mark.parametrize("recipient", ["police", "prosecutor"])
def test_consent_to_the_authorities_names_police_or_a_prosecutor(
    client_for, caseworker, case, recipient
):
    response = _record(client_for(caseworker), case, purpose="authorities",
                       recipient_service_type=recipient)

    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.recipient_service_type == recipient

    page = client_for(caseworker).get(
        reverse("cases:case_detail", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert {"police": "Para: Policía", "prosecutor": "Para: Fiscalía"}[recipient] in page


def test_every_service_type_is_still_a_consent_recipient():
    # A referral finds her consent by the offering's service type: the codes must agree.
    assert set(v.ServiceType.values) <= set(v.ConsentRecipientType.values)


def test_an_unknown_recipient_type_is_refused_and_nothing_is_recorded(
    client_for, caseworker, case
):
    response = _record(client_for(caseworker), case, purpose="authorities",
                       recipient_service_type="army")

    assert response.status_code in (200, 400)
    assert not Consent.objects.filter(case=case).exists()
