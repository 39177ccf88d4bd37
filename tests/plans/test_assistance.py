"""The assistance record: what she received, from whom, when; fed by completed referrals.

A referral the partner completes adds the assistance entry on its own, through
``referrals.hooks.referral_completed`` (referrals never imports plans), with the
partner's outcome; the caseworker confirms or corrects it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from plans import services
from plans import vocabularies as pv
from plans.models import AssistanceEntry
from plans.queries import assistance_by_category, assistance_to_confirm
from referrals import hooks
from referrals import services as referral_services
from referrals import vocabularies as rv
from referrals.models import Referral
from tests.referrals.conftest import (  # noqa: F401 - fixtures
    partner,
    referral_consent,
    shelter,
    shelter_org,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


@pytest.fixture
def accepted(case, caseworker, supervisor, shelter, partner):  # noqa: F811
    referral_consent(actor=caseworker, case=case, recipient_service_type=cv.ServiceType.SHELTER)
    referral = referral_services.create_referral(
        actor=caseworker, case=case, offering=shelter, urgency=rv.Urgency.URGENT,
        reason="Necesita un lugar seguro.", items=rv.minimum_necessary("shelter"),
    )
    referral_services.submit_referral(actor=caseworker, referral=referral)
    referral_services.approve_referral(actor=supervisor, referral=referral)
    return referral_services.accept_referral(actor=partner, referral=referral)


@pytest.fixture
def shelter_action(approved, case, caseworker, accepted):
    goal = approved.goals.get(area=pv.Area.ACCOMMODATION)
    return services.add_action(actor=caseworker, case=case, goal=goal,
                               description="Casa refugio en Arequipa",
                               performer=pv.Performer.PROVIDER, referral=accepted)


def test_a_completed_referral_becomes_an_entry_to_confirm(
    accepted, shelter_action, partner, caseworker  # noqa: F811
):
    referral_services.complete_referral(actor=partner, referral=accepted,
                                        outcome=rv.CompletionOutcome.SERVICE_PROVIDED)
    entry = AssistanceEntry.objects.get(referral=accepted)
    assert (entry.category, entry.provider_id, entry.partner_outcome, entry.status,
            entry.source) == (
        pv.Area.ACCOMMODATION, accepted.provider_id, rv.CompletionOutcome.SERVICE_PROVIDED,
        pv.AssistanceStatus.TO_CONFIRM, pv.AssistanceSource.REFERRAL)
    assert entry.goal_action == shelter_action
    shelter_action.refresh_from_db()
    assert shelter_action.status == pv.ActionStatus.DONE
    assert list(assistance_to_confirm(caseworker)) == [entry]


def test_the_caseworker_corrects_what_the_partner_reported(
    accepted, shelter_action, partner, caseworker, case  # noqa: F811
):
    referral_services.complete_referral(actor=partner, referral=accepted,
                                        outcome=rv.CompletionOutcome.PARTLY_PROVIDED)
    entry = AssistanceEntry.objects.get(referral=accepted)
    confirmed = services.confirm_assistance(
        actor=caseworker, case=case, entry=entry, category=pv.Area.ACCOMMODATION,
        started_on=entry.started_on, ended_on=entry.ended_on, quantity=12,
        unit=pv.Unit.NIGHTS, goal_action=shelter_action,
    )
    assert (confirmed.status, confirmed.quantity, confirmed.confirmed_by) == (
        pv.AssistanceStatus.CORRECTED, 12, caseworker)
    assert not assistance_to_confirm(caseworker).exists()
    with pytest.raises(ValidationError):
        services.confirm_assistance(actor=caseworker, case=case, entry=entry,
                                    category=pv.Area.ACCOMMODATION, started_on=entry.started_on)


def test_a_completion_without_a_plan_still_records_the_assistance(
    case, caseworker, accepted, partner  # noqa: F811
):
    referral_services.complete_referral(actor=partner, referral=accepted,
                                        outcome=rv.CompletionOutcome.SERVICE_PROVIDED)
    assert AssistanceEntry.objects.get(referral=accepted).goal_action is None


def test_a_receiver_that_fails_undoes_the_completion(accepted, partner, monkeypatch):  # noqa: F811
    def broken(self, *args, **kwargs):
        raise RuntimeError("the plans side failed")

    monkeypatch.setattr(AssistanceEntry, "save", broken)
    with pytest.raises(RuntimeError, match="the plans side failed"):
        referral_services.complete_referral(actor=partner, referral=accepted,
                                            outcome=rv.CompletionOutcome.SERVICE_PROVIDED)
    accepted.refresh_from_db()
    assert accepted.state == rv.State.ACCEPTED
    assert not AssistanceEntry.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.REFERRAL_COMPLETED).exists()


def test_the_hooks_name_their_receivers_and_plans_fills_them():
    from cases import hooks as case_hooks

    assert hooks.REFERRAL_COMPLETED.connected == (
        "plans.services.record_assistance_from_referral",)
    assert case_hooks.CASE_CLOSING.connected == ("plans.services.close_plan_with_case",)
    assert not hooks.REFERRAL_COMPLETED.missing and not case_hooks.CASE_CLOSING.missing


def test_assistance_is_recorded_with_coded_fields_and_a_sealed_note(case, caseworker):
    entry = services.record_assistance(
        actor=caseworker, case=case, category=pv.Area.PSYCHOSOCIAL,
        started_on=timezone.localdate(), quantity=4, unit=pv.Unit.SESSIONS,
        provider=case.organization, note="Sesiones con la psicóloga.",
    )
    raw = AssistanceEntry.objects.filter(pk=entry.pk).values_list("note", flat=True).get()
    assert b"psic" not in bytes(raw)
    assert AccessEvent.objects.filter(action=Action.ASSISTANCE_RECORDED,
                                      target_id=str(entry.pk)).count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"started_on": timezone.localdate() + timedelta(days=1)}, "started_on"),
    ({"ended_on": timezone.localdate() - timedelta(days=10)}, "ended_on"),
    ({"quantity": 3}, "unit"),
    ({"quantity": 0, "unit": pv.Unit.NIGHTS}, "quantity"),
    ({"category": "tarot"}, "category"),
])
def test_bad_assistance_is_refused_and_nothing_is_saved(case, caseworker, changes, field):
    values = {"category": pv.Area.HEALTH, "started_on": timezone.localdate() - timedelta(days=2),
              "provider": case.organization, **changes}
    with pytest.raises(ValidationError) as refused:
        services.record_assistance(actor=caseworker, case=case, **values)
    assert field in refused.value.error_dict
    assert not AssistanceEntry.objects.exists()


def test_statistics_count_assistance_by_category_from_coded_fields(
    case, caseworker, supervisor, accepted, partner, django_assert_max_num_queries  # noqa: F811
):
    for category in (pv.Area.HEALTH, pv.Area.HEALTH, pv.Area.LEGAL):
        services.record_assistance(actor=caseworker, case=case, category=category,
                                   started_on=timezone.localdate(), provider=case.organization)
    referral_services.complete_referral(actor=partner, referral=accepted,
                                        outcome=rv.CompletionOutcome.SERVICE_PROVIDED)
    with django_assert_max_num_queries(3):
        counts = assistance_by_category(supervisor)
    # The referral's entry counts once the caseworker confirmed it.
    assert counts == {pv.Area.HEALTH: 2, pv.Area.LEGAL: 1}


def test_the_plan_page_shows_what_she_received_from_whom(
    client_for, case, caseworker, accepted, partner, shelter  # noqa: F811
):
    referral_services.complete_referral(actor=partner, referral=accepted,
                                        outcome=rv.CompletionOutcome.SERVICE_PROVIDED)
    page = client_for(caseworker).get(reverse("plans:plan_detail", kwargs={"case_id": case.pk}))
    text = page.content.decode()
    assert str(Referral.objects.get().provider) in text
    entry = AssistanceEntry.objects.get()
    assert reverse("plans:confirm_assistance", kwargs={"case_id": case.pk,
                                                       "entry_id": entry.pk}) in text


def test_assistance_is_credited_only_to_her_organisation_or_a_network_provider(
    case, caseworker, outsider
):
    with pytest.raises(ValidationError) as refused:
        services.record_assistance(actor=caseworker, case=case, category=pv.Area.HEALTH,
                                   started_on=timezone.localdate(),
                                   provider=outsider.organization)
    assert "provider" in refused.value.error_dict
    assert not AssistanceEntry.objects.exists()
