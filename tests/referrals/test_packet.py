"""The referral packet holds only what was ticked; nothing else of hers leaves (DESIGN §7).

Canaries (tests/canary.py) are planted in the fields a packet may draw from but that were
not ticked; they must reach neither the sealed packet nor any mail. A full workflow with
canaries in every value a referral touches is then scanned in every database, the logs
and the mail. A withdrawn referral's packet is emptied, a shredded survivor's no longer
opens.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cases import vocabularies as cv
from cases.models import Case
from cases.services import intake, work
from cases.services.intake import Identity, SafeContact
from cases.services.management import confirm_shredding, request_shredding
from referrals import services
from referrals import vocabularies as rv
from referrals.models import Referral
from referrals.packet import open_packet
from tests.factories import UserFactory
from tests.referrals.conftest import referral_consent
from vault import services as vault

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

I = rv.PacketItem  # noqa: E741
SHELTER_MINIMUM = rv.minimum_necessary(cv.ServiceType.SHELTER)
PACKET_KEYS = {
    "version",
    "case_code",
    "service",
    "service_type",
    "urgency",
    "emergency",
    "is_child",
    "reason",
    "beyond_minimum_reason",
    "items",
    "sealed_at",
}


def send(case, caseworker, supervisor, offering, items, **extra):
    referral = services.create_referral(
        actor=caseworker,
        case=case,
        offering=offering,
        urgency=rv.Urgency.URGENT,
        reason=extra.pop("reason", "She needs a safe place."),
        items=items,
        **extra,
    )
    services.submit_referral(actor=caseworker, referral=referral)
    return services.approve_referral(actor=supervisor, referral=referral)


def raw_packet(referral: Referral) -> str:
    return vault.unseal(Referral.objects.get(pk=referral.pk), "packet")


# --- only what was ticked ------------------------------------------------------------

SELECTIONS = {
    "the shelter's minimum": (list(SHELTER_MINIMUM), False),
    "a narrow choice": ([I.NAME, I.LANGUAGES], False),
    "only the safe contact": ([I.SAFE_CONTACT], False),
    "everything, for a risk to life": (list(I.values), True),
}


@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_the_packet_holds_only_the_ticked_items(
    selection, case, caseworker, supervisor, partner, shelter, consent_to_shelters, note
):
    items, beyond = SELECTIONS[selection]
    extra = {"beyond_minimum_reason": "He knows where she sleeps."} if beyond else {}
    if I.NOTES in items:
        extra["note_ids"] = [str(note.pk)]
    referral = send(case, caseworker, supervisor, shelter, items, **extra)

    packet = open_packet(referral, actor=partner)
    assert packet.closed == ""
    assert set(packet.data) == PACKET_KEYS
    # The guardian is shared only for a child; this case is an adult's.
    expected = {str(item) for item in items} - {I.GUARDIAN}
    assert set(packet.items) == expected
    assert {label for label, _value in packet.rows()} == {str(I(item).label) for item in expected}
    if I.NOTES in items:
        assert [n["body"] for n in packet.items["notes"]] == ["Prefers to be called after 18:00."]


def test_a_name_only_packet_carries_no_birth_date_needs_or_notes(
    case, caseworker, supervisor, partner, shelter, consent_to_shelters, note
):
    referral = send(case, caseworker, supervisor, shelter, [I.NAME])
    text = raw_packet(referral)
    assert "María José Pérez Salas" in text
    for absent in ("1996-04-12", "1996", "18:00"):
        assert absent not in text
    assert set(json.loads(text)["items"]) == {"name"}


# --- canaries in unticked fields ------------------------------------------------------


BIRTH_DATE = date(1987, 11, 23)


def plant_unticked(canaries_new, *, caseworker, case, given="Rosa", family="Quispe"):
    """Canaries in what a packet could draw from; returns the note that is chosen."""
    intake.update_identity(
        actor=caseworker,
        case=case,
        identity=Identity(
            given_names=given,
            family_names=family,
            aliases=canaries_new("alias"),
            birth_date=BIRTH_DATE,
            gender="female",
            nationality="PE",
            languages=["es", "qu"],
            family_contacts=canaries_new("family"),
        ),
        guardian=None,
    )
    intake.update_safe_contact(
        actor=caseworker,
        case=case,
        contact=SafeContact(
            channel=cv.ContactChannel.WHATSAPP,
            address="+51 900 000 001",
            safe_times="mornings",
            code_word=canaries_new("codeword"),
        ),
    )
    intake.update_needs_and_narrative(
        actor=caseworker,
        case=case,
        immediate_needs=[cv.ServiceType.SHELTER],
        needs_note=canaries_new("needs"),
        narrative=canaries_new("narrative"),
    )
    work.record_risk_assessment(
        actor=caseworker,
        case=case,
        assessed_on=timezone.localdate(),
        level=cv.RiskLevel.HIGH,
        factors=[cv.RiskFactor.THREATS_TO_FAMILY_ABROAD],
        notes=canaries_new("risknotes"),
    )
    work.add_note(actor=caseworker, case=case, body=canaries_new("unchosen"))
    return work.add_note(actor=caseworker, case=case, body="Chosen: she prefers mornings.")


def test_canaries_in_unticked_fields_reach_neither_packet_nor_mail(
    case,
    caseworker,
    supervisor,
    partner,
    shelter,
    consent_to_shelters,
    django_capture_on_commit_callbacks,
):
    planted: list[str] = []

    def new(prefix: str) -> str:
        from tests.canary import make_canary

        planted.append(make_canary(prefix))
        return planted[-1]

    chosen = plant_unticked(new, caseworker=caseworker, case=case)
    # Name, languages and the chosen note, not: aliases, birth date, needs (with its note),
    # the safe contact's code word, the risk notes, the other note, her account.
    items = [I.NAME, I.LANGUAGES, I.RISK, I.NOTES]
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(
            case,
            caseworker,
            supervisor,
            shelter,
            items,
            note_ids=[str(chosen.pk)],
            beyond_minimum_reason="Threats.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_referral(actor=partner, referral=referral)

    text = raw_packet(referral)
    assert "Rosa Quispe" in text and "Chosen: she prefers mornings." in text
    assert json.loads(text)["items"]["risk"]["level"] == cv.RiskLevel.HIGH
    for canary in planted:
        assert canary not in text
    assert BIRTH_DATE.isoformat() not in text and "1987" not in text
    assert "+51 900 000 001" not in text

    assert len(mail.outbox) >= 3  # to approve, to answer, answered
    for message in mail.outbox:
        whole = message.message().as_string()
        for secret in (*planted, "Rosa", "Quispe", "Chosen", BIRTH_DATE.isoformat()):
            assert secret not in whole


# --- the whole workflow, every database, logs and mail -------------------------------


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_no_canary_of_a_whole_referral_workflow_is_anywhere_in_clear(
    canaries,
    make_case,
    caseworker,
    supervisor,
    second_supervisor,
    partner,
    shelter,
    org_admin,
):
    for person in (caseworker, supervisor):
        person.email = f"{person.username}@ngo.invalid"
        person.save(update_fields=["email"])
    shelter_admin = UserFactory(
        organization=shelter.organization, role=Role.ORG_ADMIN, username="shelteradmin"
    )
    services.save_offering(actor=shelter_admin, offering=shelter, address=canaries.new("address"))
    case = make_case(
        caseworker,
        given_names=canaries.new("given"),
        family_names=canaries.new("family"),
        aliases=canaries.new("alias"),
    )
    chosen = plant_unticked(
        canaries.new,
        caseworker=caseworker,
        case=case,
        given=canaries.new("given"),
        family=canaries.new("family"),
    )
    # The chosen note, the name and the reasons do go into the packet: sealed.
    chosen_canary = work.add_note(actor=caseworker, case=case, body=canaries.new("chosen"))
    referral_consent(actor=caseworker, case=case, recipient_service_type=cv.ServiceType.SHELTER)
    items = [*SHELTER_MINIMUM, I.NOTES, I.ALIASES]

    def draft():
        return services.create_referral(
            actor=caseworker,
            case=case,
            offering=shelter,
            urgency=rv.Urgency.EMERGENCY,
            reason=canaries.new("reason"),
            items=items,
            note_ids=[str(chosen.pk), str(chosen_canary.pk)],
            beyond_minimum_reason=canaries.new("beyond"),
        )

    # 1. Submitted, returned with a note, changed, submitted, approved, accepted, completed.
    first = draft()
    services.submit_referral(actor=caseworker, referral=first)
    services.return_referral(actor=supervisor, referral=first, note=canaries.new("return"))
    services.update_draft(
        actor=caseworker,
        referral=first,
        urgency=rv.Urgency.URGENT,
        reason=canaries.new("reason"),
        items=items,
        note_ids=[str(chosen.pk), str(chosen_canary.pk)],
        beyond_minimum_reason=canaries.new("beyond"),
    )
    services.submit_referral(actor=caseworker, referral=first)
    services.approve_referral(actor=second_supervisor, referral=first)
    opened = open_packet(Referral.objects.get(pk=first.pk), actor=partner)
    assert opened.items["name"].startswith("given-")  # the scan below is not vacuous
    services.accept_referral(actor=partner, referral=first)
    services.complete_referral(
        actor=partner,
        referral=first,
        outcome=rv.CompletionOutcome.SERVICE_PROVIDED,
        note=canaries.new("outcome"),
    )

    # 2. Sent as an emergency, reviewed with a concern, declined with a note.
    second = draft()
    services.send_emergency(actor=caseworker, referral=second, reason=canaries.new("emergency"))
    services.review_emergency_send(
        actor=supervisor,
        referral=second,
        finding=rv.ReviewFinding.CONCERN,
        note=canaries.new("review"),
    )
    services.decline_referral(
        actor=partner,
        referral=second,
        reason=rv.DeclineReason.NO_CAPACITY,
        note=canaries.new("decline"),
    )

    # 3. Sent, then withdrawn with a note.
    third = draft()
    services.submit_referral(actor=caseworker, referral=third)
    services.approve_referral(actor=supervisor, referral=third)
    services.withdraw_referral(
        actor=caseworker,
        referral=third,
        reason=rv.WithdrawReason.SAFETY,
        note=canaries.new("withdraw"),
    )

    assert Referral.objects.get(pk=third.pk).packet is None
    assert len(mail.outbox) >= 8
    assert Case.objects.filter(pk=case.pk).exists()
    canaries.assert_no_leaks()


# --- a packet that must no longer open ------------------------------------------------


def test_a_withdrawn_referrals_packet_column_is_emptied(sent, caseworker, partner):
    assert Referral.objects.filter(pk=sent.pk, packet__isnull=False).exists()
    services.withdraw_referral(
        actor=caseworker, referral=sent, reason=rv.WithdrawReason.SURVIVOR_DECLINED
    )
    stored = Referral.objects.get(pk=sent.pk)
    assert stored.packet is None
    assert Referral.objects.filter(pk=sent.pk).values_list("packet", flat=True).get() is None
    # The history leaves the packet out altogether, so no older row keeps it.
    assert "packet" not in {f.name for f in Referral.history.model._meta.get_fields()}
    assert open_packet(stored, actor=partner).closed == "withdrawn"
    assert open_packet(stored, actor=partner).data == {}


def test_a_shredded_survivors_packet_no_longer_opens(
    accepted, supervisor, org_admin, partner, django_capture_on_commit_callbacks
):
    # Completed, so the shredding leaves its state alone (open ones are withdrawn:
    # tests/referrals/test_shredding.py) and only the destroyed key closes the packet.
    done = services.complete_referral(actor=partner, referral=accepted,
                                      outcome="service_provided")
    assert open_packet(done, actor=partner).items["name"]
    shred = request_shredding(
        actor=supervisor, case=done.case, reason=cv.ShredReason.SURVIVOR_REQUEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm_shredding(actor=org_admin, shred_request=shred)
    packet = open_packet(Referral.objects.get(pk=done.pk), actor=partner)
    assert packet.closed == "shredded"
    assert packet.data == {} and packet.rows() == []


def test_a_packet_is_not_there_before_sending(submitted, partner):
    assert open_packet(Referral.objects.get(pk=submitted.pk), actor=partner).closed == "not_sent"


def test_the_packet_is_sealed_at_approval_not_at_submission(
    submitted, supervisor, caseworker, partner
):
    """What changes in the case after sending is not in the packet already sealed."""
    sent = services.approve_referral(actor=supervisor, referral=submitted)
    intake.update_identity(
        actor=caseworker,
        case=sent.case,
        identity=Identity(
            given_names="Otra",
            family_names="Persona",
            birth_date=date(1996, 4, 12),
            gender="female",
            languages=["es"],
        ),
        guardian=None,
    )
    assert open_packet(Referral.objects.get(pk=sent.pk), actor=partner).items["name"] == (
        "María José Pérez Salas"
    )
    assert Referral.objects.get(pk=sent.pk).packet_sealed_at <= timezone.now() + timedelta(
        seconds=1
    )
