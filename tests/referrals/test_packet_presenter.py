"""One presenter labels an opened packet for every page that shows it (``referrals.packet
.present``): the case side's preview and the partner's page show the same content, and a
packet built from codes reads the same in both shapes. No database needed for the shapes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import vocabularies as cv
from referrals import vocabularies as rv
from referrals.packet import Packet, present

DATA = {
    "urgency": "urgent",
    "reason": "Necesita un lugar seguro.",
    "items": {
        "name": "María José",
        "age_band": "25_34",
        "languages": ["es", "qu"],
        "safe_contact": {"channel": "phone", "address": "+51 999 000 111",
                         "safe_times": "after 18:00", "may_leave_message": False,
                         "code_word": "girasol"},
        "needs": {"codes": ["shelter", "medical"], "note": "Herida en el brazo."},
        "risk": {"level": "high", "factors": [], "assessed_on": "2026-11-30"},
        "notes": [{"date": "2026-12-01", "body": "Prefiere hablar por la tarde."}],
    },
}


def _lines() -> dict[str, list[str]]:
    return dict(present(Packet(data=DATA)).lines())


def test_both_shapes_carry_the_same_items_under_the_same_labels():
    presented = present(Packet(data=DATA))
    parts = presented.parts()

    plain = {label for label, _value in parts["rows"]}
    structured = {key for key in ("safe_contact", "needs", "risk", "notes") if key in parts}
    assert plain | structured == {"Name", "Age band", "Languages", "safe_contact", "needs",
                                  "risk", "notes"}
    assert set(_lines()) == {"Name", "Age band", "Languages", "Safe contact", "Needs",
                             "Risk summary", "Chosen notes"}


def test_coded_values_are_labelled_in_both_shapes():
    presented = present(Packet(data=DATA))
    parts = presented.parts()
    lines = _lines()

    assert parts["needs"]["labels"] == lines["Needs"][0].split(", ")
    assert parts["risk"]["level_label"] == lines["Risk summary"][0]
    assert parts["safe_contact"]["channel_label"] == lines["Safe contact"][0]
    assert dict(parts["rows"])["Languages"] == lines["Languages"][0]
    assert presented.urgency_label() == str(rv.Urgency.URGENT.label)


def test_do_not_contact_is_the_only_thing_said_about_contact():
    data = {"items": {"safe_contact": {"channel": cv.ContactChannel.DO_NOT_CONTACT,
                                       "address": "+51 999 000 111"}}}
    presented = present(Packet(data=data))

    assert presented.parts()["safe_contact"]["do_not_contact"] is True
    assert dict(presented.lines())["Safe contact"] == ["Do not contact her."]


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_preview_and_the_partners_page_present_the_same_packet(
    client_for, supervisor, partner, sent
):
    case_side = client_for(supervisor).get(
        reverse("referrals:detail", kwargs={"referral_id": sent.pk})
    )
    partner_side = client_for(partner).get(
        reverse("referrals:packet", kwargs={"referral_id": sent.pk})
    )

    presented = present(partner_side.context["packet"])
    assert case_side.context["packet_rows"] == presented.lines()
    assert partner_side.context["rows"] == presented.parts()["rows"]
    assert partner_side.context["safe_contact"] == presented.parts()["safe_contact"]
