"""One table maps every workflow step to its service, for the case side and the partner
side alike (``referrals/steps.py``); a step that is not a side's own is a recorded 404."""

from __future__ import annotations

import inspect

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Outcome
from referrals import services
from referrals import vocabularies as rv
from referrals.forms import case_side, partner
from referrals.models import Referral
from referrals.steps import STEP_SERVICES, take_step
from referrals.workflow import TRANSITIONS, Step

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SIDES = {
    "case side": {Step(step): form for step, form in case_side.STEP_FORMS.items()},
    "partner": {Step(step): form for step, form in partner.STEP_FORMS.items()},
}


def test_every_step_of_the_workflow_has_one_service():
    assert set(STEP_SERVICES) == set(Step) == set(TRANSITIONS)


@pytest.mark.parametrize("step", list(Step))
def test_each_service_takes_the_arguments_the_table_passes(step):
    entry = STEP_SERVICES[step]
    parameters = inspect.signature(getattr(services, entry.service)).parameters

    for name in ("actor", "referral", "seen_state", *entry.fields):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, name


@pytest.mark.parametrize("side", list(SIDES))
def test_each_sides_forms_give_the_fields_their_steps_need(side):
    for step, form_class in SIDES[side].items():
        assert set(STEP_SERVICES[step].fields) <= set(form_class.base_fields), step


def test_between_them_the_two_sides_offer_every_step():
    assert set(SIDES["case side"]) | set(SIDES["partner"]) == set(Step)


def test_a_step_goes_through_its_service_with_the_form_fields(monkeypatch, partner, sent):
    called = {}

    def decline_referral(**arguments):
        called.update(arguments)
        return arguments["referral"]

    monkeypatch.setattr(services, "decline_referral", decline_referral)

    take_step(Step.DECLINE, actor=partner, referral=sent, seen_state="sent",
              data={"reason": "full", "note": "Sin camas.", "ignored": "x"})

    assert called == {"actor": partner, "referral": sent, "seen_state": "sent",
                      "reason": "full", "note": "Sin camas."}


@pytest.mark.parametrize("step", ["withdraw", "approve", "bogus"])
def test_a_step_that_is_not_the_providers_is_a_recorded_404(client_for, partner, sent, step):
    url = reverse("referrals:partner_step", kwargs={"referral_id": sent.pk, "step": step})
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client_for(partner).post(url, {"reason": "other"})

    assert response.status_code == 404
    assert Referral.objects.get(pk=sent.pk).state == rv.State.SENT
    denied = AccessEvent.objects.filter(pk__gt=before)
    assert [(e.outcome, e.actor_id, e.target_id) for e in denied] == [
        (Outcome.DENIED, partner.pk, str(sent.pk))
    ]


@pytest.mark.parametrize("step", ["accept", "decline"])
def test_a_providers_step_on_the_case_side_is_a_recorded_404(client_for, caseworker, sent, step):
    url = reverse("referrals:step", kwargs={"referral_id": sent.pk, "step": step})
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client_for(caseworker).post(url, {"reason": "full"})

    assert response.status_code == 404
    assert Referral.objects.get(pk=sent.pk).state == rv.State.SENT
    denied = AccessEvent.objects.filter(pk__gt=before)
    assert [(e.outcome, e.actor_id, e.target_id) for e in denied] == [
        (Outcome.DENIED, caseworker.pk, str(sent.pk))
    ]
