"""Consent (DESIGN §6): per purpose and recipient, given by the right person, withdrawn for good."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases.models import Consent
from cases.services import work
from cases.services.intake import Guardian

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _content_events():
    return list(AccessEvent.objects.exclude(action=Action.VAULT_KEY_CREATED).order_by("pk"))


def _record(client, case, **overrides):
    data = {
        "consent-purpose": "referral",
        "consent-recipient_service_type": "shelter",
        "consent-scope": ["identity", "safe_contact"],
        "consent-decision": "given",
        "consent-method": "verbal",
        "consent-given_by": "survivor",
        "consent-interpreter_language": "",
        "consent-expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    data.update({f"consent-{key}": value for key, value in overrides.items()})
    return client.post(reverse("cases:record_consent", kwargs={"case_id": case.pk}), data)


@pytest.fixture
def child_case(make_case, caseworker):
    return make_case(
        caseworker,
        given_names="Yuleisy",
        birth_date=date.today().replace(year=date.today().year - 15),
        guardian=Guardian(name="Carmen Rondón", relationship="madre"),
    )


def test_the_owner_records_an_adults_consent(client_for, caseworker, case):
    before = len(_content_events())
    response = _record(client_for(caseworker), case)
    assert response.status_code == 302
    assert response["Location"].endswith("#consent")
    consent = Consent.objects.get(case=case)
    assert consent.given and consent.is_live()
    assert consent.given_by == "survivor"
    assert consent.scope == ["identity", "safe_contact"]
    assert consent.recorded_by == caseworker
    assert [e.action for e in _content_events()[before:]] == [Action.CONSENT_RECORDED]


def test_a_refusal_is_recorded_too(client_for, caseworker, case):
    _record(client_for(caseworker), case, decision="refused", scope=[])
    consent = Consent.objects.get(case=case)
    assert not consent.given
    assert not consent.is_live()


def test_a_referral_consent_must_name_a_recipient(client_for, caseworker, case):
    response = _record(client_for(caseworker), case, recipient_service_type="")
    assert response.status_code == 200
    assert "choose an organisation or a type of service" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_recipient_organisation_is_enough(client_for, caseworker, case, other_organization):
    _record(
        client_for(caseworker),
        case,
        recipient_service_type="",
        recipient_organization=other_organization.pk,
        purpose="authorities",
    )
    assert Consent.objects.get(case=case).recipient_organization == other_organization


def test_for_an_adult_only_she_can_consent(client_for, caseworker, case):
    response = _record(client_for(caseworker), case, given_by="guardian_with_assent")
    assert response.status_code == 200
    assert "only she can give or refuse consent" in response.content.decode()
    assert not Consent.objects.exists()


def test_for_a_child_a_guardian_consents_with_her_assent(client_for, caseworker, child_case):
    client = client_for(caseworker)
    response = _record(client, child_case, given_by="survivor")
    assert response.status_code == 200
    assert "consent is given by a guardian, with her assent" in response.content.decode()
    assert not Consent.objects.exists()
    assert _record(client, child_case, given_by="guardian_with_assent").status_code == 302
    assert Consent.objects.get(case=child_case).given_by == "guardian_with_assent"


def test_the_service_enforces_the_minors_rule_itself(caseworker, child_case):
    with pytest.raises(ValidationError):
        work.record_consent(
            actor=caseworker,
            case=child_case,
            purpose="data_processing",
            given=True,
            method="written",
            given_by="survivor",
        )
    assert not Consent.objects.exists()


def test_a_consent_already_expired_is_refused(client_for, caseworker, case):
    response = _record(
        client_for(caseworker),
        case,
        expires_on=(timezone.localdate() - timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 200
    assert not Consent.objects.exists()


def test_the_read_only_colleague_gets_403(client_for, viewer, case):
    assert _record(client_for(viewer), case).status_code == 403
    assert not Consent.objects.exists()


def test_an_outsider_gets_404(client_for, outsider, case):
    assert _record(client_for(outsider), case).status_code == 404
    assert not Consent.objects.exists()


@pytest.fixture
def consent(caseworker, case):
    return work.record_consent(
        actor=caseworker,
        case=case,
        purpose="referral",
        recipient_service_type="medical",
        scope=["identity"],
        given=True,
        method="verbal",
        given_by="survivor",
    )


def _withdraw(client, case, consent, reason="survivor_request"):
    return client.post(
        reverse("cases:withdraw_consent", kwargs={"case_id": case.pk, "consent_id": consent.pk}),
        {"reason": reason},
    )


def test_withdrawal_is_one_action_with_a_reason(client_for, caseworker, case, consent):
    before = len(_content_events())
    assert _withdraw(client_for(caseworker), case, consent).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == caseworker
    assert consent.withdrawal_reason == "survivor_request"
    assert not consent.is_live()
    assert [e.action for e in _content_events()[before:]] == [Action.CONSENT_WITHDRAWN]


def test_withdrawal_cannot_be_undone_or_repeated(client_for, caseworker, case, consent):
    client = client_for(caseworker)
    _withdraw(client, case, consent)
    consent.refresh_from_db()
    first = consent.withdrawn_at
    response = _withdraw(client, case, consent, reason="safety")
    assert response.status_code == 200
    assert "already withdrawn" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == first
    assert consent.withdrawal_reason == "survivor_request"


def test_withdrawal_needs_a_reason_from_the_list(client_for, caseworker, case, consent):
    response = _withdraw(client_for(caseworker), case, consent, reason="because")
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_read_only_colleague_cannot_withdraw(client_for, viewer, case, consent):
    assert _withdraw(client_for(viewer), case, consent).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_an_outsider_cannot_withdraw(client_for, outsider, case, consent):
    assert _withdraw(client_for(outsider), case, consent).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_case_page_shows_each_consents_state_and_offers_withdrawal_of_live_ones(
    client_for, caseworker, case, consent
):
    work.record_consent(
        actor=caseworker,
        case=case,
        purpose="statistics",
        given=False,
        method="verbal",
        given_by="survivor",
    )
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    text = page.content.decode()
    assert "badge--consent-live" in text and "badge--consent-refused" in text
    withdraw_url = reverse(
        "cases:withdraw_consent", kwargs={"case_id": case.pk, "consent_id": consent.pk}
    )
    assert withdraw_url in text
