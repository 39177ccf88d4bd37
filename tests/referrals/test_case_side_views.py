"""The case side of referrals through the client: a new referral, drafts, and each step
a caseworker or supervisor takes on the referral page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from cases import vocabularies as cv
from cases.services.intake import Guardian
from cases.services.management import close_case
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral, ServiceOffering
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def create_url(case, offering=None):
    url = reverse("referrals:create", kwargs={"case_id": case.pk})
    return f"{url}?offering={offering.pk}" if offering else url


def detail_url(referral):
    return reverse("referrals:detail", kwargs={"referral_id": referral.pk})


def edit_url(referral):
    return reverse("referrals:edit", kwargs={"referral_id": referral.pk})


def step_url(referral, step):
    return reverse("referrals:step", kwargs={"referral_id": referral.pk, "step": step})


def review_url(referral):
    return reverse("referrals:review", kwargs={"referral_id": referral.pk})


def referral_data(offering, **overrides):
    data = {
        "offering": str(offering.pk),
        "urgency": rv.Urgency.URGENT,
        "reason": "Necesita un lugar seguro esta noche.",
        # The guardian is offered only on a child's referral.
        "items": [item for item in rv.minimum_necessary(offering.service_type)
                  if item != rv.PacketItem.GUARDIAN],
        "beyond_minimum_reason": "",
    }
    data.update(overrides)
    return data


def steps_offered(response):
    return [item["step"] for item in response.context["steps"]]


def last_event():
    return AccessEvent.objects.latest("id")


# --- a new referral ----------------------------------------------------------------------


def test_it_first_lists_the_services_she_may_be_referred_to_without_any_address(
    client_for, caseworker, case, shelter, legal_clinic
):
    vault.seal(shelter, address="Calle Secreta 123, Arequipa")
    shelter.save()
    inactive = ServiceOffering.objects.create(
        organization=legal_clinic.organization, service_type=cv.ServiceType.MEDICAL,
        name="Posta cerrada", city="Lima", active=False,
    )
    response = client_for(caseworker).get(create_url(case))
    assert response.status_code == 200
    assert response.templates[0].name == "referrals/case/choose.html"
    body = response.content.decode()
    assert "Casa Refugio Arequipa" in body and "Asesoría legal" in body
    assert inactive.name not in body
    assert "Calle Secreta" not in body
    assert "3 free places" in body


def test_choosing_a_service_pre_ticks_the_minimum_for_its_kind(
    client_for, caseworker, case, shelter
):
    response = client_for(caseworker).get(create_url(case, shelter))
    assert response.templates[0].name == "referrals/case/form.html"
    form = response.context["form"]
    minimum = set(rv.minimum_necessary(cv.ServiceType.SHELTER)) - {rv.PacketItem.GUARDIAN}
    assert set(form.initial["items"]) == minimum
    body = response.content.decode()
    assert re.search(r'name="items" value="name" id="[^"]+" checked', body)
    assert re.search(r'name="items" value="birth_date" id="[^"]+">', body)  # not ticked


def test_a_legal_clinic_gets_a_different_minimum(client_for, caseworker, case, legal_clinic):
    form = client_for(caseworker).get(create_url(case, legal_clinic)).context["form"]
    assert rv.PacketItem.BIRTH_DATE in form.initial["items"]
    assert rv.PacketItem.RISK not in form.initial["items"]


def test_saving_the_form_makes_a_draft_and_opens_its_page(
    client_for, caseworker, case, shelter
):
    client = client_for(caseworker)
    before = AccessEvent.objects.count()
    response = client.post(create_url(case), referral_data(shelter))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == detail_url(referral)
    assert referral.state == rv.State.DRAFT and referral.urgency == rv.Urgency.URGENT
    assert referral.items == [i for i in rv.PacketItem.values
                              if i in rv.minimum_necessary("shelter") and i != "guardian"]
    assert AccessEvent.objects.count() == before + 1
    assert last_event().action == Action.REFERRAL_CREATED


def test_a_note_can_be_shared_only_with_a_risk_to_life_reason(
    client_for, caseworker, case, shelter, note
):
    client = client_for(caseworker)
    response = client.post(create_url(case), referral_data(shelter, note_ids=[str(note.pk)]))
    assert response.status_code == 200
    assert "only for a risk to her life" in response.content.decode()
    assert not Referral.objects.exists()
    response = client.post(create_url(case), referral_data(
        shelter, note_ids=[str(note.pk)], beyond_minimum_reason="La red la busca."
    ))
    referral = Referral.objects.get()
    assert referral.note_ids == [str(note.pk)] and rv.PacketItem.NOTES in referral.items


def test_the_form_lists_her_notes_by_date_with_a_short_excerpt(
    client_for, caseworker, case, shelter, note
):
    body = client_for(caseworker).get(create_url(case, shelter)).content.decode()
    assert timezone.localtime(note.created_at).date().isoformat() in body
    assert "Prefers to be called after 18:00." in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": ""}, "Say why she is referred"),
        ({"urgency": ""}, "Choose how urgent"),
        ({"urgency": "whenever"}, "Select a valid choice"),
        ({"items": ["name", "passport"]}, "Select a valid choice"),
        ({"items": ["name", "birth_date"]}, "only for a risk to her life"),
    ],
)
def test_bad_input_says_what_to_fix_and_saves_nothing(
    client_for, caseworker, case, shelter, overrides, message
):
    client = client_for(caseworker)
    before = AccessEvent.objects.count()
    response = client.post(create_url(case), referral_data(shelter, **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and 'id="error-summary"' in body
    assert not Referral.objects.exists()
    assert AccessEvent.objects.count() == before + 1
    assert (last_event().action, last_event().purpose) == (Action.CASE_VIEWED, "referral_form")


def test_a_service_that_is_not_in_the_list_is_refused(
    client_for, caseworker, case, shelter
):
    shelter.active = False
    shelter.save()
    response = client_for(caseworker).post(create_url(case), referral_data(shelter))
    assert response.status_code == 200
    assert "Choose a service from the list" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_childs_case_is_offered_only_services_that_accept_children(
    client_for, make_case, caseworker, shelter, legal_clinic
):
    child = make_case(caseworker, birth_date=None, estimated_age=15,
                      guardian=Guardian(name="Tía Rosa", relationship="tía"))
    client = client_for(caseworker)
    body = client.get(create_url(child)).content.decode()
    assert "Asesoría legal" in body and "Casa Refugio Arequipa" not in body
    response = client.get(create_url(child, shelter))
    assert response.templates[0].name == "referrals/case/choose.html"
    assert "does not accept children" in response.content.decode()
    # Her guardian is offered (and needed) only on a child's referral.
    form = client.get(create_url(child, legal_clinic)).context["form"]
    assert rv.PacketItem.GUARDIAN in dict(form.fields["items"].choices)


def test_a_closed_case_cannot_be_referred(client_for, caseworker, case, shelter):
    close_case(actor=caseworker, case=case, status=cv.CaseStatus.CLOSED,
               reason=cv.ClosureReason.GOALS_MET)
    response = client_for(caseworker).get(create_url(case, shelter))
    assert "reopen it before referring her" in response.content.decode()
    assert "form" not in response.context


# --- drafts ------------------------------------------------------------------------------


def test_a_draft_opens_with_what_she_wrote_and_can_be_changed(client_for, caseworker, draft):
    client = client_for(caseworker)
    form = client.get(edit_url(draft)).context["form"]
    assert form.initial["reason"] == "Needs a safe place tonight."
    assert "offering" not in form.fields
    response = client.post(edit_url(draft), {
        "urgency": rv.Urgency.EMERGENCY, "reason": "Cambió: hoy mismo.",
        "items": ["name", "languages"],
    })
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.urgency == rv.Urgency.EMERGENCY and draft.items == ["name", "languages"]
    assert vault.unseal(draft, "reason", actor=caseworker) == "Cambió: hoy mismo."
    assert last_event().action == Action.REFERRAL_UPDATED


def test_a_draft_with_bad_input_is_not_changed(client_for, caseworker, draft):
    response = client_for(caseworker).post(edit_url(draft), {"urgency": "", "reason": ""})
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.urgency == rv.Urgency.URGENT


def test_only_a_draft_can_be_edited(client_for, caseworker, submitted):
    client = client_for(caseworker)
    response = client.post(edit_url(submitted), {"urgency": "normal", "reason": "x"})
    assert response.status_code == 409
    assert "Only a draft can be changed" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.urgency == rv.Urgency.URGENT


# --- the referral page and its steps -----------------------------------------------------


def test_the_referral_page_shows_what_is_shared_and_the_steps_she_may_take(
    client_for, caseworker, draft
):
    response = client_for(caseworker).get(detail_url(draft))
    assert response.status_code == 200
    assert steps_offered(response) == ["submit", "send_emergency", "withdraw"]
    body = response.content.decode()
    assert "Needs a safe place tonight." in body
    assert "Risk summary" in body and "Edit the draft" in body
    assert (last_event().action, last_event().case_code) == (Action.REFERRAL_VIEWED,
                                                             draft.case.code)


def test_submitting_sends_it_to_the_supervisor(client_for, caseworker, draft):
    response = client_for(caseworker).post(step_url(draft, "submit"))
    assert response.status_code == 302 and response.url == detail_url(draft)
    draft.refresh_from_db()
    assert draft.state == rv.State.SUBMITTED and draft.submitted_by == caseworker
    assert last_event().action == Action.REFERRAL_SUBMITTED


def test_the_submitter_is_not_offered_approval_and_the_supervisor_is(
    client_for, caseworker, supervisor, submitted
):
    assert steps_offered(client_for(caseworker).get(detail_url(submitted))) == ["withdraw"]
    offered = steps_offered(client_for(supervisor).get(detail_url(submitted)))
    assert offered == ["approve", "return", "withdraw"]


def test_the_supervisor_approves_and_the_packet_is_shown_as_sent(
    client_for, supervisor, submitted
):
    client = client_for(supervisor)
    response = client.post(step_url(submitted, "approve"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == rv.State.SENT and submitted.approved_by == supervisor
    page = client.get(detail_url(submitted))
    rows = dict(page.context["packet_rows"])
    assert rows["Name"] == ["María José Pérez Salas"]
    assert "Birth date" not in rows
    assert "This is exactly what the provider sees" in page.content.decode()


def test_a_supervisor_cannot_approve_her_own_submission(
    client_for, supervisor, case, shelter, consent_to_shelters
):
    referral = services.create_referral(
        actor=supervisor, case=case, offering=shelter, urgency=rv.Urgency.NORMAL,
        reason="Lo preparé yo.", items=["name"],
    )
    services.submit_referral(actor=supervisor, referral=referral)
    client = client_for(supervisor)
    assert "approve" not in steps_offered(client.get(detail_url(referral)))
    before = AccessEvent.objects.count()
    response = client.post(step_url(referral, "approve"))
    assert response.status_code == 403
    assert "another supervisor of the team must decide" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == rv.State.SUBMITTED
    assert AccessEvent.objects.count() == before + 1
    assert (last_event().action, last_event().outcome) == (Action.REFERRAL_APPROVED, "denied")


def test_a_caseworker_cannot_approve(client_for, caseworker, submitted):
    response = client_for(caseworker).post(step_url(submitted, "approve"))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == rv.State.SUBMITTED


def test_returning_needs_a_note_and_shows_it_to_the_caseworker(
    client_for, supervisor, caseworker, submitted
):
    client = client_for(supervisor)
    response = client.post(step_url(submitted, "return"), {"return-note": ""})
    assert response.status_code == 200
    assert "Say what the caseworker should change." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == rv.State.SUBMITTED
    client.post(step_url(submitted, "return"), {"return-note": "Falta el idioma."})
    submitted.refresh_from_db()
    assert submitted.state == rv.State.DRAFT
    body = client_for(caseworker).get(detail_url(submitted)).content.decode()
    assert "Returned by the supervisor" in body and "Falta el idioma." in body


def test_a_step_the_state_no_longer_allows_changes_nothing_and_says_so(
    client_for, second_supervisor, sent
):
    response = client_for(second_supervisor).post(step_url(sent, "approve"))
    assert response.status_code == 409
    assert "Nothing was changed" in response.content.decode()
    assert sent.events.count() == 2


def test_an_emergency_send_needs_a_reason_then_goes_to_review(
    client_for, caseworker, supervisor, draft
):
    client = client_for(caseworker)
    response = client.post(step_url(draft, "send_emergency"), {"send_emergency-reason": ""})
    assert response.status_code == 200
    assert "Say why this cannot wait" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == rv.State.DRAFT
    client.post(step_url(draft, "send_emergency"),
                {"send_emergency-reason": "La red sabe dónde está."})
    draft.refresh_from_db()
    assert draft.state == rv.State.SENT and draft.emergency and draft.due_at is not None

    sup = client_for(supervisor)
    page = sup.get(detail_url(draft))
    assert page.context["review_form"] is not None
    assert "La red sabe dónde está." in page.content.decode()
    response = sup.post(review_url(draft), {"review-finding": "concern", "review-note": ""})
    assert response.status_code == 200
    assert "Say what the concern is." in response.content.decode()
    response = sup.post(review_url(draft),
                        {"review-finding": "concern", "review-note": "Debió llamarme."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.review_finding == rv.ReviewFinding.CONCERN and draft.reviewed_by == supervisor
    assert client_for(caseworker).get(detail_url(draft)).context["review_form"] is None


def test_the_caseworker_cannot_review_her_own_emergency_send(client_for, caseworker, draft):
    services.send_emergency(actor=caseworker, referral=draft, reason="Urgente.")
    response = client_for(caseworker).post(review_url(draft), {"review-finding": "reviewed"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.review_finding


def test_a_full_shelter_asks_to_refer_anyway(client_for, caseworker, draft, shelter):
    shelter.free_places = 0
    shelter.save()
    client = client_for(caseworker)
    page = client.get(detail_url(draft))
    assert "no free places" in page.content.decode()
    response = client.post(step_url(draft, "submit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Confirm that you want to refer her anyway" in body
    assert 'type="checkbox" name="submit-confirm_without_places"' in body
    draft.refresh_from_db()
    assert draft.state == rv.State.DRAFT
    client.post(step_url(draft, "submit"), {"submit-confirm_without_places": "on"})
    draft.refresh_from_db()
    assert draft.state == rv.State.SUBMITTED and draft.confirmed_without_places


def test_without_consent_submission_is_refused_with_a_clear_message(
    client_for, caseworker, draft, consent_to_shelters
):
    from cases.services.work import withdraw_consent

    withdraw_consent(actor=caseworker, case=draft.case, consent=consent_to_shelters,
                     reason=cv.ConsentWithdrawalReason.values[0])
    draft.refresh_from_db()
    assert draft.state == rv.State.DRAFT  # a draft relied on no consent yet
    response = client_for(caseworker).post(step_url(draft, "submit"))
    assert response.status_code == 200
    assert "no live consent" in response.content.decode()


def test_the_caseworker_completes_an_accepted_referral_with_an_outcome(
    client_for, caseworker, accepted
):
    client = client_for(caseworker)
    assert steps_offered(client.get(detail_url(accepted))) == ["complete", "withdraw"]
    response = client.post(step_url(accepted, "complete"), {"complete-outcome": ""})
    assert response.status_code == 200 and "Choose the outcome." in response.content.decode()
    client.post(step_url(accepted, "complete"),
                {"complete-outcome": "service_provided", "complete-note": "Llegó bien."})
    accepted.refresh_from_db()
    assert accepted.state == rv.State.COMPLETED
    body = client.get(detail_url(accepted)).content.decode()
    assert "Service provided" in body and "Llegó bien." in body


def test_withdrawing_needs_a_reason_and_closes_the_packet(client_for, caseworker, sent):
    client = client_for(caseworker)
    response = client.post(step_url(sent, "withdraw"), {"withdraw-note": "x"})
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.state == rv.State.SENT
    client.post(step_url(sent, "withdraw"), {"withdraw-reason": "need_met"})
    sent.refresh_from_db()
    assert sent.state == rv.State.WITHDRAWN and sent.packet is None
    page = client.get(detail_url(sent))
    assert page.context["steps"] == []
    assert "no longer opens" in page.content.decode()


def test_the_timeline_tells_each_step(client_for, caseworker, accepted):
    timeline = client_for(caseworker).get(detail_url(accepted)).context["timeline"]
    assert [str(entry["what"]) for entry in timeline] == [
        "Draft started", "Submitted for approval", "Approved and sent",
        "Accepted by the provider",
    ]


def test_an_overdue_referral_is_flagged(client_for, caseworker, sent):
    import time_machine

    with time_machine.travel(sent.due_at + timezone.timedelta(hours=1), tick=False):
        body = client_for(caseworker).get(detail_url(sent)).content.decode()
    assert "Overdue: no answer yet" in body
